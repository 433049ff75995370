"""An estimator plugin for the runner's tests: while it fits, the run folder ``$FER_BENCH_TEST_LOCKOUT`` (when set)
stops taking writes (it is moved to ``<folder>.moved`` and a plain file takes its place, which blocks
every write as a read-only or unmounted folder would, also for root). It predicts the most frequent class."""

import os
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from fer_bench import register_estimator

LOCKOUT_ENV_VAR = "FER_BENCH_TEST_LOCKOUT"


class LockOutClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        if LOCKOUT_ENV_VAR in os.environ:  # only the test that sets it; other runs that see the plugin fit plainly
            folder = Path(os.environ[LOCKOUT_ENV_VAR])
            folder.rename(folder.with_name(folder.name + ".moved"))
            folder.write_text("not a folder any more")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@register_estimator("lockout", family="classical", framework="test", source="test: the run folder goes away in fit")
def lockout():
    return LockOutClassifier()
