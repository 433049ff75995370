import logging

from fer_bench.estimators import EPOCH_LOGGER
from fer_bench.estimators.training.budget import StepPlan
from fer_bench.estimators.training.epoch_log import EpochLog

PLAN = StepPlan("epochs", steps=40, warmup_steps=0, steps_per_epoch=10)


def test_each_epoch_line_gives_loss_accuracy_throughput_and_the_time_left(caplog):
    written = []
    log = EpochLog("resnet9", write=written.append)
    with caplog.at_level(logging.INFO, logger=EPOCH_LOGGER.name):
        log.record(1.5, 0.25, 2.0, images=800, steps=10, plan=PLAN)
        log.record(1.25, None, 6.0, images=800, steps=10, plan=PLAN)
    assert written[0] == ("resnet9 epoch 1/4: loss 1.5000, PublicTest accuracy 0.2500, 400 images/s, 2.0 s, "
                          "elapsed 2.0 s, about 6 s left")
    assert written[1] == "resnet9 epoch 2/4: loss 1.2500, 133 images/s, 6.0 s, elapsed 8.0 s, about 8 s left"
    assert [record.getMessage() for record in caplog.records] == written
    assert (log.steps_run, log.images_run, log.seconds) == (20, 1600, 8.0)


def test_the_time_left_counts_the_planned_steps_of_a_partial_last_epoch():
    written = []
    log = EpochLog("resnet9", write=written.append)
    plan = StepPlan("time", steps=15, warmup_steps=5, steps_per_epoch=10, time_budget=3.0)
    log.record(1.0, 0.5, 2.0, images=800, steps=10, plan=plan)
    assert written[0].startswith("resnet9 epoch 1/2:") and written[0].endswith("about 1 s left")


def test_without_a_writer_the_lines_reach_the_logger_only(caplog):
    log = EpochLog("keras_cnn")
    with caplog.at_level(logging.INFO, logger=EPOCH_LOGGER.name):
        assert log.record(2.0, 0.5, 1.0, images=10, steps=1, plan=StepPlan("epochs", 1, 0, 1))
    assert caplog.records[0].getMessage().startswith("keras_cnn epoch 1/1: loss 2.0000")
