import json

import numpy as np
import pytest
from sklearn.metrics import f1_score

from fer_bench.analysis.metrics import (bootstrap_ci, calibration, classification_metrics, holm, mcnemar_exact, pairwise_mcnemar,
                               pareto_optimal, report_averages, two_proportion_test)

NAMES = ("a", "b", "c")


def test_accuracy_and_confusion_matrix_have_true_labels_on_rows():
    # true: a a b b ; predicted: a b b b  -> one "a" face predicted as "b"
    metrics = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], NAMES)
    assert metrics["n"] == 4
    assert metrics["accuracy"] == pytest.approx(0.75)
    assert metrics["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]
    assert metrics["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert metrics["per_class"]["b"]["precision"] == pytest.approx(2 / 3)
    assert metrics["balanced_accuracy"] == pytest.approx(0.75)  # mean recall over the classes present: (0.5 + 1) / 2


def test_macro_f1_counts_an_absent_class_as_zero():
    metrics = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], NAMES)
    # F1: a 2/3, b 4/5, c (no true, no predicted faces) 0
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 4 / 5 + 0) / 3)
    assert metrics["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_metrics_are_json_safe_plain_python():
    metrics = classification_metrics(np.array([0, 2, 1]), np.array([0, 2, 2]), NAMES)
    assert json.loads(json.dumps(metrics)) == metrics
    assert type(metrics["confusion_matrix"][0][0]) is int and type(metrics["accuracy"]) is float


@pytest.mark.parametrize("y_true, y_pred", [([], []), ([0, 1], [0]), ([0, 3], [0, 1])])
def test_invalid_labels_are_refused(y_true, y_pred):
    with pytest.raises(ValueError):
        classification_metrics(y_true, y_pred, NAMES)


def test_report_averages_are_macro_and_support_weighted():
    per_class = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], NAMES)["per_class"]
    averages = report_averages(per_class)
    assert averages["macro avg"]["recall"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert averages["weighted avg"]["recall"] == pytest.approx(0.75)
    assert averages["macro avg"]["support"] == averages["weighted avg"]["support"] == 4


def _noisy_predictions(n, accuracy=0.7, k=7, seed=1):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    wrong = rng.random(n) > accuracy
    return y_true, np.where(wrong, rng.integers(0, k, n), y_true)


@pytest.mark.parametrize("metric", ["accuracy", "macro_f1"])
def test_bootstrap_ci_contains_the_estimate_and_narrows_with_n(metric):
    widths = []
    for n in (200, 5000):
        y_true, y_pred = _noisy_predictions(n)
        point = classification_metrics(y_true, y_pred, [str(k) for k in range(7)])[metric]
        low, high = bootstrap_ci(y_true, y_pred, metric=metric, n_classes=7)
        assert low <= point <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 3  # the width shrinks as 1/sqrt(n): sqrt(25) = 5


def test_bootstrap_ci_is_seeded_and_widens_with_confidence():
    y_true, y_pred = _noisy_predictions(500)
    assert bootstrap_ci(y_true, y_pred, seed=3) == bootstrap_ci(y_true, y_pred, seed=3)
    low_90, high_90 = bootstrap_ci(y_true, y_pred, confidence=0.90)
    low_99, high_99 = bootstrap_ci(y_true, y_pred, confidence=0.99)
    assert low_99 < low_90 and high_90 < high_99


def test_bootstrap_macro_f1_agrees_with_index_resampling():
    y_true, y_pred = _noisy_predictions(300, seed=4)
    rng = np.random.default_rng(0)
    indices = rng.integers(0, len(y_true), (1000, len(y_true)))
    reference = [f1_score(y_true[i], y_pred[i], labels=range(7), average="macro", zero_division=0) for i in indices]
    low, high = bootstrap_ci(y_true, y_pred, metric="macro_f1", n_resamples=2000, n_classes=7)
    ref_low, ref_high = np.quantile(reference, [0.025, 0.975])
    assert low == pytest.approx(ref_low, abs=0.02) and high == pytest.approx(ref_high, abs=0.02)


def test_bootstrap_refuses_unknown_metric():
    with pytest.raises(ValueError, match="metric"):
        bootstrap_ci([0, 1], [0, 1], metric="recall")


def test_mcnemar_exact_on_a_known_case():
    # b = 1 face only A gets right, c = 9 faces only B gets right, 5 both right, 3 both wrong
    y_true = np.zeros(18, dtype=int)
    pred_a = np.array([0] * 1 + [1] * 9 + [0] * 5 + [2] * 3)
    pred_b = np.array([1] * 1 + [0] * 9 + [0] * 5 + [2] * 3)
    result = mcnemar_exact(y_true, pred_a, pred_b)
    assert (result["b"], result["c"]) == (1, 9)
    assert result["p_value"] == pytest.approx(2 * 11 / 1024)  # 2 P(X <= 1), X ~ Bin(10, 1/2) = 0.0215


def test_mcnemar_without_discordant_pairs_is_one():
    assert mcnemar_exact([0, 1], [0, 1], [0, 1]) == {"b": 0, "c": 0, "p_value": 1.0}


def test_holm_on_a_known_vector():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm([0.5, 0.9]), [1.0, 1.0])
    assert holm([]).shape == (0,)


