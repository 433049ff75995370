"""The other data sets a run's models are scored on (``run --also-test PATH[:option=value,...]``), read.

A target is a FER-2013 layout that ``run --data`` reads (a CSV, FER-2013's image
folders, FER+'s folders), scored on its PrivateTest, or a face folder in any layout
(:func:`fer_bench.datasets.class_folder.read_face_folder`), scored whole, or on its
own test part where the data set has a partition (RAF-DB, AffectNet). A face folder's options:

- ``layout=NAME``: one of :data:`fer_bench.datasets.layouts.LAYOUTS` (default: detected
  from the files, e.g. JAFFE's flat folder, else class folders ``DIR/<class>/*``);
- ``label_map=ck+``: its folder names are another data set's (:data:`fer_bench.labels.LABEL_MAPS`);
- ``detect=haar|mtcnn|none``: crop the largest face a detector finds first
  (:class:`fer_bench.pipeline.face_crop.LargestFaceCrop`); by default ``haar``
  unless every image of class folders is a 48x48 face already; none for the layouts
  with face boxes (AffectNet, ExpW), which crop their boxes. An image without a face
  found is scored whole and counted (``no_face``);
- ``name=NAME`` (any target): what tables call it (default: the file or folder name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..datasets import load_dataset, split_faces
from ..datasets.class_folder import read_face_folder
from ..datasets.layouts import LAYOUTS, detect_layout
from ..datasets.layouts.class_folders import SPLIT_FOLDERS, list_class_folder
from ..datasets.ferplus_folder import is_ferplus_folder
from ..datasets.image_files import image_size
from ..labels import LABEL_MAPS
from ..pipeline import DETECTORS
from ..results import CrossTarget

TARGET_OPTIONS: tuple[str, ...] = ("name", "layout", "label_map", "detect")
"""The options of ``--also-test PATH:option=value,...``."""
FOLDER_OPTIONS: tuple[str, ...] = ("layout", "label_map", "detect")
BOXED_LAYOUTS: tuple[str, ...] = ("affectnet", "expw")
"""Layouts whose label files give each face's box, which they crop themselves (no detector)."""
NO_DETECTOR = "none"


@dataclass(frozen=True, eq=False)
class TargetFaces:
    """A target's faces, ready to score.

    Attributes
    ----------
    info : CrossTarget
        What the manifest records of it.
    images : ndarray of uint8, shape (n, 48, 48)
    labels : ndarray of int64, shape (n,)
        Indices into ``info.class_names``.
    """

    info: CrossTarget
    images: np.ndarray
    labels: np.ndarray


def parse_target(spec: str) -> tuple[Path, dict[str, str]]:
    """``PATH[:option=value,...]`` as the path and its options (checked; the path not yet opened).

    The options follow the last ``:`` when what follows it holds a ``=``; a path
    with a ``:`` of its own is then given with options (``name=...``).

    Raises
    ------
    ValueError
        Naming the argument: an item that is not ``option=value``, an unknown or repeated option, an unknown
        layout, label map or detector, or an empty path.
    """
    path, colon, tail = spec.rpartition(":")
    if not colon or "=" not in tail:
        path, tail = spec, ""
    if not path:
        raise ValueError(f"--also-test {spec!r}: no path; expected PATH[:option=value,...]")
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in tail.split(","))):
        key, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not value:
            raise ValueError(f"--also-test {spec}: {item!r} is not option=value; expected PATH[:option=value,...] "
                             f"with options {', '.join(TARGET_OPTIONS)}")
        if key not in TARGET_OPTIONS:
            raise ValueError(f"--also-test {spec}: unknown option {key!r}; expected {', '.join(TARGET_OPTIONS)}")
        if key in options:
            raise ValueError(f"--also-test {spec}: option {key!r} given twice")
        options[key] = value
    if options.get("label_map", next(iter(LABEL_MAPS))) not in LABEL_MAPS:
        raise ValueError(f"--also-test {spec}: label_map {options['label_map']!r}; expected {', '.join(LABEL_MAPS)}")
    if options.get("layout", "classes") not in LAYOUTS:
        raise ValueError(f"--also-test {spec}: layout {options['layout']!r}; expected {', '.join(LAYOUTS)}")
    detectors = (*DETECTORS, NO_DETECTOR)
    if options.get("detect", NO_DETECTOR) not in detectors:
        raise ValueError(f"--also-test {spec}: detect {options['detect']!r}; expected {', '.join(detectors)}")
    return Path(path), options


