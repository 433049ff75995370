"""Class names of the label sets fer_bench knows.

FER-2013 (Goodfellow et al., 2013) numbers its seven expressions 0..6 in the
order of :data:`FER2013_CLASSES`; every loader maps folder names and other data
sets' names onto these indices. FER+ relabels the same faces with eight
classes (:data:`FERPLUS_CLASSES`), and :data:`LABEL_MAPS` maps other data sets'
folder names onto FER-2013's. The ``*_CODES`` tables give the numeric codes of
the data sets whose label files hold numbers, each checked against the data
set's own documentation or reference code (cited at each table).
"""

FER2013_CLASSES: tuple[str, ...] = ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral")
"""FER-2013's seven expressions, index = label."""

SPLITS: tuple[str, ...] = ("Training", "PublicTest", "PrivateTest")
"""FER-2013's split names: Training, PublicTest (validation), PrivateTest (test)."""

FERPLUS_CLASSES: tuple[str, ...] = ("Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust", "Fear",
                                    "Contempt")
"""FER+'s eight expressions (Barsoum et al., 2016), index = label: the order of
the vote columns of Microsoft's ``fer2013new.csv``."""

FERPLUS_NON_EXPRESSIONS: tuple[str, ...] = ("unknown", "NF")
"""The vote columns of ``fer2013new.csv`` after the eight expressions: the
annotators could not tell the expression, or the image is not a face."""

FERPLUS_TO_FER2013: dict[str, str | None] = {
    "Neutral": "Neutral", "Happiness": "Happy", "Surprise": "Surprise", "Sadness": "Sad", "Anger": "Angry",
    "Disgust": "Disgust", "Fear": "Fear", "Contempt": None,
}
"""FER+ class names -> FER-2013 class names; None where FER-2013 has no
counterpart (contempt)."""

CK_PLUS_TO_FER2013: dict[str, str | None] = {
    "anger": "Angry", "contempt": None, "disgust": "Disgust", "fear": "Fear", "happy": "Happy",
    "neutral": "Neutral", "sadness": "Sad", "surprise": "Surprise",
}
"""CK+ folder names (Lucey et al., 2010) -> FER-2013 class names; None where
FER-2013 has no counterpart (contempt). ``neutral`` serves the CK+ exports
that add neutral frames."""

CK_PLUS_CODES: tuple[str, ...] = ("neutral", "anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise")
"""CK+'s emotion codes, index = code, as the distribution's README gives them (Lucey et al., 2010, "The Extended
Cohn-Kanade (CK+) database distribution: PHASE 1": "0=neutral, 1=anger, 2=contempt, 3=disgust, 4=fear,
5=happy, 6=sadness, 7=surprise"); names as in :data:`CK_PLUS_TO_FER2013`."""

JAFFE_TO_FER2013: dict[str, str | None] = {
    "an": "Angry", "di": "Disgust", "fe": "Fear", "ha": "Happy", "ne": "Neutral", "sa": "Sad", "su": "Surprise",
}
"""JAFFE's expression codes in its file names (Lyons et al., 1998; the distribution's README: AN anger, DI
disgust, FE fear, HA happiness, NE neutral, SA sadness, SU surprise) -> FER-2013 class names, one to one."""

RAFDB_CODES: dict[int, str] = {1: "surprise", 2: "fear", 3: "disgust", 4: "happiness", 5: "sadness", 6: "anger",
                               7: "neutral"}
"""RAF-DB basic's codes in ``EmoLabel/list_patition_label.txt`` (Li et al., 2017): 1 Surprise, 2 Fear, 3 Disgust,
4 Happiness, 5 Sadness, 6 Anger, 7 Neutral, as the reference loaders read them (HCPLab-SYSU/CD-FER-Benchmark,
ICID/Utils.py: code - 1 = Surprised, Fear, Disgust, Happy, Sad, Angry, Neutral; their "Basic Notes" give the list
above)."""

RAFDB_TO_FER2013: dict[str, str | None] = {
    "surprise": "Surprise", "fear": "Fear", "disgust": "Disgust", "happiness": "Happy", "sadness": "Sad",
    "anger": "Angry", "neutral": "Neutral",
}
"""RAF-DB basic's class names -> FER-2013 class names, one to one."""

