"""A model card (format version 1, see docs/estimators.md "Exporting a model to ONNX") as TOML text: the tables
``fer_bench export`` writes beside ``model.onnx``.

The card's tables are flat (strings, numbers, booleans and lists of them), so the
writer is a few lines: strings are JSON-escaped, which TOML's basic strings read the same
(every other control character is escaped too), and the text is read back with
:mod:`tomllib` before it is returned.
"""

from __future__ import annotations

import json
import math
import tomllib
from typing import Any

CARD_VERSION = 1
TABLES: tuple[str, ...] = ("model", "input", "output", "source", "parity")
"""The card's tables, in the order they are written."""
FACE_INPUT: dict[str, Any] = {"height": 48, "width": 48, "channels": "gray", "range": [0.0, 1.0], "mean": [0.0],
                              "std": [1.0], "interpolation": "bilinear", "dtype": "float32"}
"""The ``[input]`` of every exported model, less its ``layout``: FER-2013's 48x48 gray faces, pixel 0 as 0.0 and
255 as 1.0 (float32); any crop, resize or test-time augmentation of the model is inside its graph."""


def face_input(layout: str) -> dict[str, Any]:
    """The ``[input]`` table of an exported model whose graph takes faces in ``layout`` (``nchw`` or ``nhwc``)."""
    return {"height": FACE_INPUT["height"], "width": FACE_INPUT["width"], "channels": FACE_INPUT["channels"],
            "layout": layout, **{key: FACE_INPUT[key] for key in ("range", "mean", "std", "interpolation", "dtype")}}


def card_text(card: dict[str, Any]) -> str:
    """The TOML text of ``card``: its top-level values, then each table of :data:`TABLES` it has.

    Parameters
    ----------
    card : dict
        ``card_version``, ``name`` and tables (dicts of str to str, int, float, bool or lists of them).

    Returns
    -------
    str
        TOML that :func:`tomllib.loads` reads back as ``card``.

    Raises
    ------
    ValueError
        If a value is of another type, a float is not finite, a string holds a lone surrogate, or a table is
        not in :data:`TABLES`.
    """
    unknown = [key for key, value in card.items() if isinstance(value, dict) and key not in TABLES]
    if unknown:
        raise ValueError(f"card table [{unknown[0]}]: not a table of card format {CARD_VERSION}")
    lines = [f"{key} = {_value(value)}" for key, value in card.items() if not isinstance(value, dict)]
    for table in TABLES:
        if table in card:
            lines += ["", f"[{table}]"] + [f"{key} = {_value(value)}" for key, value in card[table].items()]
    text = "\n".join(lines) + "\n"
    if tomllib.loads(text) != card:
        raise ValueError("the card's TOML does not read back as written")
    return text


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a card holds finite numbers only, not {value}")
        return repr(value)
    if isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate (an undecodable byte of a file name) has no TOML form: ValueError
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise ValueError(f"a card holds strings, numbers, booleans and lists, not {type(value).__name__}")