def file_part(name: str) -> str:
    """A target's name as part of a file name: other characters than letters, digits, ``-``, ``_`` and ``.`` as ``_``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip(".") or "target"


def load_targets(specs: Sequence[str], training_sha256: str | None = None) -> list[TargetFaces]:
    """Read every ``--also-test`` argument (see the module docstring).

    Parameters
    ----------
    specs : sequence of str
        ``PATH[:option=value,...]``, each.
    training_sha256 : str, optional
        The training data's: a target may not be it.

    Raises
    ------
    ValueError
        Naming the argument: as :func:`parse_target`, folder options for a FER-2013 layout, a target that is the
        training data or another target again, two targets of one name (give ``name=``).
    FileNotFoundError
        If a path does not exist.
    DataError
        As the data's reader (naming the file and row), or a FER-2013 layout without a labelled PrivateTest.
    """
    targets: list[TargetFaces] = []
    for spec in specs:
        target = load_target(spec)
        info = target.info
        twin = next((other.info for other in targets if other.info.sha256 == info.sha256), None)
        if info.sha256 == training_sha256 or twin is not None:
            raise ValueError(f"--also-test {spec}: the same data as {'--data' if twin is None else twin.spec}; "
                             "a target is another data set")
        if any(file_part(other.info.name) == file_part(info.name) for other in targets):
            raise ValueError(f"--also-test {spec}: a second target named {info.name!r}; tell them apart with "
                             f"{spec}:name=OTHER")
        targets.append(target)
    return targets


def load_target(spec: str) -> TargetFaces:
    """Read one ``--also-test`` argument; errors as :func:`load_targets`."""
    path, options = parse_target(spec)
    if not path.exists():
        raise FileNotFoundError(f"--also-test {spec}: {path}: no such file or folder")
    name = options.get("name") or path.name.split(".")[0] or path.name
    if is_face_folder(path):
        return _folder_target(spec, path, options, name)
    given = [key for key in FOLDER_OPTIONS if key in options]
    if given:
        raise ValueError(f"--also-test {spec}: {given[0]} goes with a face folder (DIR/<class>/*); {path} is a "
                         "FER-2013 layout, scored on its PrivateTest")
    dataset = load_dataset(path)
    faces = split_faces(dataset, "PrivateTest")
    info = CrossTarget(name=name, spec=spec, path=str(path.resolve()), sha256=dataset.sha256, scope="PrivateTest",
                       class_names=list(faces.class_names), counts=_counts(faces.labels, faces.class_names),
                       options=options, synthetic=dataset.synthetic)
    return TargetFaces(info, faces.images, faces.labels)


def is_face_folder(path: Path) -> bool:
    """A folder of class folders, not a FER-2013 layout (FER+'s folders, or FER-2013's ``train/`` and ``test/``)."""
    if not path.is_dir() or is_ferplus_folder(path):
        return False
    return not any(child.is_dir() and child.name.lower() in SPLIT_FOLDERS for child in path.iterdir())


def _folder_target(spec: str, root: Path, options: dict[str, str], name: str) -> TargetFaces:
    """A face folder's faces; the one call of :func:`read_face_folder` for targets."""
    label_map = options.get("label_map")
    layout = options.get("layout") or detect_layout(root)
    if layout in BOXED_LAYOUTS and options.get("detect", NO_DETECTOR) != NO_DETECTOR:
        raise ValueError(f"--also-test {spec}: detect goes with whole images; the {layout} layout crops the face "
                         "box its label file gives")
    detector = NO_DETECTOR if layout in BOXED_LAYOUTS else options.get("detect") or _default_detector(root, label_map,
                                                                                                       layout)
    crop = None
    if detector != NO_DETECTOR:
        from ..pipeline.face_crop import LargestFaceCrop

        crop = LargestFaceCrop(detector)
    faces = read_face_folder(root, label_map, crop, layout=layout)
    images, labels, scope = faces.images, faces.labels, "folder"
    if faces.partition is not None:  # a data set's own test part (RAF-DB, AffectNet's validation set)
        test = faces.partition == "PrivateTest"
        images, labels, scope = images[test], labels[test], "PrivateTest"
    info = CrossTarget(name=name, spec=spec, path=str(root.resolve()), sha256=faces.sha256, scope=scope,
                       class_names=list(faces.class_names), counts=_counts(labels, faces.class_names),
                       options=options, excluded=dict(faces.excluded), detector=None if crop is None else detector,
                       no_face=faces.no_face)
    return TargetFaces(info, images, labels)


def _default_detector(root: Path, label_map: str | None, layout: str) -> str:
    """``none`` when every image of a folder of class folders is a 48x48 face already (read from the headers),
    else ``haar``."""
    if layout != "classes":
        return DETECTORS[0]
    entries, _, _ = list_class_folder(root, label_map)
    faces = all(image_size(root / relative) == (48, 48) for relative, _ in entries)
    return NO_DETECTOR if faces else DETECTORS[0]


def _counts(labels: np.ndarray, class_names: Sequence[str]) -> dict[str, int]:
    return {name: int(np.sum(labels == index)) for index, name in enumerate(class_names)}


def check_stored_targets(stored: Sequence[CrossTarget], targets: Sequence[TargetFaces], run_dir: Path) -> None:
    """Refuse to resume a run whose targets now hold other data, or that is given other targets.

    Raises
    ------
    ValueError
        Naming the run folder and the target.
    """
    now = {target.info.name: target.info.sha256 for target in targets}
    before = {target.name: target.sha256 for target in stored}
    if set(now) != set(before):
        raise ValueError(f"--resume {run_dir}: the run scores its models on {', '.join(before) or 'no other data set'}, "
                         f"not {', '.join(now) or 'none'}")
    for name, sha256 in before.items():
        if now[name] != sha256:
            raise ValueError(f"--resume {run_dir}: its target {name} was data with sha256 {sha256}; it now has "
                             f"sha256 {now[name]}")


def target_argument(target: CrossTarget) -> str:
    """The ``--also-test`` argument that reads a stored target again: its absolute path and its options."""
    options = ",".join(f"{key}={value}" for key, value in target.options.items())
    return f"{target.path}:{options}" if options else target.path
