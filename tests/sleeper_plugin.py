"""An estimator plugin for the runner's tests: it sleeps ``$FER_BENCH_TEST_SLEEP`` seconds in ``fit``,
then predicts the most frequent class."""

import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from fer_bench import register_estimator

SLEEP_ENV_VAR = "FER_BENCH_TEST_SLEEP"


class SleepingClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, seconds=0.0):
        self.seconds = seconds

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@register_estimator("sleeper", family="classical", framework="test", source="test: sleeps in fit")
def sleeper():
    return SleepingClassifier(seconds=float(os.environ.get(SLEEP_ENV_VAR, "0")))
