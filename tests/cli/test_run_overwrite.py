"""``run --overwrite``: the earlier run stays whole until the new one has stored a result."""

import numpy as np
import pytest

from fer_bench.cli import main
import fer_bench.runner.benchmark as benchmark

from .conftest import write_fer_csv
from .support import one_error_line


def snapshot(run_dir):
    """Every file of the run folder (the lock aside) and its bytes."""
    return {path.relative_to(run_dir).as_posix(): path.read_bytes() for path in sorted(run_dir.rglob("*"))
            if path.is_file() and path.name != ".fer_bench.lock"}


@pytest.fixture
def old_run(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    assert {"results.json", "predictions", "logs", "report.html", "results.csv"} <= {path.name for path in run_dir.iterdir()}
    capsys.readouterr()
    return run_dir


@pytest.mark.parametrize("case, status, message", [
    ("data without PrivateTest", 2, "the PrivateTest split is empty"),
    ("a cache path that is a file", 1, "cache"),
    ("a profile with a size for an unknown split", 2, "[data] Validation: not a split; expected Training, PublicTest, PrivateTest"),
])
def test_an_overwrite_that_cannot_run_leaves_the_earlier_run_whole(case, status, message, old_run, tiny_csv, tmp_path,
                                                                   monkeypatch, capsys):
    before = snapshot(old_run)
    argv = ["run", "svc_linear", "--out", str(old_run), "--quiet", "--overwrite"]
    data = tiny_csv
    if case == "data without PrivateTest":
        rng = np.random.default_rng(1)
        data = tmp_path / "no_private.csv"
        write_fer_csv(data, [(i % 7, rng.integers(0, 256, 2304), usage) for usage in ("Training", "PublicTest")
                             for i in range(14)])
    elif case == "a cache path that is a file":
        cache = tmp_path / "cache"
        cache.write_text("a file, not a folder")
        monkeypatch.setenv("FER_BENCH_CACHE_DIR", str(cache))
    else:
        profile = tmp_path / "bad.toml"
        profile.write_text('extends = "smoke"\n\n[data]\nValidation = 10\n')
        argv += ["--profile", str(profile)]
    assert main([*argv, "--data", str(data)]) == status
    assert message in one_error_line(capsys.readouterr().err)
    assert snapshot(old_run) == before
    assert main(["report", str(old_run)]) == 0


def test_ctrl_c_before_the_first_result_leaves_the_earlier_run_as_it_was(old_run, tiny_csv, monkeypatch, capsys):
    before = snapshot(old_run)

    def interrupted(task, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmark, "run_task", interrupted)
    assert main(["run", "svc_linear", "--data", str(tiny_csv), "--out", str(old_run), "--quiet",
                 "--overwrite"]) == 130
    assert capsys.readouterr().err.splitlines() == [
        f"interrupted: {old_run} is as it was: the run stopped before it stored a result"]
    assert snapshot(old_run) == before
