"""The runner's label-subset hook: a model of five classes trains and scores on those classes only."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import _registry
from fer_bench.estimators._registry import available_estimators, register_estimator
from fer_bench.profiles import load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark

FIVE = ("Angry", "Happy", "Sad", "Surprise", "Neutral")


class PixelLogisticRegression(LogisticRegression):
    """Logistic regression on flattened pixels; refuses labels outside the five-class subset."""

    def fit(self, X, y):
        assert set(np.unique(y)) == set(range(len(FIVE)))  # relabelled 0..4 by the runner
        return super().fit(X.reshape(len(X), -1) / 255.0, y)

    def predict_proba(self, X):
        return super().predict_proba(X.reshape(len(X), -1) / 255.0)


@pytest.fixture
def five_class_model(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))
    register_estimator("five_class", family="classical", framework="sklearn", source="test",
                       classes=FIVE)(lambda: PixelLogisticRegression(max_iter=50))
    return "five_class"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_label_subset_model_sees_and_is_scored_on_its_classes_only(tmp_path, five_class_model):
    dataset = make_synthetic()
    (record,) = run_benchmark([five_class_model], dataset, load_profile("smoke"), tmp_path, progress=False)
    assert record.status == "ok", record.error
    assert record.class_names == list(FIVE)
    predictions = ResultsStore(tmp_path).load_predictions(record)
    assert set(np.unique(predictions["y_true"])) <= set(range(5))
    assert predictions["scores"].shape[1] == 5
    smoke_private_test = load_profile("smoke").data["PrivateTest"]
    assert 0 < record.test_images == record.metrics["n"] < smoke_private_test  # Disgust and Fear faces left out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_label_subset_model_stores_its_own_publictest_labels(tmp_path, five_class_model):
    dataset = make_synthetic()
    (record,) = run_benchmark([five_class_model], dataset, load_profile("smoke"), tmp_path, progress=False)
    predictions = ResultsStore(tmp_path).load_predictions(record)
    public_labels = dataset.split("PublicTest")[1]
    assert 0 < len(predictions["public_y_true"]) < np.isin(public_labels, range(7)).sum()  # its classes' faces only
    assert set(np.unique(predictions["public_y_true"])) == set(range(5))  # relabelled as it was trained
    assert predictions["public_scores"].shape == (len(predictions["public_y_true"]), 5)