AFFECTNET_CODES: tuple[str, ...] = ("neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt",
                                    "none", "uncertain", "non-face")
"""AffectNet's ``expression`` codes 0-10, index = code (Mollahosseini et al., 2017): 0 Neutral, 1 Happiness,
2 Sadness, 3 Surprise, 4 Fear, 5 Disgust, 6 Anger, 7 Contempt, 8 None, 9 Uncertain, 10 No-Face, as the data set's
site lists them (quoted in nikhil-salodkar/facial_expression's README; reference loaders use the same order)."""

AFFECTNET_TO_FER2013: dict[str, str | None] = {
    "neutral": "Neutral", "happy": "Happy", "sad": "Sad", "surprise": "Surprise", "fear": "Fear",
    "disgust": "Disgust", "anger": "Angry", "contempt": None, "none": None, "uncertain": None, "non-face": None,
}
"""AffectNet's class names -> FER-2013 class names; None for contempt and for the three codes that are not an
expression (none, uncertain, non-face)."""

EXPW_CODES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
"""ExpW's ``expression_label`` codes in ``label.lst``, index = code (Zhang et al., 2018): 0 angry, 1 disgust,
2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral, as reference loaders document the file (its columns: image_name,
face_id_in_image, face_box_top, face_box_left, face_box_right, face_box_bottom, face_box_cofidence,
expression_label) and HCPLab-SYSU/CD-FER-Benchmark maps them. They are FER-2013's names, in FER-2013's order."""

LABEL_MAPS: dict[str, dict[str, str | None]] = {"ck+": CK_PLUS_TO_FER2013, "jaffe": JAFFE_TO_FER2013,
                                                "rafdb": RAFDB_TO_FER2013, "affectnet": AFFECTNET_TO_FER2013}
"""Named mappings from other data sets' class names to FER-2013's (``--label-map``)."""


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


def mapped_class_index(name: str, label_map: str | None = None) -> int | None:
    """Return the FER-2013 label of another data set's class name.

    Parameters
    ----------
    name : str
        A class (folder) name, matched case-insensitively.
    label_map : str, optional
        A key of :data:`LABEL_MAPS` (``"ck+"``); its names are tried first,
        then FER-2013's own names.

    Returns
    -------
    int or None
        The label, or None for a class with no FER-2013 counterpart (CK+ contempt).

    Raises
    ------
    KeyError
        If ``label_map`` is unknown, or ``name`` is neither in the map nor a FER-2013 class.
    """
    if label_map is not None and label_map not in LABEL_MAPS:
        raise KeyError(f"unknown label map {label_map!r}; expected one of {', '.join(LABEL_MAPS)}")
    mapping = LABEL_MAPS[label_map] if label_map is not None else {}
    lowered = name.strip().lower()
    if lowered in mapping:
        target = mapping[lowered]
        return None if target is None else class_index(target)
    try:
        return class_index(name)
    except KeyError:
        known = [*mapping, *(class_name.lower() for class_name in FER2013_CLASSES if class_name.lower() not in mapping)]
        raise KeyError(f"unknown expression {name!r}; expected one of {', '.join(known)}") from None


def same_expression(first: str, second: str) -> bool:
    """Whether two data sets' class names mean one expression: equal ignoring case, or mapped onto one FER-2013
    class by FER-2013's names, FER+'s (:data:`FERPLUS_TO_FER2013`) or a label map (:data:`LABEL_MAPS`)."""
    if first.strip().lower() == second.strip().lower():
        return True
    meaning = [_fer2013_name(name) for name in (first, second)]
    return meaning[0] is not None and meaning[0] == meaning[1]


def _fer2013_name(name: str) -> str | None:
    """The FER-2013 class a known data set's class name means; None for one without a counterpart or unknown."""
    lowered = name.strip().lower()
    maps = [{key.lower(): value for key, value in FERPLUS_TO_FER2013.items()}, *LABEL_MAPS.values(),
            {class_name.lower(): class_name for class_name in FER2013_CLASSES}]
    return next((mapping[lowered] for mapping in maps if lowered in mapping), None)
