"""Estimator plugins for the runner's tests (loaded as a ``--plugin`` file); all predict the most frequent class.

- ``sleeper`` and ``other_sleeper`` sleep ``$FER_BENCH_TEST_SLEEP`` seconds in ``fit`` (or their ``seconds``);
- ``lockout``: while it fits, the run folder ``$FER_BENCH_TEST_LOCKOUT`` (when set) stops taking writes (it is
  moved to ``<folder>.moved`` and a plain file takes its place, which blocks every write as a read-only or
  unmounted folder would, also for root).
"""

import os
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from fer_bench import register_estimator

SLEEP_ENV_VAR = "FER_BENCH_TEST_SLEEP"
LOCKOUT_ENV_VAR = "FER_BENCH_TEST_LOCKOUT"


class MajorityClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the most frequent Training class, after :meth:`while_fitting`."""

    def while_fitting(self):
        pass

    def fit(self, X, y):
        self.while_fitting()
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class SleepingClassifier(MajorityClassifier):
    def __init__(self, seconds=0.0):
        self.seconds = seconds

    def while_fitting(self):
        time.sleep(self.seconds)


class LockOutClassifier(MajorityClassifier):
    def while_fitting(self):
        if LOCKOUT_ENV_VAR in os.environ:  # only the test that sets it; other runs that see the plugin fit plainly
            folder = Path(os.environ[LOCKOUT_ENV_VAR])
            folder.rename(folder.with_name(folder.name + ".moved"))
            folder.write_text("not a folder any more")


@register_estimator("sleeper", family="classical", framework="test", source="test: sleeps in fit")
def sleeper():
    return SleepingClassifier(seconds=float(os.environ.get(SLEEP_ENV_VAR, "0")))


@register_estimator("other_sleeper", family="classical", framework="test", source="test: sleeps in fit")
def other_sleeper():
    return SleepingClassifier(seconds=float(os.environ.get(SLEEP_ENV_VAR, "0")))


@register_estimator("lockout", family="classical", framework="test", source="test: the run folder goes away in fit")
def lockout():
    return LockOutClassifier()
