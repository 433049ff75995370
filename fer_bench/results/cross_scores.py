"""Scores of a run's models on other data sets (``run --also-test``): the targets a run names in its manifest,
:class:`CrossTarget`, and each model's score on one of them, :class:`CrossScore`, kept in its record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .json_fields import REQUIRED, FieldReader

SCOPES: tuple[str, ...] = ("PrivateTest", "folder")
"""What of a target is scored: a FER-2013 layout's PrivateTest, or every face of a face folder."""
SCORE_STATUSES: tuple[str, ...] = ("ok", "failed")


@dataclass
class CrossTarget:
    """A data set a run's models are also scored on, as the manifest records it.

    Attributes
    ----------
    name : str
        What tables call it (``name=`` of ``--also-test``, else the file or folder name).
    spec : str
        The ``--also-test`` argument as given.
    path : str
        The file or folder, absolute (``run --resume`` reads it again).
    options : dict of str to str
        The argument's options (``label_map``, ``detect``, ``name``).
    sha256 : str
        Of the data (a face folder: its listing key, which covers the label map and the detector).
    scope : {"PrivateTest", "folder"}
        What is scored: the PrivateTest split, or every face of a folder.
    class_names : list of str
        The target's own classes, index = label.
    counts : dict of str to int
        Faces scored per class of ``class_names``.
    excluded : dict of str to int
        Images its label map leaves out (folders with no FER-2013 counterpart, CK+ contempt).
    detector : str or None
        The face detector that cropped its images (``haar``, ``mtcnn``); None where they were 48x48 faces already.
    no_face : int
        Images the detector found no face in: scored whole, and counted here.
    synthetic : bool
        Generated data.
    """

    name: str
    spec: str
    path: str
    sha256: str
    scope: str
    class_names: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    detector: str | None = None
    no_face: int = 0
    synthetic: bool = False

    @classmethod
    def from_fields(cls, fields: FieldReader) -> CrossTarget:
        """A target as :func:`dataclasses.asdict` wrote it, checked field by field.

        Raises
        ------
        ValueError
            One line naming the field of the wrong type (``manifest.cross_targets[0].sha256 is 3, expected a string``).
        """
        return cls(name=fields.text("name", REQUIRED), spec=fields.text("spec", REQUIRED),
                   path=fields.text("path", REQUIRED), sha256=fields.text("sha256", REQUIRED),
                   scope=fields.value("scope", lambda value: value in SCOPES, f"one of {', '.join(SCOPES)}"),
                   class_names=fields.texts("class_names"), counts=_whole_numbers(fields, "counts"),
                   options=_texts_by_key(fields, "options"), excluded=_whole_numbers(fields, "excluded"),
                   detector=fields.text("detector"), no_face=fields.whole("no_face", 0),
                   synthetic=fields.flag("synthetic", False))


@dataclass
class CrossScore:
    """One model's score on one target (a record's ``cross_scores`` entry).

    Attributes
    ----------
    target : str
        The target's name (:attr:`CrossTarget.name`).
    target_sha256 : str
        Its data's sha256: the score belongs to that data.
    status : {"ok", "failed"}
        ``failed``: ``error`` says why (no class in common, predictions outside the model's classes).
    metrics : dict
        :func:`fer_bench.analysis.metrics.classification_metrics` over the model's classes, plus
        ``macro_f1_present`` (the classes with faces in the target); empty when failed.
    left_out : dict of str to int
        Faces not scored, per target class the model lacks (and the classes the target's label map leaves out).
    absent : list of str
        The model's classes that the target has no face of: predicting one is an error, and they are left out of
        ``macro_f1_present``.
    detector : str or None
        As :attr:`CrossTarget.detector`: whether a detector cropped the faces.
    no_face : int
        As :attr:`CrossTarget.no_face`.
    predictions_file : str or None
        ``y_true`` and ``y_pred`` (int64 (n,), the model's labels) of the scored faces, relative to the run folder.
    predict_seconds : float or None
        Wall time of predicting every face of the target, in seconds.
    error : str or None
    """

    target: str
    target_sha256: str
    status: str = "ok"
    metrics: dict[str, Any] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    detector: str | None = None
    no_face: int = 0
    predictions_file: str | None = None
    predict_seconds: float | None = None
    error: str | None = None

    @classmethod
    def from_fields(cls, fields: FieldReader, metrics: dict[str, Any]) -> CrossScore:
        """A score as :func:`dataclasses.asdict` wrote it, with its ``metrics`` already checked by the record's reader.

        Raises
        ------
        ValueError
            One line naming the field of the wrong type (``record knn (seed 0): cross_scores[1].status ...``).
        """
        return cls(target=fields.text("target", REQUIRED), target_sha256=fields.text("target_sha256", REQUIRED),
                   status=fields.value("status", lambda value: value in SCORE_STATUSES,
                                       f"one of {', '.join(SCORE_STATUSES)}", "ok"),
                   metrics=metrics, left_out=_whole_numbers(fields, "left_out"), absent=fields.texts("absent"),
                   detector=fields.text("detector"), no_face=fields.whole("no_face", 0),
                   predictions_file=fields.text("predictions_file"),
                   predict_seconds=fields.number("predict_seconds", expected="a number of seconds, 0 or more"),
                   error=fields.text("error"))


def _whole_numbers(fields: FieldReader, key: str) -> dict[str, int]:
    """An object of whole numbers, 0 or more; empty when absent."""
    numbers = fields.nested(key)
    for name in numbers.raw if numbers else ():
        numbers.whole(name, REQUIRED)
    return {} if numbers is None else numbers.raw


def _texts_by_key(fields: FieldReader, key: str) -> dict[str, str]:
    """An object of strings; empty when absent."""
    texts = fields.nested(key)
    for name in texts.raw if texts else ():
        texts.text(name, REQUIRED)
    return {} if texts is None else texts.raw
