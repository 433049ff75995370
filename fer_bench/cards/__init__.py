"""Model cards: networks trained elsewhere, described by a TOML card (``docs/cards.md``), read without running code.

- :func:`read_card`, :class:`Card`, :class:`CardError`: a card read and checked key by key (:mod:`.card`);
- :func:`map_classes`, :class:`ClassMapping`: its classes onto FER-2013's seven (:mod:`.classes`);
- :func:`preprocess`: FER-2013 faces to the model's declared input (:mod:`.preprocessing`);
- :func:`open_runtime`: the model file as a function, under onnxruntime, Keras (safe mode) or LiteRT
  (:mod:`.runtimes`);
- :func:`class_probabilities`, :func:`raw_outputs`: faces to FER-2013 class probabilities (:mod:`.inference`);
- :func:`open_card`: a card file or a built-in card's name (:mod:`.builtin`).

Layer 3, beside :mod:`fer_bench.estimators`, which makes a card a scikit-learn-like classifier
(:class:`fer_bench.estimators.card_model.CardClassifier`); of the estimators this package imports only
:func:`fer_bench.estimators.keras.backend.import_keras`.
"""

from .._lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "card": ("CARD_VERSION", "Card", "CardError", "InputSpec", "read_card"),
    "classes": ("ClassMapping", "map_classes"),
    "preprocessing": ("preprocess",),
    "runtimes": ("UntrustedCardError", "missing_modules", "open_runtime"),
    "inference": ("class_probabilities", "raw_outputs"),
    "builtin": ("BUILTIN_CARDS", "FER_INSTALL", "builtin_card", "open_card"),
})
