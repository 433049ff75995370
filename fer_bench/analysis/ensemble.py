"""The report's derived ``ensemble`` row: an ensemble of a run's stored scores, chosen on PublicTest, trained nothing.

The candidates are every seed of every estimator trained here on the run's
classes (:func:`~fer_bench.results.fit_label`), so several seeds of one network can form a
seed ensemble.

1. Calibrate (:func:`fit_temperature`): every candidate's PublicTest scores
   become probabilities by temperature scaling (Guo, Pleiss, Sun and
   Weinberger, "On Calibration of Modern Neural Networks", ICML 2017): one
   scalar T per member, fitted by minimising the PublicTest negative
   log-likelihood (NLL). The logits are the log-probabilities (floored at
   :data:`PROBABILITY_FLOOR`) of estimators with ``predict_proba`` and the
   decision values of the others, so both become ``softmax(logits / T)``.
2. Select (:func:`select_ensemble`): Caruana, Niculescu-Mizil, Crew and Ksikes,
   "Ensemble Selection from Libraries of Models" (ICML 2004): sorted
   initialisation with the best N candidates (N chosen on PublicTest), then
   forward selection with replacement for :data:`ITERATIONS` steps, keeping the
   prefix of the sequence that scores best. The hillclimb metric is PublicTest
   accuracy, ties broken by the lower PublicTest log-loss (NLL); remaining ties
   go to the smaller ensemble, then the candidate first by that metric and name.
   Members are averaged with weights = times chosen / ensemble size.
3. Score once on PrivateTest (:func:`score_ensemble`).

:func:`select_ensemble` receives PublicTest arrays alone: PrivateTest enters
only :func:`score_ensemble`, after the choice, so nothing can be chosen on it.
Networks choose their best epoch on PublicTest, so their PublicTest scores are
slightly optimistic; PrivateTest stays untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from .metrics import bootstrap_ci, classification_metrics, mcnemar_exact
from ..results import ResultsStore, fit_label
from .run import ALPHA, BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES, RunAnalysis

ITERATIONS = 50
"""Forward-selection steps after the sorted initialisation."""
PROBABILITY_FLOOR = 1e-7
"""Probabilities are floored here before their logarithm, so a 0 (k-NN votes) stays finite."""
TEMPERATURE_BOUNDS = (1e-2, 1e2)
"""Search interval of T; the search runs over log T."""
ENSEMBLE_NAME = "ensemble"
DERIVED_NOTE = "derived: ensemble of stored scores, not trained"
PROBABILITIES, DECISION_VALUES = "probabilities", "decision values"
_KEYS = {PROBABILITIES: ("public_scores", "scores"), DECISION_VALUES: ("public_decision", "decision")}


def to_logits(values: np.ndarray, kind: str) -> np.ndarray:
    """Logits of stored scores, float64 (n, k): log-probabilities (floored) or the decision values as they are."""
    values = np.asarray(values, dtype=np.float64)
    return np.log(np.clip(values, PROBABILITY_FLOOR, 1.0)) if kind == PROBABILITIES else values


def _log_probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    return np.maximum(log_softmax(logits / temperature, axis=1), np.log(PROBABILITY_FLOOR))


def negative_log_likelihood(y_true: np.ndarray, logits: np.ndarray, temperature: float = 1.0) -> float:
    """Mean NLL (nats per face) of ``softmax(logits / temperature)``; probabilities floored at PROBABILITY_FLOOR."""
    return float(-_log_probabilities(logits, temperature)[np.arange(len(y_true)), y_true].mean())


def fit_temperature(y_true: np.ndarray, logits: np.ndarray) -> float:
    """Temperature scaling (Guo et al., ICML 2017): the T in TEMPERATURE_BOUNDS minimising the NLL.

    Parameters
    ----------
    y_true : ndarray of int, shape (n,)
        Labels of the calibration faces (PublicTest).
    logits : ndarray of float, shape (n, k)
        Log-probabilities or decision values (:func:`to_logits`).

    Returns
    -------
    float
        T > 0; calibrated probabilities are ``softmax(logits / T)``.
    """
    low, high = np.log(TEMPERATURE_BOUNDS)
    found = minimize_scalar(lambda log_t: negative_log_likelihood(y_true, logits, np.exp(log_t)),
                            bounds=(low, high), method="bounded", options={"xatol": 1e-5})
    return float(np.exp(found.x))


def calibrated(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)``, float64 (n, k)."""
    return np.exp(log_softmax(logits / temperature, axis=1))


