"""Class names of the label sets fer_bench knows.

FER-2013 (Goodfellow et al., 2013) numbers its seven expressions 0..6 in the
order of :data:`FER2013_CLASSES`; every loader maps folder names and other data
sets' names onto these indices.
"""

FER2013_CLASSES: tuple[str, ...] = ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral")
"""FER-2013's seven expressions, index = label."""

SPLITS: tuple[str, ...] = ("Training", "PublicTest", "PrivateTest")
"""FER-2013's split names: Training, PublicTest (validation), PrivateTest (test)."""


def class_index(name: str) -> int:
    """Return the FER-2013 label of a class name, case-insensitively.

    Raises
    ------
    KeyError
        If ``name`` is not one of :data:`FER2013_CLASSES`.
    """
    lowered = name.strip().lower()
    for index, class_name in enumerate(FER2013_CLASSES):
        if class_name.lower() == lowered:
            return index
    raise KeyError(f"unknown expression {name!r}; expected one of {', '.join(FER2013_CLASSES)}")
