"""Render ``RUN_DIR/report.html`` from the results store alone.

The report is one self-contained file (inline CSS, figures as PNG data URIs,
no scripts, no external resources) that opens offline and prints. It is a
function of the run directory only: rendering twice gives the same file.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ..labels import FER2013_CLASSES
from ..analysis.metrics import pareto_optimal, report_averages
from ..results import ResultsStore, RunManifest
from ..analysis.run import ALPHA, BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES, EstimatorResult, RunAnalysis, analyse_run
from .budget import profile_scope, run_budget, used_text
from ..analysis.ensemble import DERIVED_NOTE, ITERATIONS, DerivedEnsemble, derive_ensemble
from .cost import cost_section
from .crossdata import crossdata_section
from .export import write_results_csv
from .figures import (confusion_overview_figure, cost_benefit_figure, face_data_uri, heat_colours,
                      learning_curves_figure, per_class_f1_figure, reliability_figure)
from ..analysis.improvement import GAMMA
from .tables import field_rows, leaderboard_row, significance_table, with_ensemble_row
from .templating import MISSING, format_number, write_page

REPORT_FILE = "report.html"
TEMPLATE = "report.html.j2"
MANIFEST_ORDER: tuple[str, ...] = ("run_id", "created", "command", "seed", "wall_seconds", "data", "profile",
                                   "class_names", "estimators", "environment", "audit", "cleaning")
AUDIT_ROWS: tuple[tuple[str, str], ...] = (
    ("scored_private_total", "PrivateTest faces scored in this run"),
    ("scored_private_exact", "… with an exact copy in Training"),
    ("scored_private_near_only", "… with only a near copy in Training"),
    ("scored_private_kept", "… kept for the de-duplicated evaluation"),
    ("private_total", "PrivateTest faces in the data set"),
    ("private_exact", "PrivateTest faces with an exact copy in Training"),
    ("private_near_only", "PrivateTest faces with only a near copy in Training"),
    ("private_kept", "PrivateTest faces kept for the de-duplicated evaluation"),
    ("public_exact", "PublicTest faces with an exact copy in Training"),
    ("public_near_only", "PublicTest faces with only a near copy in Training"),
    ("training_exact_groups", "Groups of exact duplicates within Training"),
    ("training_faces_in_groups", "Training faces in those groups"),
    ("blank", "Blank faces (pixel standard deviation below the threshold)"),
    ("label_conflict_groups", "Duplicate groups whose copies carry different labels"),
    ("near_threshold", "Near-duplicate threshold (perceptual-hash Hamming distance)"),
    ("hash_method", "Hash method"),
    ("blank_std", "Blank threshold (pixel standard deviation)"),
)


def render_report(run_dir: str | Path) -> Path:
    """Write ``RUN_DIR/report.html`` and ``RUN_DIR/results.csv`` (atomically) from the results store alone.

    Reads ``results.json``, the stored predictions and PrivateTest faces;
    trains nothing and imports neither PyTorch nor TensorFlow. The derived
    ensemble row (:mod:`fer_bench.analysis.ensemble`) is recomputed from the stored scores.

    Parameters
    ----------
    run_dir : path
        A run directory written by :func:`fer_bench.runner.run_benchmark`.

    Returns
    -------
    Path
        The report's path.

    Raises
    ------
    FileNotFoundError
        If the directory holds no ``results.json``.
    ValueError
        If ``results.json`` is not a fer_bench results file.
    """
    store = ResultsStore(run_dir)
    analysis = analyse_run(store)
    path = write_page(store.run_dir / REPORT_FILE, TEMPLATE, **_context(store, analysis, derive_ensemble(store, analysis)))
    write_results_csv(store.run_dir, analysis)
    return path


def _text(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"  # manifest values (learning rates, decays) keep their precision
    return str(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _tree(value: Any) -> dict[str, Any]:
    """A manifest value as a node for the template's ``tree`` macro.

    A dict of flat dicts becomes a table (with a Total column when every cell is
    an int, as for the per-split class counts); other dicts a definition list;
    a list of scalars one line.
    """
    if isinstance(value, dict) and value and all(isinstance(inner, dict) and inner and all(map(_is_scalar, inner.values()))
                                                 for inner in value.values()):
        columns = list(dict.fromkeys(key for inner in value.values() for key in inner))
        cells = [[inner.get(column) for column in columns] for inner in value.values()]
        counts = all(isinstance(cell, int) and not isinstance(cell, bool) for row in cells for cell in row)
        rows = [(str(key), [_text(cell) for cell in row] + ([format_number(sum(row))] if counts else []))
                for key, row in zip(value, cells)]
        return {"kind": "table", "columns": [str(column) for column in columns] + (["Total"] if counts else []),
                "rows": rows}
    if isinstance(value, dict):
        return {"kind": "map", "items": [(str(key), _tree(item)) for key, item in value.items()]}
    if isinstance(value, list) and all(map(_is_scalar, value)):
        return {"kind": "text", "value": ", ".join(map(_text, value)) or MISSING}
    if isinstance(value, list):
        return {"kind": "list", "items": [_tree(item) for item in value]}
    return {"kind": "text", "value": _text(value)}


def _manifest_tree(manifest: RunManifest) -> dict[str, Any]:
    values = manifest.to_dict()
    ordered = {key: values[key] for key in MANIFEST_ORDER}
    ordered.update((key, value) for key, value in values.items() if key not in ordered)
    return _tree(ordered)


def _anchor(index: int, name: str) -> str:
    return f"estimator-{index}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "x")


def _params(params: dict[str, Any]) -> list[str]:
    """``key=value`` strings, values as compact JSON (strings quoted)."""
    return [f"{key}={json.dumps(value, separators=(',', ':'), sort_keys=True)}" for key, value in params.items()]


def _classification_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    per_class = metrics.get("per_class") or {}
    if not per_class:
        return []
    rows = [{"label": name, **row, "summary": False, "divider": False} for name, row in per_class.items()]
    averages = report_averages(per_class).items()
    rows += [{"label": label, **row, "summary": True, "divider": index == 0} for index, (label, row) in enumerate(averages)]
    return rows



def _profile(manifest: RunManifest) -> tuple[str, str]:
    """The profile's name and description (``unknown`` and "" where the store names none)."""
    profile = manifest.profile
    return (profile.name or "unknown", profile.description) if profile else ("unknown", "")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return MISSING
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{format_number(float(seconds))} s ({minutes // 60}:{minutes % 60:02d}:{rest:02d})"


def _figures(analysis: RunAnalysis, run_classes: list[str]) -> dict[str, Any]:
    results = analysis.results
    figures: dict[str, Any] = {"confusion_overviews": []}
    by_classes: dict[tuple[str, ...], dict[str, Any]] = {}
    for result in results:
        if result.record.metrics.get("confusion_matrix"):
            by_classes.setdefault(tuple(result.class_names), {})[result.name] = result.record.metrics["confusion_matrix"]
    if len(results) > 1:
        figures["confusion_overviews"] = [confusion_overview_figure(matrices, list(names))
                                          for names, matrices in by_classes.items()]
    all_classes = list(dict.fromkeys(name for result in results for name in result.class_names))
    f1 = {result.name: {name: row["f1"] for name, row in (result.record.metrics.get("per_class") or {}).items()}
          for result in results if result.record.metrics.get("per_class")}
    figures["per_class_f1"] = per_class_f1_figure(f1, all_classes) if f1 else None
    histories = {result.name: result.record.history for result in results if result.record.history}
    figures["learning"] = learning_curves_figure(histories) if histories else None
    timed = {result.name: (result.record.fit_seconds, result.accuracy_mean) for result in results
             if result.record.family != "pretrained" and result.record.fit_seconds and result.class_names == run_classes
             and result.accuracy_mean is not None}
    names = list(timed)
    optimal = pareto_optimal([timed[name][0] for name in names], [timed[name][1] for name in names])
    frontier = [name for name, on_front in zip(names, optimal) if on_front]
    figures["cost_benefit"] = cost_benefit_figure(timed, frontier) if timed else None
    figures["frontier"] = frontier
    figures["untimed"] = [result.name for result in results if result.name not in timed]
    calibrations = {result.name: result.calibration for result in results if result.calibration}
    figures["reliability"] = reliability_figure(calibrations) if calibrations else None
    return figures


def _gallery(result: EstimatorResult, faces: tuple[Any, Any] | None) -> list[dict[str, str]]:
    if faces is None or not result.gallery:
        return []
    images = faces[0]
    y_true, y_pred = result.predictions["y_true"], result.predictions["y_pred"]
    scores = result.predictions.get("scores")
    tiles = []
    for index in result.gallery:
        true_name, predicted_name = result.class_names[y_true[index]], result.class_names[y_pred[index]]
        confidence = f" ({scores[index].max():.0%})" if scores is not None else ""
        tiles.append({"src": face_data_uri(images[index]), "true": true_name, "predicted": predicted_name + confidence,
                      "alt": f"PrivateTest face {index}: true {true_name}, predicted {predicted_name}{confidence}"})
    return tiles


def _confusion_tables(matrix: list[list[int]], class_names: list[str]) -> list[dict[str, Any]]:
    """Counts and row-normalised shares as heat-coloured table cells (true labels on rows)."""
    counts = np.asarray(matrix, dtype=np.int64)
    totals = counts.sum(axis=1, keepdims=True)
    rates = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    tables = []
    for title, values, texts, vmax in (("Counts", counts, [f"{value:,}" for value in counts.ravel()], counts.max()),
                                       ("Row-normalised (share of each true class)", rates,
                                        [f"{value:.0%}" for value in rates.ravel()], 1.0)):
        colours, light = heat_colours(values, float(vmax))
        cells = [{"text": text, "colour": colour, "light": is_light} for text, colour, is_light in zip(texts, colours, light)]
        tables.append({"title": title, "rows": [(name, cells[row * len(class_names):(row + 1) * len(class_names)])
                                                for row, name in enumerate(class_names)]})
    return tables


def _estimator_section(result: EstimatorResult, anchor: str, faces) -> dict[str, Any]:
    record = result.record
    matrix = record.metrics.get("confusion_matrix")
    return {
        "result": result, "record": record, "anchor": anchor, "params": _params(record.params),
        "classification": _classification_rows(record.metrics),
        "confusion": _confusion_tables(matrix, result.class_names) if matrix else [],
        "gallery": _gallery(result, faces),
        "mistakes": None if result.predictions is None else
        int((result.predictions["y_true"] != result.predictions["y_pred"]).sum()),
        "seed_rows": [{"seed": seed, "record": seed_record, "used": used_text([seed_record])}
                      for seed, seed_record in zip(result.seeds, result.seed_records)] if result.n_seeds > 1 else [],
    }


def _manifest_summary(manifest: RunManifest) -> list[tuple[str, Any]]:
    """Readable (label, value) rows of the manifest; values are text or ``_tree`` nodes."""
    data, environment = manifest.data, manifest.environment
    profile_name, profile_description = _profile(manifest)
    rows: list[tuple[str, Any]] = [
        ("Run", _text(manifest.run_id)), ("Created", _text(manifest.created)), ("Command", _text(manifest.command)),
        ("Seeds", f"{', '.join(map(str, manifest.seeds))} (subsets and estimators); {BOOTSTRAP_SEED} "
                  "(this report's bootstrap)"),
        ("Total wall time", _duration(manifest.wall_seconds)),
        ("Profile", f"{profile_name}: {profile_description}" if profile_description else profile_name),
        ("Data", f"{_text(data.source)}{' (synthetic)' if data.synthetic else ''}"),
        ("Data sha256", _text(data.sha256)),
    ]
    for counts, label in ((data.counts, "Faces in the data"), (data.used_counts, "Faces used by this profile")):
        if counts:
            rows.append((label, _tree(counts)))
    rows += [
        ("Classes", ", ".join(manifest.class_names) or MISSING),
        ("Estimators", ", ".join(manifest.estimators) or MISSING),
        ("CPU", _text(environment.get("cpu"))
         + (f", {environment['cpu_cores']} cores" if environment.get("cpu_cores") else "")
         + (f", {environment['memory_gib']} GiB memory" if environment.get("memory_gib") else "")),
        ("GPU", _text(environment.get("gpu")) if environment.get("gpu") else "none"),
        ("Python", f"{_text(environment.get('python'))} on {_text(environment.get('platform'))}"),
        ("Git commit", _text(environment.get("git_commit"))),
    ]
    if environment.get("libraries"):
        rows.append(("Library versions", {"kind": "text", "value": ", ".join(
            f"{name} {version}" for name, version in environment["libraries"].items())}))
    return rows


def _audit(manifest: RunManifest) -> dict[str, Any] | None:
    audit = manifest.audit
    if not audit:
        return None
    known = dict(AUDIT_ROWS)
    rows = [(label, _text(audit[key])) for key, label in AUDIT_ROWS if key in audit]
    rows += [(str(key), _text(value)) for key, value in audit.items() if key not in known and _is_scalar(value)]
    copies = {}
    for scope, prefix in (("scored", "scored_private_"), ("data", "private_")):
        total, kept = audit.get(prefix + "total"), audit.get(prefix + "kept")
        if isinstance(total, int) and isinstance(kept, int) and total > 0:
            copies[scope] = {"total": total, "copies": total - kept, "share": (total - kept) / total}
    return {"rows": rows, "copies": copies, "cleaning": _tree(asdict(manifest.cleaning))}


def _missing_fits(analysis: RunAnalysis, store: ResultsStore) -> list[str]:
    """The warning of a run with planned fits that have no record, or nothing."""
    missing = analysis.missing
    if not missing:
        return []
    seeds: dict[str, list[str]] = {}
    for name, seed in missing:
        seeds.setdefault(name, []).append(str(seed))
    planned = len(analysis.manifest.estimators) * len(analysis.seeds)
    fits = "; ".join(f"{name} (seed{'s' * (len(s) > 1)} {', '.join(s)})" for name, s in seeds.items())
    return [f"this run is incomplete (interrupted, or still running): {len(missing)} of its {planned} planned fits "
            f"have no record: {fits}. Means over seeds, the comparisons and the ensemble cover only the fits "
            f"shown; python -m fer_bench run --resume {shlex.quote(str(store.run_dir))} completes the run."]


def relabelling_text(relabelling: dict) -> str:
    """The header's line on labels derived from votes, or mapped from another data set's (the manifest's
    ``data.relabelling``); empty without."""
    if not relabelling:
        return ""
    dropped = ", ".join(f"{count:,} {reason}" for reason, count in relabelling["dropped"].items())
    mode = f" in {relabelling['mode']} mode" if "mode" in relabelling else ""
    return (f"{relabelling['labels']}{mode}: {relabelling['kept']:,} faces kept"
            + (f"; dropped {dropped}" if dropped else ""))


def training_targets(results) -> str:
    """What the estimators fitted on Training, where some fitted FER+ vote distributions; empty otherwise."""
    by_kind: dict[str, list[str]] = {}
    for result in results:
        by_kind.setdefault(result.record.targets, []).append(result.name)
    if set(by_kind) <= {"labels"}:
        return ""
    kinds = {"crossentropy": "FER+ vote distributions as soft targets (crossentropy)",
             "probability": "a label drawn from each face's FER+ vote distribution per batch (probability)",
             "labels": "each face's top class"}
    return "; ".join(f"{kinds[kind]} for {', '.join(names)}" for kind, names in by_kind.items())


def _context(store: ResultsStore, analysis: RunAnalysis, ensemble: DerivedEnsemble) -> dict[str, Any]:
    manifest = analysis.manifest
    data = manifest.data
    profile_name, profile_description = _profile(manifest)
    run_classes = analysis.run_classes
    anchors = {id(result): _anchor(result.rank, result.name) for result in analysis.results}
    results = analysis.results
    own = [result for result in results if result.class_names == run_classes]
    leaderboard = with_ensemble_row([leaderboard_row(result, anchors[id(result)], run_classes) for result in own],
                                    ensemble)
    other_classes = [leaderboard_row(result, anchors[id(result)], run_classes)
                     for result in results if result.class_names != run_classes]
    return {
        "run_id": manifest.run_id or store.run_dir.name,
        "created": manifest.created,
        "synthetic": data.synthetic,
        "warnings": manifest.warnings + _missing_fits(analysis, store),
        "data_source": data.source,
        "data_sha256": data.sha256,
        "data_file": {"name": None, "known": None, **(data.file or {})},
        "relabelling": relabelling_text(data.relabelling),
        "profile_name": profile_name,
        "profile_description": profile_description,
        "leaderboard": leaderboard,
        "leaderboard_tables": [{"rows": leaderboard, "other_classes": False}] +
                              ([{"rows": other_classes, "other_classes": True}] if other_classes else []),
        "profile_scope": profile_scope(manifest),
        "multi_seed": analysis.multi_seed,
        "run_budget": run_budget(manifest),
        "has_budget": any(result.record.budget for result in results),
        "ensemble": ensemble,
        "derived_note": DERIVED_NOTE,
        "ensemble_iterations": ITERATIONS,
        "best": analysis.best,
        "has_dedup": any(result.record.metrics_deduplicated for result in results),
        "unfinished": [{"record": record, "seed": record.seed} for record in analysis.unfinished],
        "significance": [significance_table(group, anchors) for group in analysis.groups],
        "field": field_rows(results, anchors),
        "fer2013_classes": tuple(run_classes) == FER2013_CLASSES,
        "audit": _audit(manifest),
        "figures": _figures(analysis, run_classes),
        "cost": cost_section(store.run_dir, analysis),
        "crossdata": crossdata_section(store.run_dir, manifest),
        "without_probabilities": [result.name for result in results if not result.has_probabilities],
        "calibrated": [result for result in results if result.calibration],
        "estimators": [_estimator_section(result, anchors[id(result)], analysis.faces) for result in results],
        "training_targets": training_targets(results),
        "n_test": next((result.record.metrics.get("n") for result in own if result.record.metrics.get("n")), None),
        "confidence": CONFIDENCE,
        "n_resamples": N_RESAMPLES,
        "bootstrap_seed": BOOTSTRAP_SEED,
        "alpha": ALPHA,
        "gamma": GAMMA,
        "manifest_summary": _manifest_summary(manifest),
        "manifest": _manifest_tree(manifest),
    }
