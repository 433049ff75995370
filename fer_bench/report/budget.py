"""The training budget, as the report, ``results.csv`` and the comparison say it.

A network's ``record.budget`` (see :class:`fer_bench.results.RunRecord`) holds ``kind`` (``recipe``:
every network the same epochs, batch, optimiser, schedule, augmentation, label smoothing and TTA;
``time``: ``minutes`` each on this machine), ``common`` (False when the profile overrides a budget
setting for it, ``overrides``, or it cannot follow one, ``not_followed``) and ``used`` (its
``budget_``: ``epochs_run``, ``steps_run``, ``train_seconds``, ``shorter_than_one_epoch``, ...).
Classical estimators have an empty budget.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..analysis.budget_use import OFF_BUDGET, budget_used
from ..results import RunManifest, RunRecord
from .templating import format_number

CLOCKS = {"own": "the network's own clock (wall time less the time its compute threads waited for a CPU that other "
                 "programs held and less what a virtual machine's host took, so that neither shortens its training; "
                 "synchronised wall time on a GPU)",
          "wall": "the wall clock"}

RECIPE = ("every network trains with the same epochs, batch size, optimiser, learning-rate schedule, "
          "augmentation, label smoothing and test-time augmentation")


def _minutes(value: Any) -> str:
    return f"{float(value):g}"


def budget_text(budget: dict[str, Any]) -> str:
    """``time 5 min``, ``recipe``, or ``""`` for an empty budget (classical estimators, older stores)."""
    if not budget:
        return ""
    if budget.get("kind") == "time" and budget.get("minutes") is not None:
        return f"time {_minutes(budget['minutes'])} min"
    return str(budget.get("kind") or "")


def at_common_budget(budget: dict[str, Any]) -> bool | None:
    """``budget["common"]``; None for an empty budget."""
    return bool(budget.get("common", True)) if budget else None


def budget_exceptions(budget: dict[str, Any]) -> list[str]:
    """How a network departs from the common budget: ``epochs=18`` per override, ``cannot follow: tta``."""
    overrides = [f"{key}={json.dumps(value)}" for key, value in (budget.get("overrides") or {}).items()]
    not_followed = list(budget.get("not_followed") or ())
    return overrides + ([f"cannot follow: {', '.join(map(str, not_followed))}"] if not_followed else [])


def used_means(records: list[RunRecord]) -> dict[str, float | int | None]:
    """Mean ``epochs_run``, ``steps_run`` and ``train_seconds`` over the seeds' ``budget["used"]`` (an int
    where every seed ran the same whole number); None where no seed says."""
    used = [record.budget.get("used") or {} for record in records]
    means: dict[str, float | int | None] = {}
    for key in ("epochs_run", "steps_run", "train_seconds"):
        values = [entry[key] for entry in used if entry.get(key) is not None]
        whole = values and all(isinstance(value, int) and value == values[0] for value in values)
        means[key] = values[0] if whole else float(np.mean(values)) if values else None
    return means


def used_text(records: list[RunRecord]) -> str:
    """What the seeds trained, e.g. ``5 epochs · 1,100 steps · 299.1 s``, ranges over seeds as ``4–5``,
    ``shorter than one epoch`` where a seed's plan was, and the share of its CPU time a virtual machine's host
    took where it took any; ``""`` when no record says."""
    used = [record.budget.get("used") or {} for record in records]
    parts = []
    for key, unit in (("epochs_run", "epochs"), ("steps_run", "steps"), ("train_seconds", "s")):
        values = [entry[key] for entry in used if entry.get(key) is not None]
        if values:
            low, high = format_number(min(values)), format_number(max(values))
            parts.append(f"{low if low == high else f'{low}–{high}'} {unit}")
    if any(entry.get("shorter_than_one_epoch") for entry in used):
        parts.append("shorter than one epoch")
    shares = [share for share in map(budget_used, used) if share is not None]
    if shares:
        low, high = f"{min(shares):.0%}", f"{max(shares):.0%}"
        parts.append(f"{low if low == high else f'{low}–{high}'} of the budget")
    stolen = [entry["host_steal_seconds"] / (entry["host_steal_seconds"] + entry["budget_seconds"]) for entry in used
              if entry.get("host_steal_seconds") and entry.get("budget_seconds")]
    if stolen:
        low, high = f"{min(stolen):.0%}", f"{max(stolen):.0%}"
        parts.append(f"the host took {low if low == high else f'{low}–{high}'} of its CPU time")
    return " · ".join(parts)


def profile_scope(manifest: RunManifest) -> str:
    """What the run's profile trained on and for how long, e.g. ``all Training faces; 5 minutes of training
    per network`` or ``420 Training faces; 10 epochs per network``."""
    profile = manifest.profile
    training = profile.data.get("Training") if profile else None
    faces = f"{format_number(training)} Training faces" if training else "all Training faces"
    budget, epochs = (profile.budget, profile.networks.get("epochs")) if profile else ({}, None)
    if budget.get("kind") == "time":
        return f"{faces}; {_minutes(budget.get('minutes'))} minutes of training per network"
    return f"{faces}; {epochs} epochs per network" if epochs else faces


def run_budget(manifest: RunManifest) -> str | None:
    """The run's budget for the report's header: kind, minutes per network, seeds and machine; None for a
    run with one seed that records no profile."""
    budget, seeds = manifest.profile.budget if manifest.profile else {}, manifest.seeds
    if not budget and len(seeds) < 2:
        return None
    if budget.get("kind") == "time":
        text = (f"time: {_minutes(budget.get('minutes'))} minutes of training per network on this machine, on "
                f"{CLOCKS.get(budget.get('clock', 'own'), budget.get('clock'))}; a network more than "
                f"{OFF_BUDGET:.0%} off its budget is left out of the significance verdicts")
    elif budget.get("kind") == "recipe":
        text = f"recipe: {RECIPE}"
    else:
        text = str(budget.get("kind") or "not stated")
    environment = manifest.environment
    cpu = str(environment.get("cpu") or "unknown CPU") + \
        (f", {environment['cpu_cores']} cores" if environment.get("cpu_cores") else "")
    machine = f"{environment['gpu']} ({cpu})" if environment.get("gpu") else cpu
    return (f"{text}; {len(seeds)} seed{'s' if len(seeds) != 1 else ''} ({', '.join(map(str, seeds))}); "
            f"machine: {machine}")
