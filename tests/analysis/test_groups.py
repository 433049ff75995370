import numpy as np
import pytest
from scipy.stats import chi2_contingency

from fer_bench.analysis.groups import group_metrics, difference_line


def test_per_group_metrics_on_a_constructed_case():
    # children: 8 of 10 right; adults: 15 of 30 right; two classes
    y_true = np.array([0] * 5 + [1] * 5 + [0] * 15 + [1] * 15)
    y_pred = np.concatenate([[0, 0, 0, 0, 1], [1, 1, 1, 1, 0], [0] * 15, [0] * 15])
    groups = np.array(["child"] * 10 + ["adult"] * 30)
    result = group_metrics(y_true, y_pred, groups, ("a", "b"), min_group_size=5)
    child, adult = result["groups"]["child"], result["groups"]["adult"]
    assert child["n"] == 10 and child["accuracy"] == pytest.approx(0.8)
    assert child["macro_f1"] == pytest.approx(0.8)  # precision = recall = 0.8 in both classes
    assert adult["accuracy"] == pytest.approx(0.5)
    assert adult["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)  # class a: P 0.5 R 1; class b never predicted
    assert child["accuracy_ci"][0] <= 0.8 <= child["accuracy_ci"][1]
    expected = chi2_contingency(np.array([[15, 15], [8, 2]]))  # groups sorted: adult, child
    assert result["test"]["p_value"] == pytest.approx(expected.pvalue)
    assert result["test"]["groups"] == ["adult", "child"] and "fisher_p_value" in result["test"]
    assert "chi-squared" in difference_line(result)


def test_small_group_is_reported_warned_and_left_out_of_the_test():
    y = np.zeros(30, dtype=int)
    groups = np.array(["adult"] * 27 + ["child"] * 3)
    with pytest.warns(UserWarning, match=r"child \(3 faces\) have fewer than 20"):
        result = group_metrics(y, y, groups, ("a", "b"))
    assert result["groups"]["child"]["small"] and result["test"] is None


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="expected one each"):
        group_metrics([0, 1], [0, 1], ["a"], ("a", "b"))
