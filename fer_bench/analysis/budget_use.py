"""How much of its time budget a network spent, and which seeds are off it: what decides whether a network is
compared with the others (:mod:`.run`) and what the report marks (:mod:`fer_bench.report.budget`)."""

from __future__ import annotations

from typing import Any

from ..results import RunRecord

OFF_BUDGET = 0.05
"""A time-budgeted network whose budget seconds spent differ from its budget by more than this share is
marked, and left out of the significance verdicts: its training was not the length the others had."""


def budget_used(used: dict[str, Any]) -> float | None:
    """The share of its time budget a seed spent (``budget_used``; training wall seconds over the budget
    in stores from before the budget clock); None without a time budget."""
    if used.get("kind") != "time" or not used.get("time_budget"):
        return None
    if used.get("budget_used") is not None:
        return float(used["budget_used"])
    return float(used["train_seconds"]) / float(used["time_budget"])


def off_budget(records: list[RunRecord], seeds: list[int]) -> str | None:
    """Why a network's seeds (``records``, of ``seeds``) are not at their time budget: each seed whose
    :func:`budget_used` is more than :data:`OFF_BUDGET` away from it, e.g. ``seed 0 spent 41% of its
    300 s``; None when every seed is within (or there is no time budget)."""
    off = []
    for record, seed in zip(records, seeds):
        used = record.budget.get("used") or {}
        share = budget_used(used)
        if share is not None and abs(share - 1) > OFF_BUDGET:
            off.append(f"seed {seed} spent {share:.0%} of its {float(used['time_budget']):g} s")
    return "; ".join(off) or None
