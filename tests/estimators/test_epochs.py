import logging

from fer_bench.estimators import EPOCH_LOGGER
from fer_bench.estimators._epochs import EpochLog


def test_each_epoch_line_gives_loss_accuracy_throughput_and_the_time_left(caplog):
    written = []
    log = EpochLog("resnet9", epochs=4, n_images=800, write=written.append)
    with caplog.at_level(logging.INFO, logger=EPOCH_LOGGER.name):
        log.record(1.5, 0.25, 2.0)
        log.record(1.25, None, 6.0)
    assert written[0] == ("resnet9 epoch 1/4: loss 1.5000, PublicTest accuracy 0.2500, 400 images/s, 2.0 s, "
                          "elapsed 2.0 s, about 6 s left")
    assert written[1] == "resnet9 epoch 2/4: loss 1.2500, 133 images/s, 6.0 s, elapsed 8.0 s, about 8 s left"
    assert [record.getMessage() for record in caplog.records] == written


def test_without_a_writer_the_lines_reach_the_logger_only(caplog):
    log = EpochLog("keras_cnn", epochs=1, n_images=10)
    with caplog.at_level(logging.INFO, logger=EPOCH_LOGGER.name):
        assert log.record(2.0, 0.5, 1.0)
    assert caplog.records[0].getMessage().startswith("keras_cnn epoch 1/1: loss 2.0000")
