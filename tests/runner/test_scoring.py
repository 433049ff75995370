"""Scoring of each outcome: without the leaked faces, and a label-subset model on its own classes only."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import register_estimator
from fer_bench.profiles import load_profile
from fer_bench.results import Cleaning, ResultsStore, RunRecord
from fer_bench.runner import FitOutcome, run_benchmark
from fer_bench.runner.scoring import score_outcome

from .support import WHOLE

FIVE = ("Angry", "Happy", "Sad", "Surprise", "Neutral")


def test_deduplicated_metrics_leave_out_private_faces_seen_in_training(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False)
    store = ResultsStore(tmp_path)
    leaked = store.load_leaked_mask()
    assert leaked.dtype == bool and np.flatnonzero(leaked).tolist() == [0, 1, 2, 3]  # rows 40..43 of the planted set
    predictions = store.load_predictions(record)
    kept = ~leaked
    from fer_bench.analysis.metrics import classification_metrics

    assert record.metrics_deduplicated == classification_metrics(predictions["y_true"][kept], predictions["y_pred"][kept],
                                                                  planted.class_names)
    assert record.metrics_deduplicated["n"] == 6 and record.metrics["n"] == 10
    manifest, _ = store.load()
    assert manifest.audit == {
        "private_total": 10, "private_exact": 2, "private_near_only": 2, "private_kept": 6,
        "public_exact": 1, "public_near_only": 1, "training_exact_groups": 2, "training_faces_in_groups": 4,
        "blank": 2, "label_conflict_groups": 2, "near_threshold": 4, "hash_method": "imagehash.phash(hash_size=8)",
        "blank_std": 2.0, "scored_private_total": 10, "scored_private_exact": 2, "scored_private_near_only": 2,
        "scored_private_kept": 6}
    assert manifest.cleaning == Cleaning(None, False, {})
    assert manifest.complete is True


def test_without_audit_there_are_no_deduplicated_metrics(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False, audit=False)
    assert record.metrics_deduplicated == {} and record.metrics["n"] == 10
    assert ResultsStore(tmp_path).load()[0].audit is None and ResultsStore(tmp_path).load_leaked_mask() is None


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


def _outcome(**arrays):
    record = RunRecord(name="nan_model", family="classical", framework="test", source="test", seed=0)
    return FitOutcome(record, np.array([0, 1, 1, 0]), **arrays)


PROBABILITIES = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [1.0, 0.0]], dtype=np.float32)


@pytest.mark.parametrize("key, row, what", [
    ("scores", [np.nan, np.nan], "PrivateTest probabilities are NaN or outside [0, 1] for 1 of 4 faces"),
    ("scores", [np.inf, 0.0], "PrivateTest probabilities are NaN or outside [0, 1]"),
    ("scores", [1.5, -0.5], "PrivateTest probabilities are NaN or outside [0, 1]"),
    ("public_scores", [0.5, np.nan], "PublicTest probabilities are NaN or outside [0, 1]"),
    ("decision", [np.nan, 1.0], "PrivateTest decision values are NaN for 1 of 4 faces"),
    ("public_decision", [np.nan, 1.0], "PublicTest decision values are NaN"),
])
def test_nan_probabilities_or_decision_values_fail_the_estimator_naming_it(key, row, what):
    values = PROBABILITIES.copy()
    values[2] = row
    record, _ = score_outcome(_outcome(**{key: values}), np.array([0, 1, 1, 0]), None, ("a", "b"))
    assert record.status == "failed" and record.metrics == {}
    assert record.error.startswith(f"nan_model: its {what}")


def test_finite_probabilities_and_unseen_classes_decision_values_are_scored():
    decision = np.array([[1.0, -np.inf]] * 4, dtype=np.float32)  # -inf: a class the model never saw
    record, _ = score_outcome(_outcome(scores=PROBABILITIES, decision=decision), np.array([0, 1, 1, 0]), None, ("a", "b"))
    assert record.status == "ok" and record.metrics["accuracy"] == 1.0


class NanProbabilities(PixelLogisticRegression):
    def fit(self, X, y):
        return LogisticRegression.fit(self, X.reshape(len(X), -1) / 255.0, y)

    def predict_proba(self, X):
        proba = super().predict_proba(X)
        proba[::2] = np.nan
        return proba


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_model_with_nan_probabilities_is_a_failed_record_and_no_gallery_of_nan(tmp_path, planted, registry):
    from fer_bench.report import render_report

    register_estimator("nan_model", family="classical", framework="test", source="test")(lambda: NanProbabilities())
    knn, nan_model = run_benchmark(["knn", "nan_model"], planted, WHOLE, tmp_path, progress=False)
    assert knn.status == "ok" and nan_model.status == "failed" and nan_model.predictions_file is None
    assert nan_model.error.startswith("nan_model: its PrivateTest probabilities are NaN")
    assert "nan%" not in render_report(tmp_path).read_text()
