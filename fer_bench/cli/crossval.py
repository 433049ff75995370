"""``run --data-folder DIR``: the options and the command of cross-validation on a face folder."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ..datasets.folds import CK_PLUS_SUBJECT_PATTERN, LOSO
from .errors import EXIT_FAILURE
from .crossdata import run_targets
from .inputs import folder_notes, load_plugins, plugin_reference, resolve_names
from .options import add_groups_options, add_layout_options, fold_count

DEFAULT_FOLDS = 5
SPLIT_CHOICES: tuple[str, ...] = ("subject", "random", "both")
_NOT_WITH_FOLDER = ("data", "labels", "dedupe", "drop_blank", "resume", "track")
FOLDER_ONLY_OPTIONS: tuple[str, ...] = ("layout", "label_map", "label_pattern", "label_codes", "neutral_first_frame",
                                        "detect_faces", "folds", "subject_pattern", "subjects", "split", "groups")
"""``run`` options that need ``--data-folder`` (``--split`` at its default ``subject`` aside)."""
CROSS_VALIDATION_ONLY = ("folds", "subject_pattern", "subjects", "groups")
"""``run --data-folder`` options that a data set's own train/test partition (RAF-DB, AffectNet) does not take."""


def add_folder_options(run: argparse.ArgumentParser) -> None:
    """The options of ``run --data-folder``."""
    folder = run.add_argument_group(
        "data folder: cross-validation, or a data set's own train/test partition (RAF-DB, AffectNet)")
    folder.add_argument("--data-folder", metavar="DIR",
                        help="train and score on DIR in a --layout: by K folds, or on its own partition")
    add_layout_options(folder)
    folder.add_argument("--folds", type=fold_count, default=None, metavar="K|loso",
                        help=f"folds (default {DEFAULT_FOLDS}); loso: leave one subject out, one fold per subject")
    subjects = folder.add_mutually_exclusive_group()
    subjects.add_argument("--subject-pattern", metavar="REGEX",
                          help=f"the subject in each file name: the first group, else the match (default: the "
                               f"layout's subject ids, else CK+'s {CK_PLUS_SUBJECT_PATTERN})")
    subjects.add_argument("--subjects", metavar="FILE.csv", help="a CSV with columns file,subject instead of a pattern")
    folder.add_argument("--split", choices=SPLIT_CHOICES, default="subject",
                        help="subject: subject-disjoint folds (default); random: picture-level folds; both: the two "
                             "side by side, to see how much a picture-level split overstates accuracy")
    add_groups_options(folder)


def check_folder_options(args) -> None:
    """Refuse ``run`` options that do not go with ``--data-folder``.

    Raises
    ------
    ValueError
        Naming the first such option.
    """
    given = [option for option in _NOT_WITH_FOLDER if getattr(args, option, None)]
    if given:
        raise ValueError(f"--{given[0].replace('_', '-')} does not go with --data-folder")


def check_partition_options(args) -> None:
    """Refuse the cross-validation options on a data set with its own train/test partition.

    Raises
    ------
    ValueError
        Naming the first such option.
    """
    given = [option.replace("_", "-") for option in CROSS_VALIDATION_ONLY if getattr(args, option, None)]
    if given or args.split != "subject":
        raise ValueError(f"--{given[0] if given else 'split'} goes with cross-validation; {args.data_folder} has its "
                         "own train/test partition (Training, a stratified part of it as PublicTest, and PrivateTest)")


def folder_subjects(args, faces) -> tuple:
    """Each face's subject and where they came from: ``--subjects``, ``--subject-pattern``, the layout's own ids,
    none for picture-level folds, else CK+'s file names.

    Raises
    ------
    DataError
        If the layout has no subject ids and none is given, or as the CSV or the pattern.
    """
    from ..datasets import DataError
    from ..datasets.folds import subjects_from_csv, subjects_from_pattern

    if args.subjects:
        return subjects_from_csv(args.subjects, faces.files), args.subjects
    if args.subject_pattern:
        return (subjects_from_pattern(faces.files, args.subject_pattern, faces.source),
                f"--subject-pattern {args.subject_pattern}")
    if faces.subjects is not None:
        return faces.subjects, f"the {faces.layout} layout's subject ids"
    if args.split == "random" and args.folds != LOSO:  # picture-level folds need no subjects
        return faces.files.astype(str), "none: picture-level folds, each picture its own"
    if faces.layout not in ("classes", "ck+"):
        raise DataError(f"{faces.source}: the {faces.layout} layout has no subject ids; give --split random, "
                        "--subject-pattern REGEX or --subjects FILE.csv")
    return (subjects_from_pattern(faces.files, CK_PLUS_SUBJECT_PATTERN, faces.source),
            f"--subject-pattern {CK_PLUS_SUBJECT_PATTERN}")


def command_run_folder(args, command: str, faces) -> int:
    """Cross-validate the named estimators on the faces of ``args.data_folder``; print the summary and the page."""
    from ..datasets.face_table import read_face_table
    from ..profiles import load_profile, with_budget
    from ..report.crossval import write_crossval_page
    from ..runner import default_run_dir, run_cross_validation
    from ..runner.crossval import summary_text

    if args.min_group_size < 1:
        raise ValueError(f"--min-group-size {args.min_group_size}: expected at least 1")
    plugins = [plugin_reference(plugin) for plugin in args.plugin]
    load_plugins(plugins)
    if (args.seeds or 1) > 1 or args.steps_from:
        raise ValueError(f"--{'seeds' if args.seeds else 'steps-from'} goes without --data-folder: "
                         "a folder is cross-validated with one seed per fold")
    profile = with_budget(load_profile(args.profile or "smoke"), args.budget_minutes, args.epochs)
    names = resolve_names(args.names)
    subjects, source = folder_subjects(args, faces)
    groups = read_face_table(args.groups, "group", files=faces.files) if args.groups else None
    targets = run_targets(args.also_test, faces.sha256)
    run_dir = Path(args.out) if args.out else default_run_dir(profile)
    kinds = ("subject", "random") if args.split == "both" else (args.split,)
    n_folds = args.folds or DEFAULT_FOLDS
    per_kind = len(set(subjects)) if n_folds == LOSO else n_folds
    args.kept = lambda: _kept_folds(run_dir, len(kinds) * per_kind)
    print(f"{faces.source}: {len(faces.files):,} faces, {len(set(subjects)):,} subjects, classes "
          + ", ".join(f"{name} {count:,}" for name, count in faces.class_counts().items()) + folder_notes(faces),
          file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        summary = run_cross_validation(
            names, faces, subjects, profile, run_dir, n_folds, kinds, seed=args.seed or 0,
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
