"""A model card as a scikit-learn classifier of FER-2013 faces: :class:`CardClassifier`, :func:`load_card_model`.

The model was trained elsewhere: ``fit`` trains nothing. Its labels are the
FER-2013 classes the card's model can output, in FER-2013's order (label ``i``
is ``card.mapping.class_names[i]``; FER-2013's own labels when it outputs all
seven). Faces go through the card's declared preprocessing and runtime
(:mod:`fer_bench.cards`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..cards.builtin import BUILTIN_CARDS, open_card
from ..cards.card import Card
from ..cards.inference import class_probabilities, raw_outputs
from ..cards.runtimes import RUNTIMES, open_runtime
from .._io import atomic_write_json, read_json_object
from ._validation import IMAGE_SIZE, as_faces, encode_labels

CONFIG_FILE = "config.json"
"""As :data:`fer_bench.estimators.persistence.CONFIG_FILE` (which loads this module: no import of it here)."""


def check_runtime(card: Card, runtime: str | None) -> None:
    """Refuse ``--runtime`` where the card's model is not in that format.

    Raises
    ------
    ValueError
        If ``runtime`` is not one of :data:`~fer_bench.cards.runtimes.RUNTIMES`, or the card's model is not
        of that format (naming the card).
    """
    if runtime is None or runtime == card.format:
        return
    if runtime not in RUNTIMES:
        raise ValueError(f"--runtime {runtime}: expected one of {', '.join(RUNTIMES)}")
    raise ValueError(f"--runtime {runtime}: {card.path} describes a {card.format} model, not an {runtime} file; "
                     f"export it to {runtime} first, or leave --runtime out")


class CardClassifier(ClassifierMixin, BaseEstimator):
    """A model described by a card, as a fer_bench estimator of uint8 faces (n, 48, 48).

    Parameters
    ----------
    card : str
        The card file (``NAME.toml``) or a built-in card's name (:data:`~fer_bench.cards.BUILTIN_CARDS`).
    runtime : str, optional
        The runtime asked for (``onnx``); None: the card's format's own.
    random_state : None
        Unused (no training); present so the runner can pass its seed.

    Attributes
    ----------
    classes_ : ndarray of int64 of shape (k,)
        The labels fitted on (all the card's FER-2013 classes when loaded with :func:`load_card_model`).
    card_ : Card
    class_names_ : tuple of str
        The FER-2013 name of every label the card can output (label = index).
    pretrained_ : dict
        What a run records of the card (:meth:`~fer_bench.cards.Card.facts`).
    device_ : str
        ``cpu``.
    """

    def __init__(self, card: str = "fer_minixception", runtime: str | None = None, random_state: int | None = None):
        self.card = card
        self.runtime = runtime
        self.random_state = random_state

    def fit(self, X, y) -> "CardClassifier":
        """Check the labels and open the model; no training.

        ``X``, faces (n, 48, 48) or rows (n, 2304), is checked and otherwise unused; ``y``, ints of shape (n,),
        must be labels of the card's classes (``0 .. k-1``). Returns self.

        Raises
        ------
        ValueError
            If X is malformed or y holds other labels; as :func:`~fer_bench.cards.open_card` and
            :func:`~fer_bench.cards.open_runtime` (ImportError for a missing runtime).
        """
        classes, _ = encode_labels(y, len(as_faces(X)))
        card = open_card(self.card)
        names = card.mapping.class_names
        if not np.issubdtype(classes.dtype, np.integer) or classes.min() < 0 or classes.max() >= len(names):
            raise ValueError(f"y must be labels 0..{len(names) - 1} of {card.path}'s classes ({', '.join(names)}): "
                             "the pretrained model predicts exactly those")
        return self._open(card, np.asarray(classes, dtype=np.int64))

    def _open(self, card: Card, classes: np.ndarray) -> "CardClassifier":
        check_runtime(card, self.runtime)
        self.run_ = open_runtime(card)
        self.card_, self.classes_ = card, classes
        self.class_names_ = card.mapping.class_names
        self.n_features_in_ = IMAGE_SIZE * IMAGE_SIZE
        self.device_ = "cpu"
        self.pretrained_ = card.facts()
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X: float64 of shape (n, len(classes_)), columns ordered as ``classes_``
        (the model's outputs for those classes, renormalised); rows sum to 1.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` or loading.
        ValueError
            If X is malformed, or the model's outputs do not fit the card.
        """
        check_is_fitted(self)
        faces = as_faces(X)
        proba = class_probabilities(self.card_, raw_outputs(self.run_, faces, self.card_.input))[:, self.classes_]
        totals = proba.sum(axis=1, keepdims=True)
        return np.where(totals > 0, proba / np.where(totals > 0, totals, 1.0), 1.0 / proba.shape[1])

    def predict(self, X) -> np.ndarray:
        """The most probable label of each face: int64 of shape (n,), values of ``classes_``."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def save(self, directory) -> None:
        """Write ``config.json`` (the card, as an absolute path or a built-in name, the runtime and the classes)
        to ``directory``; the model file stays where the card says."""
        card = self.card if self.card in BUILTIN_CARDS else str(Path(self.card).resolve())
        check_is_fitted(self)
        atomic_write_json(Path(directory) / CONFIG_FILE,
                          {"card": card, "runtime": self.runtime, "classes": self.classes_.tolist()})

    @classmethod
    def load(cls, directory) -> "CardClassifier":
        """Rebuild an estimator written by :meth:`save` (its card read again).

        A ``config.json`` without a card is one the former ``FerMiniXception`` wrote: the built-in card
        ``fer_minixception``.

        Raises
        ------
        FileNotFoundError
            Without ``config.json``, or if its card is gone.
        """
        config = read_json_object(Path(directory) / CONFIG_FILE)
        estimator = cls(card=config.get("card", "fer_minixception"), runtime=config.get("runtime"))
        return estimator._open(open_card(estimator.card), np.asarray(config["classes"], dtype=np.int64))


def load_card_model(reference: str | Path, runtime: str | None = None) -> CardClassifier:
    """A card file or built-in card's name as a fitted :class:`CardClassifier` over all of the card's classes.

    ``runtime`` is ``--runtime`` (checked by :func:`check_runtime`). No card's model runs code when loaded.

    Raises
    ------
    FileNotFoundError, ValueError, ImportError
        As :func:`~fer_bench.cards.open_card`, :func:`check_runtime` and :func:`~fer_bench.cards.open_runtime`.
    """
    card = open_card(reference)
    estimator = CardClassifier(card=str(reference), runtime=runtime)
    return estimator._open(card, np.arange(len(card.mapping.labels), dtype=np.int64))
