"""A session logs each record as the run stores it, then the rest and the report; a tracker that fails during
a run is said once and never stops the run."""

import pytest

from fer_bench.results import ResultsStore
from fer_bench.tracking import TrackingSession, track_run

from .support import FakeTracker


ALL_FITS = [("log_fit", ("tiny_cnn", 0)), ("log_fit", ("tiny_cnn", 1)), ("log_fit", ("svc_linear", 0)),
            ("log_fit", ("broken", 0))]


def test_records_logged_during_the_run_are_not_logged_again_at_its_end(stored_run):
    tracker = FakeTracker()
    svc = next(record for record in ResultsStore(stored_run).load()[1] if record.name == "svc_linear")
    with TrackingSession(tracker, stored_run) as session:
        session.fit_stored(svc)
        assert tracker.calls == [("connect",), ("start_run", "stored"), ("log_fit", ("svc_linear", 0))]
    assert tracker.calls[3:] == [call for call in ALL_FITS if call[1] != ("svc_linear", 0)] + \
        [("end_run", ["report.html", "results.csv", "results.json"], "FINISHED")]
    assert (session.logged, session.run_id, session.failed) == (4, "parent-id", False)


def test_a_stored_run_is_logged_whole(stored_run):
    tracker = FakeTracker()
    session = track_run(stored_run, tracker)
    assert tracker.calls == [("connect",), ("start_run", "stored"), *ALL_FITS,
                             ("end_run", ["report.html", "results.csv", "results.json"], "FINISHED")]
    assert session.logged == 4


def test_a_tracker_failing_during_a_run_is_said_once_and_not_called_again(stored_run, capsys):
    tracker = FakeTracker(failing="log_fit")
    records = ResultsStore(stored_run).load()[1]
    with TrackingSession(tracker, stored_run, tolerant=True, retry_hint="python -m fer_bench track RUN") as session:
        for record in records:
            session.fit_stored(record)
    assert [call[0] for call in tracker.calls] == ["connect", "start_run", "log_fit"]
    assert session.failed and session.logged == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ("warning: tracking to the fake tracker stopped (OSError: log_fit: attempt to write a readonly "
                    "database); the run goes on without it; log the run afterwards with: python -m fer_bench track RUN")


def test_outside_a_run_a_tracker_s_failure_is_raised(stored_run):
    with pytest.raises(OSError, match="readonly database"):
        track_run(stored_run, FakeTracker(failing="end_run"))


def test_a_tracker_that_cannot_be_opened_fails_before_the_run_naming_where(stored_run):
    with pytest.raises(ValueError, match=r"^cannot track to the fake tracker: OSError: connect: attempt to write"):
        with TrackingSession(FakeTracker(failing="connect"), stored_run, tolerant=True):
            raise AssertionError("the block must not run")


@pytest.mark.parametrize("stop, status", [(RuntimeError("the run failed"), "FAILED"), (KeyboardInterrupt(), "KILLED")])
def test_a_run_that_stops_ends_its_tracked_run_so_without_logging_more(stored_run, stop, status):
    tracker = FakeTracker()
    svc = next(record for record in ResultsStore(stored_run).load()[1] if record.name == "svc_linear")
    with pytest.raises(type(stop)):
        with TrackingSession(tracker, stored_run, tolerant=True) as session:
            session.fit_stored(svc)
            raise stop
    assert tracker.calls[-2:] == [("log_fit", ("svc_linear", 0)), ("end_run", None, status)]


def test_a_missing_run_is_refused_before_the_tracker_is_opened(tmp_path):
    tracker = FakeTracker()
    with pytest.raises(FileNotFoundError, match="no results.json"):
        track_run(tmp_path, tracker)
    assert tracker.calls == []
