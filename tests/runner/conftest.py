"""Fixtures of the runner's tests: the synthetic and planted data sets, and a registry of the test's own."""

import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import _registry, available_estimators, load_plugin, register_estimator

from .support import SLEEPER


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic()


@pytest.fixture(scope="module")
def planted():
    from tests.datasets.planted import planted_dataset

    return planted_dataset()


@pytest.fixture
def registry(monkeypatch):
    """A copy of the estimator registry: what the test registers goes with it."""
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))


@pytest.fixture
def sleeper(registry):
    load_plugin(SLEEPER)
    return "sleeper"


class ExplodingClassifier:
    def get_params(self, deep=True):
        return {}

    def fit(self, X, y):
        raise RuntimeError("planted failure")


@pytest.fixture
def exploding(registry):
    register_estimator("exploding", family="classical", framework="test", source="test")(lambda: ExplodingClassifier())
    return "exploding"
