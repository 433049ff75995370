"""A fake clock for the training loop: each reading is a fixed time after the one before, so that a time
budget's plan does not depend on the machine's load."""

from itertools import count

from fer_bench.estimators import _training_loop


def fake_clock(monkeypatch, seconds_per_reading: float = 1.0) -> None:
    """Replace the training loop's ``perf_counter`` (through ``monkeypatch``) by readings 0, s, 2s, ..."""
    readings = count()
    monkeypatch.setattr(_training_loop, "perf_counter", lambda: next(readings) * seconds_per_reading)