def test_pairwise_mcnemar_agrees_with_each_pairwise_test_and_holm():
    y_true, a = _noisy_predictions(300, accuracy=0.7, seed=1)
    b = np.where(np.random.default_rng(2).random(300) < 0.1, (a + 1) % 7, a)
    c = _noisy_predictions(300, accuracy=0.3, seed=1)[1]
    result = pairwise_mcnemar(y_true, [a, b, c])
    pairs = [(0, 1), (0, 2), (1, 2)]
    expected = [mcnemar_exact(y_true, [a, b, c][i], [a, b, c][j]) for i, j in pairs]
    for (i, j), test in zip(pairs, expected):
        assert (result["only_right"][i, j], result["only_right"][j, i]) == (test["b"], test["c"])
        assert result["p_value"][i, j] == pytest.approx(test["p_value"]) == result["p_value"][j, i]
    np.testing.assert_allclose([result["p_holm"][i, j] for i, j in pairs], holm([test["p_value"] for test in expected]))
    assert np.isnan(np.diag(result["p_value"])).all() and np.isnan(np.diag(result["p_holm"])).all()


def test_two_proportion_test_on_a_known_case():
    # 60/100 vs 70/100: pooled 0.65, se = sqrt(0.65 * 0.35 * 0.02) = 0.06745, z = 1.4825, p = 0.1382
    result = two_proportion_test(60, 100, 70, 100)
    assert result["z"] == pytest.approx(1.4825, abs=1e-4) and result["p_value"] == pytest.approx(0.1382, abs=1e-4)
    assert two_proportion_test(10, 10, 5, 5) == {"z": 0.0, "p_value": 1.0}
    with pytest.raises(ValueError, match="run B"):
        two_proportion_test(1, 10, 6, 5)


def test_calibration_of_a_known_case():
    # two faces at confidence 0.9 (one right), two at 0.6 (both right): ECE = (2 * 0.4 + 2 * 0.4) / 4 = 0.4
    y_true = np.array([0, 1, 0, 1])
    scores = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]])
    result = calibration(y_true, scores, n_bins=10)
    assert result["ece"] == pytest.approx(0.4)
    filled = [entry for entry in result["bins"] if entry["count"]]
    assert [(entry["count"], entry["accuracy"]) for entry in filled] == [(2, 1.0), (2, 0.5)]
    assert filled[1]["confidence"] == pytest.approx(0.9) and len(result["bins"]) == 10
    assert calibration([0, 1], [[1.0, 0.0], [0.0, 1.0]])["ece"] == 0.0  # confidence 1 falls in the last bin
    with pytest.raises(ValueError):
        calibration([0, 1], [0.5, 0.5])


def test_pareto_optimal_points():
    #                 fast+poor  slow+good  dominated  tie of the first
    costs, values = [1.0, 10.0, 20.0, 1.0], [0.4, 0.7, 0.5, 0.4]
    assert pareto_optimal(costs, values).tolist() == [True, True, False, True]
