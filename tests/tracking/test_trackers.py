"""The trackers by name: where they log by default, and the one line a missing library gives."""

import sys

import pytest

from fer_bench.tracking import default_location, open_tracker


def test_default_locations_are_the_shared_sqlite_store_beside_the_run_and_a_folder_in_it(tmp_path):
    run_dir = tmp_path.resolve() / "reports" / "run1"
    assert default_location("mlflow", run_dir) == f"sqlite:///{run_dir.parent / 'mlflow.db'}"
    assert default_location("tensorboard", run_dir) == str(run_dir / "tensorboard")


def test_an_unknown_tracker_is_refused(tmp_path):
    with pytest.raises(ValueError, match="expected one of mlflow, tensorboard"):
        open_tracker("wandb", tmp_path)


@pytest.mark.parametrize("tracker, hidden", [
    ("mlflow", ["mlflow", "fer_bench.tracking.mlflow_tracker"]),
    ("tensorboard", ["tensorboard", "torch.utils.tensorboard", "fer_bench.tracking.tensorboard_tracker"]),
])
def test_a_missing_library_is_one_line_with_the_install_command(tracker, hidden, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, hidden[0], None)  # importing it now fails as if it were not installed
    for name in hidden[1:]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError) as raised:
        open_tracker(tracker, tmp_path)
    assert str(raised.value) == (f"tracking to {tracker} needs the {hidden[0]} package, which is not installed: "
                                 f"pip install 'fer_bench[{tracker}]'")