def _hillclimb_score(y_true: np.ndarray, probabilities: np.ndarray) -> tuple[int, float]:
    """(faces right, -log-loss): larger is better, compared in that order."""
    right = int(np.sum(probabilities.argmax(axis=1) == y_true))
    picked = np.clip(probabilities[np.arange(len(y_true)), y_true], PROBABILITY_FLOOR, 1.0)
    return right, float(np.mean(np.log(picked)))


@dataclass
class Selection:
    """What :func:`select_ensemble` chose, on PublicTest alone.

    Attributes
    ----------
    temperatures : dict of str to float
        T of every candidate.
    counts : dict of str to int
        Times each member was chosen (members only, best first by PublicTest
        accuracy of the calibrated candidate); weights are counts / size.
    public_accuracy, public_log_loss : float
        The chosen ensemble's hillclimb score (fraction; nats per face).
    candidate_accuracy : dict of str to float
        PublicTest accuracy of every calibrated candidate alone.
    initial_size : int
        N of the sorted initialisation.
    """

    temperatures: dict[str, float]
    counts: dict[str, int]
    public_accuracy: float
    public_log_loss: float
    candidate_accuracy: dict[str, float]
    initial_size: int

    @property
    def size(self) -> int:
        return sum(self.counts.values())

    @property
    def weights(self) -> dict[str, float]:
        return {name: count / self.size for name, count in self.counts.items()}


def select_ensemble(public_y_true: np.ndarray, public_logits: Mapping[str, np.ndarray],
                    iterations: int = ITERATIONS) -> Selection:
    """Calibrate every candidate on PublicTest and choose the ensemble there (Caruana et al., ICML 2004).

    Parameters
    ----------
    public_y_true : ndarray of int, shape (n,)
        PublicTest labels.
    public_logits : mapping of str to ndarray of float, shape (n, k)
        Each candidate's PublicTest logits (:func:`to_logits`).
    iterations : int
        Forward-selection steps (with replacement) after the sorted initialisation.

    Returns
    -------
    Selection

    Raises
    ------
    ValueError
        If there is no candidate or a candidate's logits are not (n, k).
    """
    if not public_logits:
        raise ValueError("no candidate to select an ensemble from")
    y_true = np.asarray(public_y_true, dtype=np.int64)
    for name, logits in public_logits.items():
        if logits.ndim != 2 or len(logits) != len(y_true):
            raise ValueError(f"{name}: PublicTest logits of shape {logits.shape}, expected ({len(y_true)}, k)")
    temperatures = {name: fit_temperature(y_true, logits) for name, logits in public_logits.items()}
    probabilities = {name: calibrated(logits, temperatures[name]) for name, logits in public_logits.items()}
    alone = {name: _hillclimb_score(y_true, values) for name, values in probabilities.items()}
    order = sorted(probabilities, key=lambda name: (-alone[name][0], -alone[name][1], name))

    # Sorted initialisation: the best N by the hillclimb metric, N itself chosen by it (the smallest on ties).
    total, best_initial, best_score = np.zeros_like(probabilities[order[0]]), None, None
    prefix_totals = []
    for size, name in enumerate(order, start=1):
        total = total + probabilities[name]
        prefix_totals.append(total)
        score = _hillclimb_score(y_true, total / size)
        if best_score is None or score > best_score:
            best_initial, best_score = size, score
    counts = {name: 1 for name in order[:best_initial]}
    total, size = prefix_totals[best_initial - 1], best_initial
    best_counts = dict(counts)

    # Forward selection with replacement; the best prefix of the sequence wins (the earliest on ties).
    for _ in range(iterations):
        step_name, step_score = None, None
        for name in order:
            score = _hillclimb_score(y_true, (total + probabilities[name]) / (size + 1))
            if step_score is None or score > step_score:
                step_name, step_score = name, score
        total, size = total + probabilities[step_name], size + 1
        counts[step_name] = counts.get(step_name, 0) + 1
        if step_score > best_score:
            best_score, best_counts = step_score, dict(counts)
    chosen = {name: best_counts[name] for name in order if name in best_counts}
    return Selection(temperatures, chosen, best_score[0] / len(y_true), -best_score[1],
                     {name: alone[name][0] / len(y_true) for name in order}, best_initial)


def ensemble_probabilities(selection: Selection, logits: Mapping[str, np.ndarray]) -> np.ndarray:
    """The weighted mean of the members' calibrated probabilities, float64 (n, k), on any faces."""
    return sum(weight * calibrated(logits[name], selection.temperatures[name])
               for name, weight in selection.weights.items())


