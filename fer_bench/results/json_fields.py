"""The fields of a JSON object of ``results.json``, read by type: a wrong value is one message naming its field.

:meth:`~fer_bench.results.manifest.RunManifest.from_dict` and
:meth:`~fer_bench.results.record.RunRecord.from_dict` read through :class:`FieldReader`;
:meth:`~fer_bench.results.store.ResultsStore.load` puts the file's name before the message.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NoReturn

REQUIRED = object()
"""The ``default`` of a field that must be there."""
SHOWN_LENGTH = 60
"""The most characters of a wrong value a message shows."""


def shown(value: Any) -> str:
    """``value`` as a message shows it: its ``repr``, cut to :data:`SHOWN_LENGTH` characters."""
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


def is_whole(value: Any) -> bool:
    """An integer, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An integer or a float, not a bool; NaN and the infinities too (a diverged loss is one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_square_counts(value: Any) -> bool:
    """A list of k lists of k whole numbers, 0 or more (a confusion matrix)."""
    return isinstance(value, list) and all(
        isinstance(row, list) and len(row) == len(value) and all(is_whole(cell) and cell >= 0 for cell in row)
        for row in value)


class FieldReader:
    """One JSON object of the store, whose fields are read by type.

    Each reader returns its ``default`` for an absent field (and for null where ``default`` is None),
    the field's value where it is of the type asked for, and otherwise raises ValueError:
    ``WHERE: PATH.KEY is VALUE, expected WHAT`` (``is missing`` for an absent field without a default).

    Parameters
    ----------
    raw : Any
        The object.
    where : str
        What it is, for messages: ``record knn (seed 0)``; "" for the manifest, named by ``path``.
    path : str
        Its place inside ``where`` (``metrics``, ``manifest.data``), put before each field's key.

    Raises
    ------
    ValueError
        If ``raw`` is not an object (a dict).
    """

    def __init__(self, raw: Any, where: str, path: str = ""):
        self.where, self.path = where, path
        if not isinstance(raw, dict):
            self.refuse("", raw, "an object")
        self.raw: dict[str, Any] = raw

    def field(self, key: str) -> str:
        """The name messages give field ``key``: ``metrics.accuracy``."""
        return ".".join(part for part in (self.path, key) if part)

    def refuse(self, key: str, value: Any, expected: str) -> NoReturn:
        """Raise the ValueError that says field ``key`` (the object itself for "") holds ``value``."""
        field = self.field(key)
        state = "is missing" if value is REQUIRED else f"is {shown(value)}"
        raise ValueError(f"{': '.join(part for part in (self.where, field) if part)} {state}, expected {expected}")

    def value(self, key: str, valid: Callable[[Any], bool], expected: str, default: Any = REQUIRED) -> Any:
        """The field ``key`` where ``valid(value)``; see the class for ``default`` and the error."""
        value = self.raw.get(key, REQUIRED)
        if (value is REQUIRED and default is not REQUIRED) or (value is None and default is None):
            return default
        if value is REQUIRED or not valid(value):
            self.refuse(key, value, expected)
        return value

    def text(self, key: str, default: Any = None) -> str | None:
        """A string."""
        return self.value(key, lambda value: isinstance(value, str), "a string", default)

    def flag(self, key: str, default: bool) -> bool:
        """true or false."""
        return self.value(key, lambda value: isinstance(value, bool), "true or false", default)

    def whole(self, key: str, default: Any = None, low: int | None = 0, high: int | None = None) -> int | None:
        """An integer from ``low`` to ``high`` (None: unbounded)."""
        expected = ("a whole number" if low is None else f"a whole number from {low} to {high}" if high is not None
                    else f"a whole number, {low} or more")
        return self.value(key, lambda value: is_whole(value) and (low is None or value >= low)
                          and (high is None or value <= high), expected, default)

    def number(self, key: str, default: Any = None, low: float = 0.0, high: float = math.inf,
               expected: str | None = None) -> float | None:
        """A finite number from ``low`` to ``high``; ``expected`` says what it is (default: its range)."""
        expected = expected or (f"a number from {low:g} to {high:g}" if high < math.inf else f"a number, {low:g} or more")
        return self.value(key, lambda value: is_number(value) and math.isfinite(value) and low <= value <= high,
                          expected, default)

    def texts(self, key: str) -> list[str]:
        """A list of strings; empty when absent."""
        return self.value(key, lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
                          "a list of strings", [])

    def table(self, key: str, default: Any = None) -> dict[str, Any] | None:
        """An object, whatever it holds."""
        return self.value(key, lambda value: isinstance(value, dict), "an object", default)

    def nested(self, key: str) -> FieldReader | None:
        """The object in field ``key``, to read its own fields; None when absent or null."""
        value = self.table(key)
        return None if value is None else FieldReader(value, self.where, self.field(key))

    def objects(self) -> list[FieldReader]:
        """This object's values, each an object whose fields are read in turn (``per_class.Angry``)."""
        return [FieldReader(value, self.where, self.field(key)) for key, value in self.raw.items()]

    def rows(self, key: str) -> list[FieldReader]:
        """The objects of a list field, to read their own fields (``history[2].epoch``); empty when absent."""
        items = self.value(key, lambda value: isinstance(value, list), "a list of objects", [])
        return [FieldReader(item, self.where, f"{self.field(key)}[{index}]") for index, item in enumerate(items)]
