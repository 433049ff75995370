"""RunRequest: a run's options are checked before anything runs."""

import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.runner import MAX_SEED, MAX_TIME_LIMIT, RunRequest

from .support import WHOLE


@pytest.mark.parametrize("options, message", [
    ({"seed": -1}, r"--seed -1: expected a seed from 0 to 4294967295"),
    ({"seed": 10**20}, r"--seed 100000000000000000000: expected a seed from 0 to 4294967295"),
    ({"seed": 1.5}, r"--seed 1.5: expected a seed"),
    ({"seed": MAX_SEED - 1, "seeds": 3}, r"--seeds 3: the seeds 4294967294 .. 4294967296 pass 4294967295"),
    ({"time_limit": float("inf")}, r"--time-limit inf: expected a positive number of seconds, at most 1,728,000"),
    ({"time_limit": float("nan")}, r"--time-limit nan"),
    ({"time_limit": 2_600_000}, r"--time-limit 2600000"),
    ({"time_limit": 0}, r"--time-limit 0"),
])
def test_seeds_and_time_limits_out_of_range_are_refused(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        RunRequest(("knn",), make_synthetic(n_per_class=3), WHOLE, tmp_path, **options)


def test_the_largest_seed_and_time_limit_are_accepted(tmp_path):
    request = RunRequest(("knn",), make_synthetic(n_per_class=3), WHOLE, tmp_path, seed=MAX_SEED - 1, seeds=2,
                         time_limit=MAX_TIME_LIMIT)
    assert request.seed_list == [MAX_SEED - 1, MAX_SEED]
