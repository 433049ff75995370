"""A model card (``NAME.toml``, format version 1: ``docs/cards.md``) read with tomllib and checked key by key.

Every bad or missing key is one :class:`CardError` line naming the card file, the key and what was
expected, e.g. ``cards/x.toml: [input] height = 0: expected a whole number of pixels from 1 to 1024``.
The input size is checked here, before anything is allocated; the model file must lie inside the
card's folder (links resolved).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .._io import parse_within_depth
from .classes import ClassMapping, map_classes

CARD_VERSION = 1
MAX_SIDE = 1024
"""The largest input height or width a card may declare, in pixels."""
MAX_CARD_BYTES = 1 * 2**20
"""A card is a short text: a larger file is refused before it is parsed."""
FORMATS: dict[str, tuple[str, ...]] = {
    "onnx": (".onnx",), "keras": (".keras", ".h5", ".hdf5"), "tflite": (".tflite",),
}
"""Each model format and the file suffixes it takes."""
NEVER_LOADED: dict[str, str] = {"torchscript": "export it to ONNX (torch.onnx.export) and describe that",
                                "pickle": "convert it to ONNX (skl2onnx) and describe that"}
"""Formats whose loading can run any code (pickled objects inside): refused, with what to do instead."""
CHANNELS: dict[str, int] = {"gray": 1, "rgb": 3, "bgr": 3}
LAYOUTS: tuple[str, ...] = ("nchw", "nhwc")
INTERPOLATIONS: tuple[str, ...] = ("nearest", "bilinear", "bicubic", "area", "lanczos")
DTYPES: tuple[str, ...] = ("float32", "uint8")
KINDS: tuple[str, ...] = ("probabilities", "logits")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
SHOWN_LENGTH = 60


class CardError(ValueError):
    """A card that cannot be read or breaks the format: one line naming the file and the key."""


@dataclass(frozen=True)
class InputSpec:
    """What the model takes: ``[input]`` of the card.

    ``height`` and ``width`` in pixels; ``value_range`` maps pixel 0 and 255 (linearly); ``mean`` and ``std``
    (one value, or one per channel in the card's channel order) are applied after it.
    """

    height: int
    width: int
    channels: str
    layout: str
    value_range: tuple[float, float]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    interpolation: str
    dtype: str = "float32"

    @property
    def n_channels(self) -> int:
        return CHANNELS[self.channels]


@dataclass(frozen=True)
class Card:
    """A checked model card.

    Attributes
    ----------
    path : Path
        The card file (or, for a built-in card, its name), as messages name it.
    folder : Path
        The folder its paths are relative to (resolved).
    name : str
        The report's row name.
    model_file : Path
        The model file, resolved, inside ``folder``.
    format : str
        One of :data:`FORMATS`.
    input : InputSpec
    classes : tuple of str
        The model's output classes, in order.
    mapping : ClassMapping
        Those classes onto FER-2013's.
    kind : str
        ``probabilities`` or ``logits`` (softmax applied).
    source : dict
        ``[source]``: ``trained_on`` and the optional ``citation``, ``license``, ``url``, ``claimed_accuracy``
        (0..1), ``claimed_on``.
    parity : dict
        ``[parity]`` as ``fer_bench export`` wrote it; empty when absent.
    """

    path: Path
    folder: Path
    name: str
    model_file: Path
    format: str
    input: InputSpec
    classes: tuple[str, ...]
    mapping: ClassMapping
    kind: str
    source: dict[str, Any] = field(default_factory=dict)
    parity: dict[str, Any] = field(default_factory=dict)

    def facts(self) -> dict[str, Any]:
        """What a run records of the card (``RunRecord.pretrained``): its path, format, classes and ``[source]``."""
        return {**self.source, "card": str(self.path), "format": self.format, "classes": list(self.classes),
                "dropped_classes": list(self.mapping.dropped)}


def _shown(value: Any) -> str:
    """A value as the card spells it (TOML-like), cut to :data:`SHOWN_LENGTH` characters."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, list):
        text = "[" + ", ".join(_shown(item) for item in value) + "]"
    elif isinstance(value, dict):
        text = "{...}"
    else:
        text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


class _Table:
    """One table of the card, read key by key; a wrong key raises :class:`CardError` naming it."""

    def __init__(self, path: Path, raw: dict, name: str | None):
        self.path, self.raw, self.name = path, raw, name

    def where(self, key: str) -> str:
        return f"{self.path}: " + (f"[{self.name}] {key}" if self.name else key)

    def fail(self, key: str, expected: str, value: Any = None) -> CardError:
        shown = " is missing" if key not in self.raw else f" = {_shown(value if value is not None else self.raw[key])}"
        return CardError(f"{self.where(key)}{shown}: expected {expected}")

    def get(self, key: str, accept: Callable[[Any], bool], expected: str, default: Any = None, required=True):
        if key not in self.raw:
            if required:
                raise self.fail(key, expected)
            return default
        value = self.raw[key]
        if not accept(value):
            raise self.fail(key, expected)
        return value

    def choice(self, key: str, choices, default: str | None = None) -> str:
        return self.get(key, lambda value: value in choices, f"one of {', '.join(map(repr, choices))}".replace("'", '"'),
                        default, required=default is None)

    def text(self, key: str, required: bool = False) -> str | None:
        return self.get(key, lambda value: isinstance(value, str) and value.strip() != "", "a non-empty string",
                        required=required)

    def check_known(self, known: tuple[str, ...]) -> None:
        unknown = [key for key in self.raw if key not in known]
        if unknown:
            raise CardError(f"{self.where(unknown[0])}: unknown key; expected one of {', '.join(known)}")


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numbers(value: Any, lengths: tuple[int, ...]) -> bool:
    return isinstance(value, list) and len(value) in lengths and all(_is_number(item) for item in value)


def _table(path: Path, raw: dict, name: str, required: bool = True) -> _Table:
    if name not in raw:
        if required:
            raise CardError(f"{path}: [{name}] is missing: expected a table [{name}]")
        return _Table(path, {}, name)
    if not isinstance(raw[name], dict):
        raise CardError(f"{path}: {name} = {_shown(raw[name])}: expected a table [{name}]")
    return _Table(path, raw[name], name)


def read_card(path: str | Path, *, text: str | None = None, folder: str | Path | None = None) -> Card:
    """Read and check a model card.

    Parameters
    ----------
    path : path
        The card file (``NAME.toml``); with ``text``, only how messages name it.
    text : str, optional
        The card's text, instead of reading ``path`` (a built-in card).
    folder : path, optional
        The folder its paths are relative to (default: the card's own folder).

    Returns
    -------
    Card

    Raises
    ------
    CardError
        One line naming the file and the first bad or missing key (see the module's docstring), or why the file
        is not a card: not UTF-8 TOML, over :data:`MAX_CARD_BYTES`, nested too deeply.
    FileNotFoundError
        If the card file does not exist.
    """
    path = Path(path)
    if text is None:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise CardError(f"{path}: {path.stat().st_size:,} bytes, more than a card may be "
                            f"({MAX_CARD_BYTES:,}); not a model card")
        try:
            text = path.read_bytes().decode()
        except UnicodeDecodeError as error:
            raise CardError(f"{path}: not UTF-8 text ({error.reason}); not a model card") from None
    try:
        raw = parse_within_depth(tomllib.loads, text, path)
    except tomllib.TOMLDecodeError as error:
        raise CardError(f"{path}: not valid TOML ({error})") from None
    except ValueError as error:
        raise CardError(str(error)) from None
    top = _Table(path, raw, None)
    top.get("card_version", lambda value: _is_whole(value) and value == CARD_VERSION,
            f"{CARD_VERSION} (the card format this fer_bench reads)")
    name = top.get("name", lambda value: isinstance(value, str) and NAME_PATTERN.fullmatch(value) is not None,
                   "a short name of letters, digits, '_', '-' and '.', starting with a letter or digit")
    base = Path(folder if folder is not None else path.parent).resolve()
    model = _table(path, raw, "model")
    model.check_known(("file", "format"))
    if model.raw.get("format") in NEVER_LOADED:
        raise model.fail("format", f"one of {', '.join(FORMATS)}: a {model.raw['format']} model can run any code "
                                   f"when loaded and fer_bench never loads one; {NEVER_LOADED[model.raw['format']]}")
    file_format = model.choice("format", tuple(FORMATS))
    model_file = _model_file(model, base, file_format)
    spec = _input(_table(path, raw, "input"))
    output = _table(path, raw, "output")
    output.check_known(("classes", "kind"))
    classes = output.get("classes", lambda value: isinstance(value, list) and len(value) >= 2 and all(
        isinstance(item, str) and item.strip() for item in value) and len(set(value)) == len(value),
                         "a list of two or more distinct class names, in output order")
    try:
        mapping = map_classes(classes)
    except ValueError as error:
        raise output.fail("classes", f"classes that map onto FER-2013's: {error}") from None
    kind = output.choice("kind", KINDS)
    return Card(path=path, folder=base, name=name, model_file=model_file, format=file_format, input=spec,
                classes=tuple(classes), mapping=mapping, kind=kind, source=_source(_table(path, raw, "source")),
                parity=dict(_table(path, raw, "parity", required=False).raw))


def _model_file(model: _Table, base: Path, file_format: str) -> Path:
    """``[model] file``: relative, inside the card's folder once resolved, existing, with its format's suffix."""
    relative = model.get("file", lambda value: isinstance(value, str) and value.strip() != "",
                         "the model file's path, relative to the card's folder")
    suffixes = FORMATS[file_format]
    if Path(relative).is_absolute():
        raise model.fail("file", f"a path relative to the card's folder {base}, not an absolute one")
    resolved = (base / relative).resolve()
    if not resolved.is_relative_to(base):
        raise model.fail("file", f"a path inside the card's folder {base} (it leads to {resolved})")
    if resolved.suffix.lower() not in suffixes:
        raise model.fail("file", f"a {file_format} file ({', '.join(suffixes)}), as [model] format says")
    if not resolved.is_file():
        raise model.fail("file", f"an existing file; there is no {resolved}")
    return resolved


def _input(table: _Table) -> InputSpec:
    """``[input]``, the size checked first (nothing is allocated from an absurd one)."""
    table.check_known(("height", "width", "channels", "layout", "range", "mean", "std", "interpolation", "dtype"))
    pixels = f"a whole number of pixels from 1 to {MAX_SIDE}"
    height = table.get("height", lambda value: _is_whole(value) and 1 <= value <= MAX_SIDE, pixels)
    width = table.get("width", lambda value: _is_whole(value) and 1 <= value <= MAX_SIDE, pixels)
    channels = table.choice("channels", tuple(CHANNELS))
    layout = table.choice("layout", LAYOUTS)
    value_range = table.get("range", lambda value: _numbers(value, (2,)) and value[0] != value[1],
                            "[low, high]: two different finite numbers, what pixels 0 and 255 map to")
    n = CHANNELS[channels]
    per_channel = f"a list of 1 or {n} finite numbers" if n > 1 else "a list of 1 finite number"
    mean = table.get("mean", lambda value: _numbers(value, (1, n)), per_channel, [0.0], required=False)
    std = table.get("std", lambda value: _numbers(value, (1, n)) and all(item != 0 for item in value),
                    f"{per_channel}, none of them 0" if n > 1 else f"{per_channel}, not 0", [1.0], required=False)
    interpolation = table.choice("interpolation", INTERPOLATIONS)
    dtype = table.choice("dtype", DTYPES, "float32")
    if dtype == "uint8" and (value_range != [0, 255] or any(mean) or any(item != 1 for item in std)):
        raise table.fail("dtype", 'range = [0, 255], mean = [0] and std = [1] with it: a uint8 input takes the '
                                  'pixels as they are')
    return InputSpec(height, width, channels, layout, (float(value_range[0]), float(value_range[1])),
                     tuple(map(float, mean)), tuple(map(float, std)), interpolation, dtype)


def _source(table: _Table) -> dict[str, Any]:
    """``[source]``: ``trained_on`` required, the rest optional; keys the format does not name are kept as they are."""
    source = dict(table.raw)
    source["trained_on"] = table.text("trained_on", required=True)
    for key in ("citation", "license", "url", "claimed_on"):
        table.text(key)
    table.get("claimed_accuracy", lambda value: _is_number(value) and 0 <= value <= 1,
              "the authors' accuracy as a fraction from 0 to 1", required=False)
    return source
