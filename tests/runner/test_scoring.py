"""Scoring of each outcome: without the leaked faces, and a label-subset model on its own classes only."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import register_estimator
from fer_bench.profiles import load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark

from .support import WHOLE

FIVE = ("Angry", "Happy", "Sad", "Surprise", "Neutral")


def test_deduplicated_metrics_leave_out_private_faces_seen_in_training(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False)
    store = ResultsStore(tmp_path)
    leaked = store.load_leaked_mask()
    assert leaked.dtype == bool and np.flatnonzero(leaked).tolist() == [0, 1, 2, 3]  # rows 40..43 of the planted set
    predictions = store.load_predictions(record)
    kept = ~leaked
    from fer_bench.metrics import classification_metrics

    assert record.metrics_deduplicated == classification_metrics(predictions["y_true"][kept], predictions["y_pred"][kept],
                                                                  planted.class_names)
    assert record.metrics_deduplicated["n"] == 6 and record.metrics["n"] == 10
    manifest, _ = store.load()
    assert manifest["audit"] == {
        "private_total": 10, "private_exact": 2, "private_near_only": 2, "private_kept": 6,
        "public_exact": 1, "public_near_only": 1, "training_exact_groups": 2, "training_faces_in_groups": 4,
        "blank": 2, "label_conflict_groups": 2, "near_threshold": 4, "hash_method": "imagehash.phash(hash_size=8)",
        "blank_std": 2.0, "scored_private_total": 10, "scored_private_exact": 2, "scored_private_near_only": 2,
        "scored_private_kept": 6}
    assert manifest["cleaning"] == {"dedupe": None, "drop_blank": False, "dropped": {}}
    assert manifest["complete"] is True


def test_without_audit_there_are_no_deduplicated_metrics(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False, audit=False)
    assert record.metrics_deduplicated == {} and record.metrics["n"] == 10
    assert ResultsStore(tmp_path).load()[0]["audit"] is None and ResultsStore(tmp_path).load_leaked_mask() is None


class PixelLogisticRegression(LogisticRegression):
    """Logistic regression on flattened pixels; refuses labels outside the five-class subset."""

    def fit(self, X, y):
        assert set(np.unique(y)) == set(range(len(FIVE)))  # relabelled 0..4 by the runner
        return super().fit(X.reshape(len(X), -1) / 255.0, y)

    def predict_proba(self, X):
        return super().predict_proba(X.reshape(len(X), -1) / 255.0)


@pytest.fixture
def five_class_model(registry):
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
