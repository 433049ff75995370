"""--overwrite sets the earlier run aside and deletes it only once the new run stores a record."""

import json
import os

import pytest

from fer_bench.datasets import DataError
from fer_bench.estimators import register_estimator
from fer_bench.profiles import Profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark
from fer_bench.runner.replacement import ASIDE_DIR, RUN_FILES

from .support import WHOLE


def snapshot(run_dir):
    """Every file of the run folder (the lock aside) and its bytes."""
    return {path.relative_to(run_dir).as_posix(): path.read_bytes() for path in sorted(run_dir.rglob("*"))
            if path.is_file() and path.name != ".fer_bench.lock"}


class Interrupting:
    def get_params(self, deep=True):
        return {}

    def fit(self, X, y):
        raise KeyboardInterrupt


@pytest.fixture
def interrupting(registry):
    register_estimator("interrupting", family="classical", framework="test", source="test")(lambda: Interrupting())
    return "interrupting"


@pytest.fixture
def old_run(tmp_path, planted):
    """A run of knn, with its report files, TensorBoard logs (as `run --track tensorboard` leaves them) and the
    checkpoint of an interrupted network."""
    run_dir = tmp_path / "run"
    run_benchmark(["knn"], planted, WHOLE, run_dir, progress=False, save_models="all")
    (run_dir / "checkpoints").mkdir()
    (run_dir / "checkpoints" / "resnet9.pt").write_bytes(b"an interrupted fit's state")
    (run_dir / "report.html").write_text("the earlier report")
    (run_dir / "results.csv").write_text("the earlier table")
    (run_dir / "tensorboard" / "run" / "knn").mkdir(parents=True)
    (run_dir / "tensorboard" / "run" / "knn" / "events.out.tfevents.0").write_text("the earlier curves")
    assert {path.name for path in run_dir.iterdir()} >= set(RUN_FILES)
    return run_dir


def test_a_replacement_stopped_before_its_first_record_puts_the_earlier_run_back(old_run, planted, interrupting):
    before = snapshot(old_run)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark([interrupting], planted, WHOLE, old_run, progress=False, overwrite=True)
    assert snapshot(old_run) == before
    assert not (old_run / ASIDE_DIR).exists()
    assert [record.name for record in ResultsStore(old_run).load()[1]] == ["knn"]


def test_the_earlier_run_goes_once_the_replacement_stores_a_record(old_run, planted, interrupting):
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(["svc_linear", interrupting], planted, WHOLE, old_run, progress=False, overwrite=True)
    assert [record.name for record in ResultsStore(old_run).load()[1]] == ["svc_linear"]
    assert not (old_run / ASIDE_DIR).exists()
    assert not any((old_run / folder / "knn").exists() for folder in ("models",))
    assert not (old_run / "predictions" / "knn.npz").exists() and not (old_run / "report.html").exists()
    assert not (old_run / "tensorboard").exists()


@pytest.mark.parametrize("case", ["no PrivateTest", "unknown split in the profile's data"])
def test_an_invalid_replacement_touches_nothing(case, old_run, planted):
    before = snapshot(old_run)
    if case == "no PrivateTest":
        with pytest.raises(DataError, match="PrivateTest split is empty"):
            run_benchmark(["svc_linear"], planted.select(planted.usage != "PrivateTest"), WHOLE, old_run,
                          progress=False, overwrite=True)
    else:
        with pytest.raises(ValueError, match=r"\[data\] Validation: not a split"):
            run_benchmark(["svc_linear"], planted, Profile(name="bad", data={"Validation": 5}), old_run,
                          progress=False, overwrite=True)
    assert snapshot(old_run) == before and not (old_run / ASIDE_DIR).exists()


def _killed_replacement(run_dir, stored_records):
    """The folder as a replacement killed outright leaves it: the earlier run aside, the new results.json."""
    raw = json.loads((run_dir / "results.json").read_text())
    (run_dir / ASIDE_DIR).mkdir()
    for name in RUN_FILES:
        os.replace(run_dir / name, run_dir / ASIDE_DIR / name)
    raw["records"] = raw["records"][:stored_records]
    (run_dir / "results.json").write_text(json.dumps(raw))
    (run_dir / "logs").mkdir()
    (run_dir / "logs" / "new.log").write_text("the killed run's lines")


def test_a_killed_replacement_without_a_record_is_put_back_by_the_next_run(old_run, planted, capsys):
    before = snapshot(old_run)
    _killed_replacement(old_run, 0)
    with pytest.raises(ValueError, match="holds a run already"):
        run_benchmark(["svc_linear"], planted, WHOLE, old_run, progress=False)
    assert snapshot(old_run) == before and not (old_run / ASIDE_DIR).exists()
    assert "the run it replaced is put back" in capsys.readouterr().err


def test_a_killed_replacement_with_a_record_is_finished_by_the_next_run(old_run, planted, capsys):
    _killed_replacement(old_run, 1)
    kept = (old_run / "results.json").read_bytes()
    with pytest.raises(ValueError, match="holds a run already"):
        run_benchmark(["svc_linear"], planted, WHOLE, old_run, progress=False)
    assert (old_run / "results.json").read_bytes() == kept and not (old_run / ASIDE_DIR).exists()
    assert f"deleted {ASIDE_DIR}/" in capsys.readouterr().err
