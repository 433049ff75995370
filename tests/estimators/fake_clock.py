"""A fake clock for the training loop: each reading is a fixed time after the one before, so that a time
budget's plan does not depend on the machine's load."""

from itertools import count

from fer_bench.estimators.training import clock, loop


def fake_clock(monkeypatch, seconds_per_reading: float = 1.0) -> None:
    """Replace the wall time the training loop and the budget clock read (through ``monkeypatch``) by one
    series of readings 0, s, 2s, ..., and the threads' run-queue waits and the host's steal by none."""
    readings = count()
    monkeypatch.setattr(loop, "perf_counter", lambda: next(readings) * seconds_per_reading)
    monkeypatch.setattr(clock, "perf_counter", lambda: next(readings) * seconds_per_reading)
    monkeypatch.setattr(clock, "thread_times", lambda: {})
    monkeypatch.setattr(clock, "host_steal", lambda: 0.0)


class StepClock:
    """A budget clock driven by the trainer: each step adds its seconds; readings add nothing."""

    name = "fake"
    stolen_seconds = 0.0

    def __init__(self):
        self.now, self.running, self.spent = 0.0, False, 0.0

    def advance(self, seconds: float) -> None:
        self.now += seconds
        if self.running:
            self.spent += seconds

    def resume(self) -> None:
        self.running = True

    def pause(self) -> None:
        self.running = False

    def seconds(self) -> float:
        return self.spent

    def reached(self, mark: float) -> bool:
        return self.spent >= mark