def score_ensemble(selection: Selection, private_logits: Mapping[str, np.ndarray], y_true: np.ndarray,
                   class_names: Sequence[str], leaked: np.ndarray | None = None) -> dict[str, Any]:
    """Score a chosen ensemble once on PrivateTest.

    Parameters
    ----------
    selection : Selection
        From :func:`select_ensemble`.
    private_logits : mapping of str to ndarray of float, shape (n, k)
        The members' PrivateTest logits (others are ignored).
    y_true : ndarray of int, shape (n,)
        PrivateTest labels.
    class_names : sequence of str
    leaked : ndarray of bool, shape (n,), optional
        Faces with a copy in Training (:meth:`fer_bench.results.ResultsStore.load_leaked_mask`).

    Returns
    -------
    dict
        ``probabilities`` (n, k), ``y_pred`` int64 (n,), ``metrics`` and
        ``metrics_deduplicated`` (empty without ``leaked`` or when every face leaked),
        as :func:`fer_bench.analysis.metrics.classification_metrics`.
    """
    probabilities = ensemble_probabilities(selection, private_logits)
    y_pred = probabilities.argmax(axis=1).astype(np.int64)
    deduplicated = {}
    if leaked is not None and len(leaked) == len(y_true) and not leaked.all():
        deduplicated = classification_metrics(y_true[~leaked], y_pred[~leaked], class_names)
    return {"probabilities": probabilities, "y_pred": y_pred,
            "metrics": classification_metrics(y_true, y_pred, class_names), "metrics_deduplicated": deduplicated}


@dataclass
class EnsembleMember:
    """One member: where its scores came from, its temperature and its weight."""

    name: str
    kind: str
    temperature: float
    count: int
    weight: float
    public_accuracy: float


