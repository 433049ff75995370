"""A card's output classes onto FER-2013's seven: names and synonyms, the columns kept, the faces left out.

The names (``[output] classes`` of a card) are matched case-insensitively to
:data:`fer_bench.labels.FER2013_CLASSES` or one of :data:`SYNONYMS` (FER+'s
spellings among them). A class with no counterpart (contempt, unknown, NF) is
left out: its column is dropped and the rest renormalised
(:func:`fer_bench.cards.probabilities`); faces whose true class the model
cannot output are counted (:meth:`ClassMapping.left_out`), not scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..labels import FER2013_CLASSES

SYNONYMS: dict[str, str] = {"anger": "angry", "disgusted": "disgust", "fearful": "fear", "happiness": "happy",
                            "sadness": "sad", "surprised": "surprise", "neutrality": "neutral"}
"""Other spellings of FER-2013's classes (lower case), as the card format (docs/cards.md) lists them."""


@dataclass(frozen=True)
class ClassMapping:
    """How a model's output columns map onto FER-2013's classes.

    Attributes
    ----------
    names : tuple of str
        The model's classes, in output order.
    columns : tuple of int
        The output column of each class kept, in FER-2013's order.
    labels : tuple of int
        The FER-2013 label (``0 .. 6``) of each kept column.
    dropped : tuple of str
        The model's classes with no FER-2013 counterpart, left out.
    """

    names: tuple[str, ...]
    columns: tuple[int, ...]
    labels: tuple[int, ...]
    dropped: tuple[str, ...]

    @property
    def class_names(self) -> tuple[str, ...]:
        """The FER-2013 names of the kept classes, in FER-2013's order (label ``i`` of the model is the ``i``-th)."""
        return tuple(FER2013_CLASSES[label] for label in self.labels)

    @property
    def covers_fer2013(self) -> bool:
        """Whether the model outputs all seven FER-2013 classes (its labels are then FER-2013's own)."""
        return len(self.labels) == len(FER2013_CLASSES)

    def left_out(self, y_fer2013) -> int:
        """How many faces of FER-2013 labels ``y_fer2013`` (int, shape (n,)) are of a class the model cannot output."""
        return int(np.count_nonzero(~np.isin(np.asarray(y_fer2013), self.labels)))


def fer2013_label(name: str) -> int | None:
    """The FER-2013 label of a class name or synonym, case-insensitively; None for a class FER-2013 lacks."""
    lowered = name.strip().lower()
    lowered = SYNONYMS.get(lowered, lowered)
    return next((label for label, fer in enumerate(FER2013_CLASSES) if fer.lower() == lowered), None)


def map_classes(names) -> ClassMapping:
    """The :class:`ClassMapping` of a model's class names (in output order).

    Raises
    ------
    ValueError
        If two names map onto the same FER-2013 class, or fewer than two map onto one (nothing to score).
    """
    names = tuple(names)
    found: dict[int, int] = {}
    dropped = []
    for column, name in enumerate(names):
        label = fer2013_label(name)
        if label is None:
            dropped.append(name)
        elif label in found:
            raise ValueError(f"{names[found[label]]!r} and {name!r} both mean FER-2013's {FER2013_CLASSES[label]}")
        else:
            found[label] = column
    if len(found) < 2:
        raise ValueError(f"fewer than two of them are FER-2013 classes ({', '.join(FER2013_CLASSES)}, or "
                         f"{', '.join(SYNONYMS)})")
    labels = tuple(sorted(found))
    return ClassMapping(names, tuple(found[label] for label in labels), labels, tuple(dropped))
