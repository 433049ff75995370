"""A stored run in a temporary TensorBoard folder, read back: a folder per estimator and seed with its epoch
scalars, and its final metrics as hyperparameters and metrics for the HParams tab."""

import pytest

from fer_bench.tracking import open_tracker, track_run

from .support import HISTORY

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed: pip install 'fer_bench[tensorboard]'")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData  # noqa: E402


@pytest.fixture
def log_dir(stored_run, tmp_path):
    log_dir = tmp_path / "tensorboard"
    track_run(stored_run, open_tracker("tensorboard", stored_run, str(log_dir)))
    return log_dir


def events(folder):
    accumulator = EventAccumulator(str(folder))
    accumulator.Reload()
    return accumulator


def test_each_fit_that_has_something_to_show_gets_a_folder_in_the_run_s(log_dir):
    assert sorted(path.name for path in (log_dir / "stored").iterdir()) == ["svc_linear", "tiny_cnn", "tiny_cnn.seed1"]


def test_a_network_has_a_scalar_per_epoch_and_its_final_metrics(log_dir, stored_run):
    accumulator = events(log_dir / "stored" / "tiny_cnn.seed1")
    tags = set(accumulator.Tags()["scalars"])
    assert {"epoch/train_loss", "epoch/publictest_accuracy", "epoch/images_per_second",
            "final/privatetest_accuracy", "final/privatetest_accuracy_ci_low", "final/privatetest_accuracy_ci_high",
            "final/dedup_privatetest_accuracy", "final/fit_seconds"} <= tags
    assert [(event.step, pytest.approx(event.value)) for event in accumulator.Scalars("epoch/train_loss")] == \
        [(row["epoch"], row["train_loss"]) for row in HISTORY]


def test_the_hparams_tab_names_the_estimator_and_its_settings(log_dir):
    content = events(log_dir / "stored" / "tiny_cnn.seed1").PluginTagToContent("hparams")
    start = HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    assert start.hparams["estimator"].string_value == "tiny_cnn" and start.hparams["seed"].number_value == 1
    assert start.hparams["epochs"].number_value == 3 and start.hparams["budget.kind"].string_value == "recipe"
    assert start.hparams["patience"].string_value == "None"
