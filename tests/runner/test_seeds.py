"""Several seeds per estimator: one record each, resumed seed by seed, and the steps of a time budget repeated."""

import json

import numpy as np
import pytest

from fer_bench.profiles import Profile, load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark

NETWORK = Profile("tiny", data={"Training": 140, "PublicTest": 70, "PrivateTest": 70},
                  networks={"epochs": 1, "batch_size": 32, "width": 0.125})


def test_every_estimator_gets_one_record_per_seed_on_the_same_faces(tmp_path, synthetic):
    records = run_benchmark(["shallow_cnn", "knn"], synthetic, NETWORK, tmp_path, seed=4, seeds=2, progress=False)
    assert [(record.name, record.seed) for record in records] == [("shallow_cnn", 4), ("shallow_cnn", 5),
                                                                    ("knn", 4), ("knn", 5)]
    manifest, stored = ResultsStore(tmp_path).load()
    assert manifest.seeds == [4, 5] and manifest.complete
    assert [record.predictions_file for record in stored] == [
        "predictions/shallow_cnn.npz", "predictions/shallow_cnn.seed5.npz", "predictions/knn.npz",
        "predictions/knn.seed5.npz"]
    first, second = (ResultsStore(tmp_path).load_predictions(record) for record in stored[:2])
    assert np.array_equal(first["y_true"], second["y_true"])  # the seed does not change the test faces
    assert not np.array_equal(first["scores"], second["scores"])  # ... but the initial weights and shuffling
    assert stored[0].budget["used"]["epochs_run"] == 1 and stored[2].budget == {}
    assert (tmp_path / "models" / "shallow_cnn.seed5").is_dir() and (tmp_path / "logs" / "shallow_cnn.seed5.log").is_file()


def test_resume_trains_only_the_missing_seeds_and_more_seeds_extend_a_run(tmp_path, synthetic):
    run_benchmark(["knn"], synthetic, NETWORK, tmp_path, seeds=2, progress=False)
    path = tmp_path / "results.json"
    raw = json.loads(path.read_text())
    kept = raw["records"][0]
    raw["records"] = [kept]  # seed 1 never finished
    path.write_text(json.dumps(raw))
    records = run_benchmark(["knn"], synthetic, NETWORK, tmp_path, seeds=3, resume=True, progress=False)
    assert [record.seed for record in records] == [0, 1, 2]
    assert records[0].fit_seconds == kept["fit_seconds"]  # kept, not refitted
    manifest, _ = ResultsStore(tmp_path).load()
    assert manifest.seeds == [0, 1, 2] and manifest.complete


def test_a_run_can_repeat_the_steps_an_earlier_time_budget_planned(tmp_path, synthetic):
    timed = Profile("timed", data=NETWORK.data, networks=dict(NETWORK.networks), budget={"kind": "time", "minutes": 0.01})
    (first,) = run_benchmark(["shallow_cnn"], synthetic, timed, tmp_path / "a", progress=False)
    planned = first.budget["used"]["planned_steps"]
    (again,) = run_benchmark(["shallow_cnn"], synthetic, timed, tmp_path / "b", steps_from=tmp_path / "a", progress=False)
    assert again.budget["used"]["kind"] == "steps" and again.budget["used"]["steps_run"] == planned
    assert again.budget["steps_from"] == str(tmp_path / "a")
    assert again.metrics["accuracy"] == first.metrics["accuracy"]
    assert again.budget["used"]["replans"] == first.budget["used"]["replans"]  # the same re-plans, replayed
    with np.load(tmp_path / "a" / first.predictions_file) as timed_run, \
            np.load(tmp_path / "b" / again.predictions_file) as repeat:
        assert set(timed_run.files) == set(repeat.files)
        for key in timed_run.files:  # bit for bit: predictions and probabilities
            np.testing.assert_array_equal(timed_run[key], repeat[key])
    with pytest.raises(ValueError, match=r"--steps-from .*: that run has no planned steps for deep_cnn \(seed 0\)"):
        run_benchmark(["deep_cnn"], synthetic, timed, tmp_path / "c", steps_from=tmp_path / "a", progress=False)


def test_a_seed_count_below_one_is_refused(tmp_path, synthetic):
    with pytest.raises(ValueError, match="--seeds 0: expected a positive number of seeds"):
        run_benchmark(["knn"], synthetic, load_profile("smoke"), tmp_path, seeds=0, progress=False)
