import logging

from fer_bench.estimators import EPOCH_LOGGER, PROGRESS_LOGGER
from fer_bench.estimators._progress import WorkProgress


def test_lines_say_what_how_far_and_the_time_left_at_most_every_interval(caplog, monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 30.0, 31.0])
    monkeypatch.setattr("fer_bench.estimators._progress.time.perf_counter", lambda: next(clock))
    progress = WorkProgress("SVM (rbf kernel, pixels)", total=4, unit="class pairs fitted", min_interval=10.0)
    with caplog.at_level(logging.INFO, logger=PROGRESS_LOGGER.name):
        for _ in range(4):
            progress.advance()
    assert [record.getMessage() for record in caplog.records] == [
        "SVM (rbf kernel, pixels): 1/4 class pairs fitted, elapsed 1.0 s, about 3 s left",  # the first part
        "SVM (rbf kernel, pixels): 3/4 class pairs fitted, elapsed 30.0 s, about 10 s left",  # 10 s after it
        "SVM (rbf kernel, pixels): 4/4 class pairs fitted, elapsed 31.0 s, about 0 s left"]  # the last part


def test_the_epoch_lines_reach_the_progress_logger_s_handlers():
    assert EPOCH_LOGGER.parent is PROGRESS_LOGGER
