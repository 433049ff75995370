"""What the Keras estimators share: a fitted Keras network as a scikit-learn classifier, saved as ``config.json``.

:class:`~.classifier.KerasCNNClassifier` keeps the network in ``model_``,
predicts the most probable of ``classes_``, and writes its parameters and
facts to ``config.json`` with :meth:`KerasNetworkEstimator._write_config`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import IMAGE_SIZE, as_faces
from ..persistence import read_config, write_config
from .backend import import_keras

if TYPE_CHECKING:
    import keras


class KerasNetworkEstimator(ClassifierMixin, BaseEstimator):
    """Base of the Keras estimators; subclasses define ``__init__``, ``fit``, ``predict_proba``, ``save`` and ``load``.

    Attributes (once fitted or loaded)
    ----------------------------------
    model_ : keras.Model
        The network.
    classes_ : ndarray of shape (k,)
        Labels of the output columns.
    n_params_ : int
        Parameters of the network, batch-norm moving statistics included.
    device_ : str
        Where Keras runs, e.g. ``"cpu:0"`` or ``"gpu:0"``.
    """

    def _set_network(self, network: "keras.Model", classes: np.ndarray) -> None:
        """Set the attributes every fitted Keras estimator has."""
        self.model_ = network
        self.classes_ = classes
        self.n_features_in_ = IMAGE_SIZE * IMAGE_SIZE
        self.n_params_ = int(network.count_params())
        self.device_ = import_keras().distribution.list_devices()[0]

    def _faces(self, X) -> np.ndarray:
        """The faces of ``X`` to predict, uint8 of shape (n, 48, 48) (see :func:`~.._validation.as_faces`).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` or ``load``.
        ValueError
            If X is malformed.
        """
        check_is_fitted(self)
        return as_faces(X)

    def predict(self, X) -> np.ndarray:
        """Most probable label of each face, shape (n,), of the labels' type (``classes_``); raises as ``predict_proba``."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def _write_config(self, directory: str | Path, **facts) -> None:
        """Write ``config.json``: ``params`` (``get_params``), then ``facts``, in order.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self)
        write_config(directory, {"params": self.get_params(deep=False), **facts})

    @classmethod
    def _from_config(cls, directory: str | Path) -> tuple["KerasNetworkEstimator", dict]:
        """An unfitted estimator with the ``params`` of ``directory/config.json``, and the whole config.

        Raises
        ------
        FileNotFoundError
            If ``config.json`` is missing.
        """
        config = read_config(directory)
        return cls(**config["params"]), config
