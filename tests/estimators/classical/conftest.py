"""Fixtures of the classical estimators' tests: a private cache folder, synthetic faces."""

import pytest

from fer_bench.datasets.synthetic import make_synthetic


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    """``FER_BENCH_CACHE_DIR`` in the test's own folder (the BoVW words and vocabulary are cached there)."""
    monkeypatch.setenv("FER_BENCH_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def synthetic():
    dataset = make_synthetic(n_per_class=40, seed=0)
    return dataset.split("Training"), dataset.split("PrivateTest")
