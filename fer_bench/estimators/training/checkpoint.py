"""A network's training state after each epoch, so that an interrupted fit goes on from its last epoch.

A fit with an epoch or step budget (not a time budget, whose clock cannot be carried over)
writes an :class:`EpochCheckpoint` after every epoch: the loop's counters, the epoch log,
the best epoch's weights and the framework's own state (PyTorch: the network, optimiser,
learning-rate schedule, gradient scaler and the shuffling generator). ``run --resume``
hands the same file to the fit again, which then trains only the epochs left, and the
result equals the uninterrupted fit's on the same device (the same batches in the same
order, at the same learning rates).

The file is written with ``torch.save`` to a temporary name and renamed over the old one,
so an interruption leaves the previous epoch's checkpoint whole. It is read with
``torch.load(weights_only=True)``: tensors and plain containers only, never pickled code.
A checkpoint of another fit (other settings, seed or faces: its ``fingerprint`` differs)
is not used; the fit starts from the beginning and says so in its log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._progress import EPOCH_LOGGER


def fingerprint(settings: dict, seed: int, *arrays: np.ndarray | None) -> str:
    """SHA-256 of a fit's settings (JSON values), seed and arrays (their shapes, dtypes and values; None skipped)."""
    digest = hashlib.sha256(json.dumps({"settings": settings, "seed": seed}, sort_keys=True, default=str).encode())
    for array in arrays:
        if array is not None:
            array = np.ascontiguousarray(array)
            digest.update(f"{array.shape}{array.dtype}".encode())
            digest.update(json.dumps(array.tolist(), default=str).encode() if array.dtype == object else array.data)
    return digest.hexdigest()


class EpochCheckpoint:
    """The last finished epoch's training state of one fit, in one file.

    Parameters
    ----------
    path : path
        The checkpoint file (``RUN_DIR/checkpoints/NAME[.seedK].pt`` in a run); its folder is created on
        the first :meth:`save`.
    fingerprint : str
        What identifies the fit (:func:`fingerprint`); a stored state with another one is not loaded.
    """

    def __init__(self, path, fingerprint: str):
        self.path, self.fingerprint = Path(path), fingerprint

    def load(self) -> dict | None:
        """The stored state of this fit, or None when there is no checkpoint or it is another fit's.

        Raises
        ------
        ValueError
            If the file exists but cannot be read as a checkpoint (naming the file).
        """
        import torch

        if not self.path.is_file():
            return None
        try:
            stored = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as error:  # torch raises several types for a truncated or foreign file
            raise ValueError(f"{self.path}: not a training checkpoint fer_bench can read ({error}); "
                             "delete it to train this fit from the start") from error
        if not isinstance(stored, dict) or "fingerprint" not in stored or "state" not in stored:
            raise ValueError(f"{self.path}: not a training checkpoint fer_bench wrote (no fingerprint and state); "
                             "delete it to train this fit from the start")
        if stored["fingerprint"] != self.fingerprint:
            EPOCH_LOGGER.log(logging.WARNING, f"{self.path}: a checkpoint of another fit (other settings, seed or "
                                              "faces); training from the start")
            return None
        return stored["state"]

    def save(self, state: dict[str, Any]) -> None:
        """Write ``state`` (tensors, numbers, strings, lists and dicts of them) in place of the last epoch's."""
        import torch

        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        torch.save({"fingerprint": self.fingerprint, "state": state}, partial)
        os.replace(partial, self.path)