@dataclass(eq=False)
class DerivedEnsemble:
    """The report's ensemble row, or why there is none (``reason``).

    Attributes
    ----------
    reason : str or None
        One line saying why no ensemble was built; None when it was.
    excluded : list of (str, str)
        Estimators, or seeds of them, left out of the candidates, with the reason.
    candidates : list of str
        What the selection could choose from: estimators, or their seeds (:func:`~fer_bench.results.fit_label`).
    members : list of EnsembleMember
    selection : Selection or None
    metrics, metrics_deduplicated : dict
        PrivateTest metrics (see :func:`score_ensemble`).
    predictions : dict or None
        ``y_true``, ``y_pred`` int64 (n,) and ``scores`` float (n, k) on PrivateTest.
    accuracy_ci, macro_f1_ci : (float, float) or None
        The report's percentile bootstrap intervals.
    best_name : str or None
        The most accurate single estimator scored on the same PrivateTest faces and classes.
    versus_best : str or None
        ``better`` or ``worse`` (exact McNemar p < ALPHA) or ``tie``.
    p_versus_best : float or None
        The unadjusted exact McNemar p-value against ``best_name`` (one test).
    """

    reason: str | None = None
    excluded: list[tuple[str, str]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    members: list[EnsembleMember] = field(default_factory=list)
    selection: Selection | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    metrics_deduplicated: dict[str, Any] = field(default_factory=dict)
    predictions: dict[str, np.ndarray] | None = None
    accuracy_ci: tuple[float, float] | None = None
    macro_f1_ci: tuple[float, float] | None = None
    best_name: str | None = None
    versus_best: str | None = None
    p_versus_best: float | None = None

    @property
    def built(self) -> bool:
        return self.reason is None


def _unusable(arrays: dict[str, np.ndarray] | None, kind: str | None, k: int,
              reference: tuple[np.ndarray, np.ndarray]) -> str | None:
    """Why one seed's stored arrays cannot be a candidate, or None; ``reference``: the first candidate's faces."""
    if kind is None or "public_y_true" not in arrays:
        return "no PublicTest scores stored"
    if _KEYS[kind][1] not in arrays:
        return f"no PrivateTest {kind} stored"
    public, private = arrays[_KEYS[kind][0]], arrays[_KEYS[kind][1]]
    faces = (arrays["y_true"], arrays["public_y_true"])
    if not all(np.array_equal(mine, theirs) for mine, theirs in zip(faces, reference)):
        return "scored on other PrivateTest or PublicTest faces than the first candidate"
    if public.shape != (len(faces[1]), k) or private.shape != (len(faces[0]), k):
        return f"scores of shape {private.shape} and {public.shape}, not (faces, {k})"
    if np.isnan(public).any() or np.isnan(private).any():
        return "its scores hold NaN"
    return None


def _candidates(analysis: RunAnalysis) -> tuple[dict[str, tuple[str, dict[str, np.ndarray], list[str]]],
                                                list[tuple[str, str]]]:
    """By name (:func:`~fer_bench.results.fit_label`): every seed of every estimator with PublicTest and
    PrivateTest scores over the run's classes, on the same faces, as (kind, arrays, class names); the others
    (estimators or seeds), with the reason. Each seed is a candidate of its own, so a run with several seeds can build a seed ensemble."""
    run_classes = analysis.manifest.class_names
    candidates, excluded, reference = {}, [], None
    for result in sorted(analysis.results, key=lambda result: result.name):  # not in PrivateTest rank order
        if result.record.family == "pretrained":
            excluded.append((result.name, "pretrained: not trained in this run, and which FER-2013 faces its "
                                          "weights saw is unknown"))
            continue
        if result.record.class_names or (run_classes and result.class_names != run_classes):
            excluded.append((result.name, f"a model of other classes ({len(result.class_names)}: "
                                          f"{', '.join(result.class_names)})"))
            continue
        for seed, arrays in zip(result.seeds, result.seed_predictions):
            name = fit_label(result.name, seed, result.n_seeds > 1)
            kind = next((kind for kind, (public, _) in _KEYS.items() if arrays and public in arrays), None)
            if reference is None and kind is not None and {"public_y_true", _KEYS[kind][1]} <= arrays.keys():
                reference = (arrays["y_true"], arrays["public_y_true"])
            why = _unusable(arrays, kind, len(result.class_names), reference)
            if why is None:
                candidates[name] = (kind, arrays, result.class_names)
            else:
                excluded.append((name, why))
    return candidates, excluded


def derive_ensemble(store: ResultsStore, analysis: RunAnalysis, iterations: int = ITERATIONS) -> DerivedEnsemble:
    """Build the ensemble of a run's stored scores: chosen on PublicTest, scored once on PrivateTest.

    Deterministic: the same run directory gives the same ensemble.

    Parameters
    ----------
    store : ResultsStore
        The run (for the PrivateTest ``leaked`` mask).
    analysis : RunAnalysis
        :func:`fer_bench.analysis.run.analyse_run` of it (results with their stored arrays).
    iterations : int
        Forward-selection steps.

    Returns
    -------
    DerivedEnsemble
        With ``reason`` set when fewer than two candidates (estimators, or seeds of them) qualify.
    """
    candidates, excluded = _candidates(analysis)
    if len(candidates) < 2:
        reason = (f"only {next(iter(candidates))} has PublicTest scores over the run's classes; an ensemble needs two "
                  "(another estimator, or another seed)"
                  if candidates else "no estimator trained here has PublicTest scores over the run's classes "
                                     "(runs before fer_bench stored them, or without labelled PublicTest faces, have none)")
        return DerivedEnsemble(reason=reason, excluded=excluded, candidates=list(candidates))
    _, first, class_names = next(iter(candidates.values()))
    public_y_true, y_true = first["public_y_true"], first["y_true"]
    selection = select_ensemble(public_y_true, {name: to_logits(arrays[_KEYS[kind][0]], kind)
                                                for name, (kind, arrays, _) in candidates.items()}, iterations)
    # PrivateTest enters only here, after the choice.
    private_logits = {name: to_logits(candidates[name][1][_KEYS[candidates[name][0]][1]], candidates[name][0])
                      for name in selection.counts}
    scored = score_ensemble(selection, private_logits, y_true, class_names, store.load_leaked_mask())
    y_pred = scored["y_pred"]
    ensemble = DerivedEnsemble(
        excluded=excluded, candidates=list(candidates), selection=selection,
        members=[EnsembleMember(name, candidates[name][0], selection.temperatures[name], count,
                                selection.weights[name], selection.candidate_accuracy[name])
                 for name, count in selection.counts.items()],
        metrics=scored["metrics"], metrics_deduplicated=scored["metrics_deduplicated"],
        predictions={"y_true": y_true, "y_pred": y_pred, "scores": scored["probabilities"]},
        accuracy_ci=bootstrap_ci(y_true, y_pred, "accuracy", N_RESAMPLES, CONFIDENCE, BOOTSTRAP_SEED),
        macro_f1_ci=bootstrap_ci(y_true, y_pred, "macro_f1", N_RESAMPLES, CONFIDENCE, BOOTSTRAP_SEED, len(class_names)))
    best = next((result for result in analysis.results if result.predictions is not None and result.off_budget is None
                 and result.class_names == class_names and np.array_equal(result.predictions["y_true"], y_true)), None)
    if best is not None:
        test = mcnemar_exact(y_true, y_pred, best.predictions["y_pred"])
        ensemble.best_name, ensemble.p_versus_best = best.name, test["p_value"]
        ensemble.versus_best = "tie" if test["p_value"] >= ALPHA else "better" if test["b"] > test["c"] else "worse"
    return ensemble
