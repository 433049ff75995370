"""What one estimator did with one seed in one run: :class:`RunRecord`, and how files and messages name it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ..profiles import BUDGET_KINDS
from .cross_scores import CrossScore
from .json_fields import REQUIRED, FieldReader, is_number, is_square_counts

STATUSES: tuple[str, ...] = ("ok", "failed", "timed_out", "skipped")
TARGETS: tuple[str, ...] = ("labels", "crossentropy", "probability")
"""What an estimator can have fitted on Training (:attr:`RunRecord.targets`)."""
MAX_SEED = 2**32 - 1
"""The largest seed: NumPy's and scikit-learn's ``random_state`` take 0 .. 2**32 - 1."""
SHARES: tuple[str, ...] = ("accuracy", "balanced_accuracy", "macro_f1")
"""The metrics that are shares of the faces scored, from 0 to 1."""
USED_NUMBERS: tuple[str, ...] = ("time_budget", "budget_used", "planned_steps", "warmup_steps", "steps_run",
                                 "epochs_run", "train_seconds")
"""The numbers of ``budget["used"]`` the report and ``--steps-from`` read."""


@dataclass
class RunRecord:
    """What one estimator did in one run.

    Attributes
    ----------
    name, family, framework, source : str
        As registered.
    status : str
        ``ok``, ``failed`` (``error`` says why), ``timed_out`` or ``skipped`` (an optional
        package it needs is missing; ``error`` gives the install command).
    params : dict
        The estimator's ``get_params()``, made JSON-safe.
    fit_seconds, predict_seconds : float or None
        Wall time of ``fit`` on Training and of predicting PrivateTest, in seconds,
        taken after synchronising the GPU when one is used.
    train_images, test_images : int
        Faces fitted on and faces scored.
    fit_images_per_second, predict_images_per_second : float or None
        Throughput in images/s (fit counts every epoch's images).
    peak_memory_mib : float or None
        Peak resident memory of the process during ``fit``, in MiB, above the level before it.
    device : str
        ``cpu`` or the GPU's name.
    history : list of dict
        Per-epoch learning curve of networks (``epoch``, ``train_loss``,
        ``public_accuracy``, ``seconds``); empty otherwise.
    metrics : dict
        PrivateTest metrics from :func:`fer_bench.analysis.metrics.classification_metrics`.
    metrics_deduplicated : dict
        The same metrics on the PrivateTest faces that have no exact or near
        duplicate in Training (see :mod:`fer_bench.datasets.audit`); empty
        when the run made no audit.
    class_names : list of str
        Classes the estimator was trained and scored on, when it used a subset
        of the run's classes (e.g. a 5-class model); empty means all of them.
    predictions_file : str or None
        Path of the predictions ``.npz``, relative to the run directory.
    model_dir : str or None
        Path of the saved model, relative to the run directory.
    error : str or None
        The traceback's last lines when ``status`` is ``failed``; why it stopped
        (``timed_out``) or what to install (``skipped``).
    seed : int or None
        The seed it was trained with (its Training subset, initial weights, shuffling and
        augmentation). Every record a store loads has one (:meth:`from_dict`); None only in
        a record made outside a run (the compared runs' derived ensemble).
    budget : dict
        A network's training budget: ``kind`` (``recipe`` or ``time``), ``minutes``, ``common``
        (False when the profile overrides a budget setting for it, or it cannot follow one),
        ``overrides`` (the profile's settings for it that differ from the common ones),
        ``not_followed`` (common settings it does not have), and ``used`` (what it trained:
        the network's ``budget_``, see :meth:`fer_bench.estimators.training.budget.StepPlan.summary`).
        Empty for classical estimators and in older stores.
    targets : str
        What it fitted on Training: ``labels`` (one class per face), or FER+ vote distributions
        (:mod:`fer_bench.datasets.ferplus_modes`) as ``crossentropy`` (soft targets) or
        ``probability`` (a label drawn from each face's distribution whenever it is batched).
    fold : dict or None
        In a cross-validation fold run (:mod:`fer_bench.runner.crossval`): ``index``
        (1-based), ``of`` (the number of folds) and ``split`` (``subject`` or
        ``random``); None otherwise (and in stores written before folds existed).
    pretrained : dict or None
        A model trained elsewhere, described by a card (:meth:`fer_bench.cards.Card.facts`): ``card`` (its
        path), ``format``, ``classes``, ``dropped_classes``, ``trained_on``, the optional ``citation``,
        ``claimed_accuracy`` (0 to 1) and ``claimed_on``, and ``left_out_test_faces`` (PrivateTest faces of
        classes it cannot output, not scored); None for any other estimator.
    cross_scores : list of CrossScore
        Its scores on the run's other data sets (``run --also-test``, :attr:`RunManifest.cross_targets`), one per
        target; empty without them and in older stores.
    """

    name: str
    family: str
    framework: str
    source: str
    status: str = "ok"
    params: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float | None = None
    predict_seconds: float | None = None
    train_images: int = 0
    test_images: int = 0
    fit_images_per_second: float | None = None
    predict_images_per_second: float | None = None
    peak_memory_mib: float | None = None
    device: str = "cpu"
    history: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    metrics_deduplicated: dict[str, Any] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)
    predictions_file: str | None = None
    model_dir: str | None = None
    error: str | None = None
    seed: int | None = None
    budget: dict[str, Any] = field(default_factory=dict)
    targets: str = "labels"
    fold: dict[str, Any] | None = None
    pretrained: dict[str, Any] | None = None
    cross_scores: list[CrossScore] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How messages about the store name it: ``record knn (seed 0)``."""
        return record_label(self.name, self.seed)

    def to_dict(self) -> dict[str, Any]:
        """The record as ``results.json`` holds it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any, where: str = "record", first_seed: int | None = None) -> RunRecord:
        """A record as :meth:`to_dict` wrote it, in any schema, checked field by field.

        Absent fields take their defaults (stores of schema 1 lack those added over time), and unknown
        ones are left out.

        Parameters
        ----------
        raw : Any
            The record's JSON object.
        where : str
            How messages name the record until its name is read (``record #3``).
        first_seed : int, optional
            The seed of a record written before records had one: the run's first.

        Returns
        -------
        RunRecord

        Raises
        ------
        ValueError
            One line, ``record NAME (seed S): FIELD is VALUE, expected WHAT``, for the first field of the
            wrong type: a number that is not finite or out of range (a share of the faces outside
            0 to 1, negative seconds), a status not in :data:`STATUSES`, or a confusion matrix that is
            not square.
        """
        name = FieldReader(raw, where).value("name", lambda value: isinstance(value, str) and value != "",
                                             "the estimator's name, a non-empty string")
        seed = FieldReader(raw, record_label(name, None)).whole("seed", None, 0, MAX_SEED)
        seed = first_seed if seed is None else seed
        fields = FieldReader(raw, record_label(name, seed))
        seconds = "a number of seconds, 0 or more"
        return cls(
            name=name, family=fields.text("family", REQUIRED), framework=fields.text("framework", REQUIRED),
            source=fields.text("source", REQUIRED),
            status=fields.value("status", lambda value: value in STATUSES, f"one of {', '.join(STATUSES)}", "ok"),
            params=fields.table("params", {}),
            fit_seconds=fields.number("fit_seconds", expected=seconds),
            predict_seconds=fields.number("predict_seconds", expected=seconds),
            train_images=fields.whole("train_images", 0), test_images=fields.whole("test_images", 0),
            fit_images_per_second=fields.number("fit_images_per_second"),
            predict_images_per_second=fields.number("predict_images_per_second"),
            peak_memory_mib=fields.number("peak_memory_mib", low=-math.inf, expected="a finite number of MiB"),
            device=fields.text("device", "cpu"), history=_history(fields),
            metrics=_metrics(fields, "metrics"), metrics_deduplicated=_metrics(fields, "metrics_deduplicated"),
            class_names=fields.texts("class_names"), predictions_file=fields.text("predictions_file"),
            model_dir=fields.text("model_dir"), error=fields.text("error"), seed=seed, budget=_budget(fields),
            targets=fields.value("targets", lambda value: value in TARGETS, f"one of {', '.join(TARGETS)}", "labels"),
            fold=fields.table("fold"), pretrained=_pretrained(fields),
            cross_scores=[CrossScore.from_fields(row, _metrics(row, "metrics")) for row in fields.rows("cross_scores")])


def _pretrained(fields: FieldReader) -> dict[str, Any] | None:
    """A card's facts, checked where the report reads them."""
    pretrained = fields.nested("pretrained")
    if pretrained is None:
        return None
    pretrained.text("card", REQUIRED)
    pretrained.text("trained_on")
    pretrained.text("claimed_on")
    pretrained.number("claimed_accuracy", None, 0.0, 1.0)
    pretrained.whole("left_out_test_faces", None)
    return pretrained.raw


def _history(fields: FieldReader) -> list[dict[str, Any]]:
    """The epochs' rows; a loss may be NaN (a network that diverged), the rest are finite."""
    rows = fields.rows("history")
    for row in rows:
        row.whole("epoch", None, 1)
        row.value("train_loss", is_number, "a number", None)
        row.number("public_accuracy", None, 0.0, 1.0)
        row.number("seconds", expected="a number of seconds, 0 or more")
    return [row.raw for row in rows]


def _metrics(fields: FieldReader, key: str) -> dict[str, Any]:
    """:func:`fer_bench.analysis.metrics.classification_metrics`'s dict, checked where the report reads numbers."""
    metrics = fields.nested(key)
    if metrics is None:
        return {}
    metrics.whole("n")
    for share in SHARES:
        metrics.number(share, None, 0.0, 1.0)
    per_class = metrics.nested("per_class")
    for row in per_class.objects() if per_class else ():
        for share in ("precision", "recall", "f1"):
            row.number(share, None, 0.0, 1.0)
        row.whole("support")
    metrics.value("confusion_matrix", is_square_counts,
                  "a square table of counts (k lists of k whole numbers, 0 or more)", None)
    return metrics.raw


def _budget(fields: FieldReader) -> dict[str, Any]:
    budget = fields.nested("budget")
    if budget is None:
        return {}
    budget.value("kind", lambda value: value in BUDGET_KINDS, f"one of {', '.join(BUDGET_KINDS)}", None)
    budget.number("minutes", expected="a number of minutes, 0 or more")
    budget.flag("common", True)
    budget.table("overrides", {})
    budget.value("not_followed", lambda value: isinstance(value, list), "a list of setting names", [])
    used = budget.nested("used")
    if used is not None:
        for key in USED_NUMBERS:
            used.number(key)
        used.value("replans", lambda value: isinstance(value, list), "a list of re-plans", None)
    return budget.raw


def record_label(name: str, seed: int | None) -> str:
    """How messages about the store name a record: ``record knn (seed 0)``, or ``record knn`` without a seed."""
    return f"record {name}" + ("" if seed is None else f" (seed {seed})")


def seed_stem(name: str, seed: int | None, first_seed: int | None) -> str:
    """The file stem of a record's predictions and model: ``NAME`` for the run's first seed (and
    records without a seed), ``NAME.seedK`` for any other seed ``K``."""
    return name if seed is None or seed == first_seed else f"{name}.seed{seed}"


def fit_label(name: str, seed: int, several_seeds: bool = True) -> str:
    """How messages and the report name one fit: ``NAME (seed S)``, or ``NAME`` when the run has one seed."""
    return f"{name} (seed {seed})" if several_seeds else name
