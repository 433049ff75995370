"""``run --data-folder DIR``: the options and the command of cross-validation on a face folder."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ..datasets.folds import CK_PLUS_SUBJECT_PATTERN
from ..labels import LABEL_MAPS
from ..pipeline import DETECTORS
from .errors import EXIT_FAILURE
from .crossdata import run_targets
from .inputs import load_plugins, plugin_reference, resolve_names
from .options import add_groups_options

DEFAULT_FOLDS = 5
SPLIT_CHOICES: tuple[str, ...] = ("subject", "random", "both")
_NOT_WITH_FOLDER = ("data", "labels", "dedupe", "drop_blank", "resume", "track")
FOLDER_ONLY_OPTIONS: tuple[str, ...] = ("label_map", "detect_faces", "folds", "subject_pattern", "subjects", "split",
                                        "groups")
"""``run`` options that need ``--data-folder`` (``--split`` at its default ``subject`` aside)."""


def add_folder_options(run: argparse.ArgumentParser) -> None:
    """The options of ``run --data-folder``."""
    folder = run.add_argument_group(
        "face folder with cross-validation (DIR/<class>/*.png|jpg|...; class names from the folder names)")
    folder.add_argument("--data-folder", metavar="DIR", help="train and score on DIR/<class>/ images, by K folds")
    folder.add_argument("--label-map", choices=sorted(LABEL_MAPS),
                        help="map folder names onto FER-2013's classes (ck+: anger -> Angry, ...; contempt left out)")
    folder.add_argument("--detect-faces", nargs="?", const="haar", choices=DETECTORS, metavar="DETECTOR",
                        help="crop the largest detected face first (haar, the default, or mtcnn), for full frames "
                             "such as CK+'s 640x490 originals")
    folder.add_argument("--folds", type=int, default=None, metavar="K", help=f"folds (default {DEFAULT_FOLDS})")
    subjects = folder.add_mutually_exclusive_group()
    subjects.add_argument("--subject-pattern", metavar="REGEX",
                          help=f"the subject in each file name: the first group, else the match (default: CK+'s "
                               f"{CK_PLUS_SUBJECT_PATTERN})")
    subjects.add_argument("--subjects", metavar="FILE.csv", help="a CSV with columns file,subject instead of a pattern")
    folder.add_argument("--split", choices=SPLIT_CHOICES, default="subject",
                        help="subject: subject-disjoint folds (default); random: picture-level folds; both: the two "
                             "side by side, to see how much a picture-level split overstates accuracy")
    add_groups_options(folder)


def command_run_folder(args, command: str) -> int:
    """Cross-validate the named estimators on ``args.data_folder``; print the summary and the page."""
    from ..datasets.class_folder import read_face_folder
    from ..datasets.face_table import read_face_table
    from ..datasets.folds import subjects_from_csv, subjects_from_pattern
    from ..profiles import load_profile, with_budget
    from ..report.crossval import write_crossval_page
    from ..runner import default_run_dir, run_cross_validation
    from ..runner.crossval import summary_text

    given = [option for option in _NOT_WITH_FOLDER if getattr(args, option, None)]
    if given:
        raise ValueError(f"--{given[0].replace('_', '-')} does not go with --data-folder")
    if args.min_group_size < 1:
        raise ValueError(f"--min-group-size {args.min_group_size}: expected at least 1")
    plugins = [plugin_reference(plugin) for plugin in args.plugin]
    load_plugins(plugins)
    if (args.seeds or 1) > 1 or args.steps_from:
        raise ValueError(f"--{'seeds' if args.seeds else 'steps-from'} goes without --data-folder: "
                         "a folder is cross-validated with one seed per fold")
    profile = with_budget(load_profile(args.profile or "smoke"), args.budget_minutes, args.epochs)
    names = resolve_names(args.names)
    crop = None
    if args.detect_faces:
        from ..pipeline.face_crop import LargestFaceCrop

        crop = LargestFaceCrop(args.detect_faces)
    faces = read_face_folder(args.data_folder, args.label_map, crop)
    if args.subjects:
        subjects, source = subjects_from_csv(args.subjects, faces.files), args.subjects
    elif args.split == "random" and not args.subject_pattern:  # picture-level folds need no subjects
        subjects, source = faces.files.astype(str), "none: picture-level folds, each picture its own"
    else:
        pattern = args.subject_pattern or CK_PLUS_SUBJECT_PATTERN
        subjects, source = subjects_from_pattern(faces.files, pattern, faces.source), f"--subject-pattern {pattern}"
    groups = read_face_table(args.groups, "group", files=faces.files) if args.groups else None
    targets = run_targets(args.also_test, faces.sha256)
    run_dir = Path(args.out) if args.out else default_run_dir(profile)
    kinds = ("subject", "random") if args.split == "both" else (args.split,)
    args.kept = lambda: _kept_folds(run_dir, len(kinds) * (args.folds or DEFAULT_FOLDS))
    print(f"{faces.source}: {len(faces.files):,} faces, {len(set(subjects)):,} subjects, classes "
          + ", ".join(f"{name} {count:,}" for name, count in faces.class_counts().items()), file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        summary = run_cross_validation(
            names, faces, subjects, profile, run_dir, args.folds or DEFAULT_FOLDS, kinds, seed=args.seed or 0,
            groups=groups, min_group_size=args.min_group_size, subject_source=source, command=command,
            save_models=args.save_models or "networks", progress=not args.quiet, backend=args.backend,
            scheduler=args.scheduler, n_jobs=args.n_jobs, time_limit=args.time_limit, plugins=plugins,
            cross_targets=targets)
    for message in dict.fromkeys(str(warning.message) for warning in caught if str(warning.message).startswith("group(s)")):
        print(f"warning: {message}", file=sys.stderr)
    conflicts = summary["data"]["label_conflicts"]
    if conflicts:
        print(f"warning: {len(conflicts)} group(s) of identical images filed under different classes (label "
              f"conflicts): {'; '.join(' = '.join(group) for group in conflicts)}", file=sys.stderr)
    print(summary_text(summary), file=sys.stderr)
    print(write_crossval_page(run_dir))
    failed = [f"{name} ({kind})" for name, by_kind in summary["results"].items() for kind, result in by_kind.items()
              if result["folds_ok"] < summary["n_folds"]]
    if failed:
        print(f"error: {len(failed)} estimator(s) failed on some folds: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


def _kept_folds(run_dir: Path, total: int) -> list[str]:
    """What a cross-validation stopped by Ctrl-C or SIGTERM kept: the fold runs that finished."""
    from ..results import CROSSVAL_JSON, ResultsStore
    from ..runner.crossval import FOLDS_DIR

    folds = run_dir / FOLDS_DIR
    finished = 0
    for fold in sorted(folds.glob("*")) if folds.is_dir() else ():
        try:
            finished += ResultsStore(fold).load()[0].complete
        except (OSError, ValueError):
            pass  # not a fold run that finished
    if not finished:
        return [f"no fold run finished; {run_dir / CROSSVAL_JSON} was not written"]
    return [f"{finished} of {total} fold runs finished, each kept in {folds}/<split>-<fold>/ (its results.json; "
            "python -m fer_bench report shows one)",
            f"{run_dir / CROSSVAL_JSON} and its page need every fold: run again with another --out"]
