"""What several commands read from their arguments: plugins, estimator names, data, the command line."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from ..datasets.image_files import MAX_PIXELS
from .errors import error_line, escape_controls

DEFAULT_DATA_FILES: tuple[str, ...] = ("data/fer2013.csv", "data/fer2013.csv.gz")
LABEL_SETS: tuple[str, ...] = ("ferplus",)
"""Label sets ``--labels SET FILE`` can apply to FER-2013 rows."""


def stderr(message: str) -> None:
    """Print a message line to standard error, its control characters escaped (file names may hold them)."""
    print(escape_controls(message), file=sys.stderr)


def command_line(args) -> str:
    """The command as typed (``--debug`` left out), for the run manifest and the study pages."""
    return "python -m fer_bench " + shlex.join(args.argv)


def load_plugins(paths: list[str]) -> None:
    """Import each ``--plugin``; any failure of its code becomes an ImportError naming it (a name it takes
    from a built-in or another plugin is refused as it is: the message names the plugin)."""
    from ..estimators import EstimatorNameTaken, load_plugin

    for path in paths:
        try:
            load_plugin(path)
        except (ImportError, EstimatorNameTaken):
            raise
        except Exception as error:
            raise ImportError(f"--plugin {path}: importing it failed: {error_line(error).removeprefix('error: ')}") from error


def plugin_reference(plugin: str) -> str:
    """A plugin file as an absolute path (workers and --resume may start elsewhere); a module name as is."""
    return str(Path(plugin).resolve()) if plugin.endswith(".py") and Path(plugin).is_file() else plugin


def resolve_names(names: list[str]) -> list[str]:
    """``["all"]`` (or none) as every registered estimator; else the names, each checked (KeyError naming the
    known ones)."""
    from ..estimators import available_estimators, get_estimator_spec

    if names in ([], ["all"]):
        return list(available_estimators())
    for name in names:
        get_estimator_spec(name)  # raises KeyError naming the known estimators
    return names


def load_data(path: str | None, labels: list[str] | None = None, max_pixels: int = MAX_PIXELS,
              ferplus_mode: str = "majority"):
    """``--data`` (default: a FER-2013 file under ``data/``, else the synthetic set), relabelled by ``--labels``
    in ``--ferplus-mode``."""
    from ..datasets import load_dataset, make_synthetic
    from ..datasets.ferplus_folder import is_ferplus_folder, read_ferplus_folder

    if labels is not None and labels[0] not in LABEL_SETS:
        raise ValueError(f"--labels {labels[0]!r}: expected one of {', '.join(LABEL_SETS)}")
    if path is None:
        path = next((candidate for candidate in DEFAULT_DATA_FILES if Path(candidate).is_file()), None)
    if path is None:
        print("no --data given and no data/fer2013.csv[.gz]: using the embedded SYNTHETIC data set", file=sys.stderr)
        dataset = make_synthetic()
    elif Path(path).is_dir() and is_ferplus_folder(path):
        if labels is not None:
            raise ValueError(f"--labels: {path} holds FER+ folders with their own votes; give it without --labels")
        dataset, dropped = read_ferplus_folder(path, ferplus_mode, max_pixels)
        _print_ferplus(path, ferplus_mode, dataset, dropped)
        return dataset
    else:
        dataset = load_dataset(path, max_pixels=max_pixels)
    if labels is None:
        return dataset
    from ..datasets.ferplus import apply_ferplus_labels

    dataset, dropped = apply_ferplus_labels(dataset, labels[1], ferplus_mode)
    _print_ferplus(labels[1], ferplus_mode, dataset, dropped)
    return dataset


def _print_ferplus(source: str, mode: str, dataset, dropped: dict[str, int]) -> None:
    print(f"FER+ labels from {source} ({mode}): {len(dataset):,} faces kept; dropped "
          + ", ".join(f"{count:,} {reason}" for reason, count in dropped.items()), file=sys.stderr)


def read_folder_faces(args, max_pixels: int = MAX_PIXELS):
    """``--data-folder`` in its ``--layout`` (told from the files when not given) as
    :class:`~fer_bench.datasets.class_folder.FolderFaces`, faces cropped by ``--detect-faces``."""
    from ..datasets.class_folder import read_face_folder
    from ..datasets.layouts import LayoutOptions, parse_label_codes

    crop = None
    if args.detect_faces:
        from ..pipeline.face_crop import LargestFaceCrop

        crop = LargestFaceCrop(args.detect_faces)
    codes = parse_label_codes(args.label_codes) if args.label_codes else None
    options = LayoutOptions(args.label_pattern, None if codes is None else tuple(codes.items()),
                            bool(args.neutral_first_frame))
    return read_face_folder(args.data_folder, args.label_map, crop, layout=args.layout, options=options,
                            max_pixels=max_pixels)


def folder_notes(faces) -> str:
    """What a data folder's reading left out or used whole, as ``; ...`` parts of its stderr line (empty if none)."""
    notes = ""
    if faces.excluded:
        notes += "; left out (no FER-2013 counterpart): " + ", ".join(f"{name} {count:,}"
                                                                      for name, count in faces.excluded.items())
    if faces.no_face:
        notes += f"; no face found by the detector in {faces.no_face:,} images (used whole)"
    return notes
