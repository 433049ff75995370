"""Rows and cells of the report's tables: the leaderboard (with its seed and budget columns), the
significance matrices (exact McNemar of the first seeds; the probability of improvement over seeds) and
the published results beside this run's. No HTML here (see ``templates/report.html.j2``)."""

from __future__ import annotations

from typing import Any

from ..labels import FER2013_CLASSES
from ..analysis.run import ALPHA, EstimatorResult, SignificanceGroup
from .budget import at_common_budget, budget_exceptions, budget_text, used_text
from ..analysis.ensemble import DerivedEnsemble
from .published import PUBLISHED_RESULTS


def leaderboard_row(result: EstimatorResult, anchor: str, run_classes: list[str]) -> dict[str, Any]:
    """One estimator's leaderboard cells; metrics are means over its seeds (the values with one seed).

    ``not_common`` is True when its budget is not the common one, ``exceptions`` says how
    (:func:`.budget.budget_exceptions`); ``used`` what it trained (:func:`.budget.used_text`); ``claimed`` the
    accuracy a card's authors state (None for any other estimator, or a card that states none).
    """
    record = result.record
    accuracy, dedup_accuracy = result.accuracy_mean, result.seed_mean("accuracy", deduplicated=True)
    return {
        "derived": False, "result": result, "record": record, "anchor": anchor, "pretrained": record.family == "pretrained",
        "other_classes": result.class_names != run_classes, "accuracy": accuracy,
        "macro_f1": result.seed_mean("macro_f1"), "balanced_accuracy": result.seed_mean("balanced_accuracy"),
        "dedup_accuracy": dedup_accuracy, "dedup_n": (record.metrics_deduplicated or {}).get("n"),
        "dedup_change": dedup_accuracy - accuracy if dedup_accuracy is not None and accuracy is not None else None,
        "budget": budget_text(record.budget), "not_common": at_common_budget(record.budget) is False,
        "exceptions": budget_exceptions(record.budget), "used": used_text(result.seed_records),
        "claimed": (record.pretrained or {}).get("claimed_accuracy"),
    }


def with_ensemble_row(rows: list[dict[str, Any]], ensemble: DerivedEnsemble) -> list[dict[str, Any]]:
    """The leaderboard with the derived ensemble row placed by its PrivateTest accuracy (after equals)."""
    if not ensemble.built:
        return rows
    accuracy = ensemble.metrics["accuracy"]
    deduplicated = ensemble.metrics_deduplicated
    row = {"derived": True, "ensemble": ensemble, "dedup_accuracy": deduplicated.get("accuracy"),
           "dedup_n": deduplicated.get("n"),
           "dedup_change": deduplicated["accuracy"] - accuracy if deduplicated else None}
    position = next((index for index, other in enumerate(rows) if (other["accuracy"] or 0) < accuracy), len(rows))
    return rows[:position] + [row] + rows[position:]


def significance_table(group: SignificanceGroup, anchors: dict[int, str]) -> dict[str, Any]:
    """Cells of a group's McNemar matrix (Holm-adjusted p and which of row and column gets more faces right)
    and, with seeds, of its probability-of-improvement matrix (``P(row > column)``, interval, verdict).

    ``mcnemar_seeds`` is the one seed every member's first seed shares, None when they differ.
    """
    rows = []
    for i, row_member in enumerate(group.members):
        cells, improvements = [], []
        for j in range(len(group.members)):
            if i == j:
                cells.append(None)
                improvements.append(None)
                continue
            wins, losses = int(group.only_right[i, j]), int(group.only_right[j, i])
            p_holm = float(group.p_holm[i, j])
            cells.append({"wins": wins, "losses": losses, "p_holm": p_holm, "p_value": float(group.p_value[i, j]),
                          "significant": p_holm < ALPHA,
                          "direction": "better" if wins > losses else "worse" if wins < losses else "even"})
            improvements.append(group.improvement[i][j] if group.improvement is not None else None)
        rows.append({"result": row_member, "anchor": anchors[id(row_member)], "cells": cells,
                     "improvements": improvements})
    members = group.members
    first_seeds = {member.seeds[0] for member in members}
    pairings = sorted({test.pairing for row in group.improvement or () for test in row if test is not None})
    return {"members": members, "rows": rows, "n_pairs": group.n_pairs,
            "n_faces": len(members[0].predictions["y_true"]), "class_names": members[0].class_names,
            "seeded": group.improvement is not None, "pairings": pairings,
            "mcnemar_seed": first_seeds.pop() if len(first_seeds) == 1 else None,
            "n_seeds": sorted({len(member.resampled_seeds) for member in members})}


def field_rows(results: list[EstimatorResult], anchors: dict[int, str]) -> list[dict[str, Any]]:
    """Published results and this run's (mean PrivateTest accuracy over seeds), best first."""
    rows = [{"method": entry.method, "accuracy": entry.accuracy, "kind": entry.kind, "citation": entry.citation,
             "note": entry.note, "anchor": None} for entry in PUBLISHED_RESULTS]
    rows += [{"method": result.name, "accuracy": result.accuracy_mean,
              "kind": "this run" if result.n_seeds == 1 else f"this run, mean of {result.n_seeds} seeds",
              "citation": f"{result.record.family}, {result.record.framework}; {result.record.source}",
              "note": claimed_note(result.record.pretrained), "anchor": anchors[id(result)]}
             for result in results if tuple(result.class_names) == FER2013_CLASSES]
    return sorted(rows, key=lambda row: -(row["accuracy"] or 0))


def claimed_note(pretrained: dict[str, Any] | None) -> str:
    """What a card says of its model beside the accuracy measured here: its training data and the authors'
    claimed accuracy; "" for an estimator without a card."""
    if not pretrained:
        return ""
    note = f"pretrained elsewhere on {pretrained.get('trained_on')}"
    claimed = pretrained.get("claimed_accuracy")
    if claimed is not None:
        note += f"; the authors claim {100 * claimed:.1f}%" + (f" on {pretrained['claimed_on']}"
                                                             if pretrained.get("claimed_on") else "")
    return note + "."
