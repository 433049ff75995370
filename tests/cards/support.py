"""Cards written for the tests: a valid card as a dict, changed key by key, written as TOML."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

SEVEN = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def card_dict(file: str = "model.onnx", file_format: str = "onnx", **input_overrides) -> dict:
    """A valid card (format version 1) of a 32x32 gray NCHW float model with FER-2013's seven classes."""
    return {
        "card_version": 1, "name": "tiny",
        "model": {"file": file, "format": file_format},
        "input": {"height": 32, "width": 32, "channels": "gray", "layout": "nchw", "range": [0.0, 1.0],
                  "mean": [0.5], "std": [0.25], "interpolation": "area", **input_overrides},
        "output": {"classes": list(SEVEN), "kind": "logits"},
        "source": {"trained_on": "synthetic faces", "claimed_accuracy": 0.5, "claimed_on": "nothing"},
    }


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)  # strings and numbers as TOML spells them


def to_toml(card: dict) -> str:
    """``card`` as TOML: its plain keys first, then one table per dict."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in card.items() if not isinstance(value, dict)]
    for table, values in card.items():
        if isinstance(values, dict):
            lines += [f"\n[{table}]"] + [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def write_card(folder: Path, card: dict, name: str = "tiny.toml", model_bytes: bytes | None = b"") -> Path:
    """Write ``card`` to ``folder/name``, and (unless ``model_bytes`` is None) its model file if absent."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / str(card.get("model", {}).get("file", "model.onnx"))
    if model_bytes is not None and not model.exists() and model.resolve().is_relative_to(folder.resolve()):
        model.parent.mkdir(parents=True, exist_ok=True)
        model.write_bytes(model_bytes)
    path = folder / name
    path.write_text(to_toml(card))
    return path


def changed(card: dict, table: str | None, key: str, value) -> dict:
    """A copy of ``card`` with ``[table] key`` set to ``value`` (removed where ``value`` is ``...``)."""
    card = copy.deepcopy(card)
    target = card if table is None else card[table]
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return card


def faces(n: int, seed: int = 0) -> np.ndarray:
    """Random uint8 faces (n, 48, 48)."""
    return np.random.default_rng(seed).integers(0, 256, (n, 48, 48), dtype=np.uint8)
