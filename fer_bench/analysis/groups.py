"""Accuracy per subgroup of faces (children and adults, say) and a test of the difference.

For each group: accuracy, macro-F1 (over the run's classes), percentile
bootstrap intervals of both (:func:`fer_bench.analysis.metrics.bootstrap_ci`) and the
face count. Whether accuracy differs between groups is tested with **Pearson's
chi-squared test of independence** of the 2 x G table (correct / wrong x group)
(Pearson, 1900, *Philosophical Magazine* 50(302):157-175; see Agresti, 2013,
*Categorical Data Analysis*, 3rd ed., section 3.2), via
``scipy.stats.chi2_contingency`` (no continuity correction for G > 2; Yates'
for 2 x 2, scipy's default). With an expected cell count below 5 the
chi-squared approximation is poor: the result then carries a note, and for two
groups Fisher's exact test (Fisher, 1922, *J. R. Stat. Soc.* 85(1):87-94) is
given as well.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from .metrics import bootstrap_ci, classification_metrics

DEFAULT_MIN_GROUP_SIZE = 20
"""Groups with fewer faces are reported but left out of the test, with a warning."""
TEST_METHOD = "Pearson's chi-squared test of independence, correct/wrong x group (Pearson 1900)"


def group_metrics(y_true: Any, y_pred: Any, groups: Any, class_names: Sequence[str],
                  min_group_size: int = DEFAULT_MIN_GROUP_SIZE, n_resamples: int = 1000, seed: int = 0
                  ) -> dict[str, Any]:
    """Metrics per group and a test of their difference.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n,)
        True and predicted class indices.
    groups : array-like of str, shape (n,)
        Each face's group.
    class_names : sequence of str
        The classes (macro-F1 averages over all of them).
    min_group_size : int
        Groups with fewer faces get ``"small": True``, a warning naming them,
        and stay out of the test.
    n_resamples, seed : int
        Of the bootstrap intervals (95 %).

    Returns
    -------
    dict
        ``groups``: ``{name: {"n", "accuracy", "accuracy_ci", "macro_f1",
        "macro_f1_ci", "small"}}`` (groups sorted by name); ``test``:
        ``{"method", "statistic", "dof", "p_value", "groups", "note"[, "fisher_p_value"]}``
        or None when fewer than two groups are big enough.

    Raises
    ------
    ValueError
        If the arrays differ in length or the labels are invalid.
    """
    from scipy.stats import chi2_contingency, fisher_exact

    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups).astype(str)
    if not len(y_true) == len(y_pred) == len(groups):
        raise ValueError(f"{len(y_true)} labels, {len(y_pred)} predictions and {len(groups)} groups: expected one each")
    k = len(class_names)
    table: dict[str, Any] = {}
    for name in sorted(np.unique(groups)):
        member = groups == name
        with warnings.catch_warnings():  # a small group may miss classes: their F1 counts 0, as in the run's macro-F1
            warnings.simplefilter("ignore")
            metrics = classification_metrics(y_true[member], y_pred[member], class_names)
        table[name] = {"n": int(member.sum()), "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
                       "accuracy_ci": list(bootstrap_ci(y_true[member], y_pred[member], "accuracy", n_resamples,
                                                        seed=seed, n_classes=k)),
                       "macro_f1_ci": list(bootstrap_ci(y_true[member], y_pred[member], "macro_f1", n_resamples,
                                                        seed=seed, n_classes=k)),
                       "small": bool(member.sum() < min_group_size)}
    small = [name for name, row in table.items() if row["small"]]
    if small:
        named = ", ".join(f"{name} ({table[name]['n']} faces)" for name in small)
        warnings.warn(f"group(s) {named} have fewer "
                      f"than {min_group_size} faces: reported, left out of the test", UserWarning, stacklevel=2)
    tested = [name for name in table if not table[name]["small"]]
    test = None
    if len(tested) >= 2:
        correct = y_true == y_pred
        counts = np.array([[int(correct[groups == name].sum()), int((~correct[groups == name]).sum())] for name in tested])
        if (counts.sum(axis=0) == 0).any():  # every face right (or every face wrong): nothing differs
            test = {"method": TEST_METHOD, "statistic": 0.0, "dof": len(tested) - 1, "p_value": 1.0,
                    "groups": tested, "note": "every tested face is right (or every one wrong)"}
        else:
            result = chi2_contingency(counts)
            test = {"method": TEST_METHOD, "statistic": float(result.statistic), "dof": int(result.dof),
                    "p_value": float(result.pvalue), "groups": tested, "note": ""}
            if (result.expected_freq < 5).any():
                test["note"] = "an expected count is below 5: the chi-squared approximation is rough"
            if len(tested) == 2:
                test["fisher_p_value"] = float(fisher_exact(counts).pvalue)
    return {"groups": table, "test": test, "min_group_size": min_group_size}


def format_group_table(result: dict[str, Any]) -> str:
    """The per-group table and the test as plain-text lines."""
    lines = [f"{'group':<16} {'faces':>6} {'accuracy':>9} {'95% CI':>17} {'macro-F1':>9}"]
    for name, row in result["groups"].items():
        low, high = row["accuracy_ci"]
        lines.append(f"{name:<16} {row['n']:>6,} {row['accuracy']:>9.2%} {f'{low:.1%}..{high:.1%}':>17} "
                     f"{row['macro_f1']:>9.2%}" + ("  (small)" if row["small"] else ""))
    lines.append(difference_line(result))
    return "\n".join(lines)


def difference_line(result: dict[str, Any]) -> str:
    """The test of :func:`group_metrics`'s result in one sentence."""
    test = result["test"]
    if test is None:
        return f"No test: fewer than two groups with at least {result['min_group_size']} faces."
    return (f"{test['method']} over {', '.join(test['groups'])}: chi2 = {test['statistic']:.2f}, dof {test['dof']}, "
            f"p = {test['p_value']:.3g}"
            + (f"; Fisher's exact p = {test['fisher_p_value']:.3g}" if "fisher_p_value" in test else "")
            + (f" ({test['note']})" if test["note"] else "") + ".")
