"""``study resize``, ``study preprocessing`` and ``evaluate``: studies of a saved model or a model card."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..labels import SPLITS
from .inputs import command_line, folder_notes, load_data, read_folder_faces
from .options import add_groups_options, add_labels_option, add_layout_options, add_max_pixels_option, add_model_option

LAYOUT_OPTIONS = ("layout", "label_map", "label_pattern", "label_codes", "neutral_first_frame", "detect_faces")
"""``evaluate`` options of ``--data-folder`` alone."""


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``study`` parser with its ``resize`` and ``preprocessing`` subcommands, and the ``evaluate`` parser, on
    ``commands``."""
    study = commands.add_parser("study", help="studies of a saved model or a model card")
    study.set_defaults(handler=command_study)
    study_commands = study.add_subparsers(dest="study_command", required=True, metavar="STUDY")
    resize = study_commands.add_parser(
        "resize", help="accuracy of a saved model on faces down-sampled to 48..12 px and back, per interpolation",
        description="Down-sample every test face to 48, 40, 32, 24, 16 and 12 pixels and back to 48 with OpenCV's "
                    "cubic, linear, Lanczos-4 and area interpolation; score the model on each.")
    add_model_option(resize)
    resize.add_argument("--data", metavar="PATH", help="a FER-2013 layout (default as for run)")
    resize.add_argument("--split", default="PrivateTest", choices=SPLITS, help="faces to study (default: PrivateTest)")
    resize.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/studies/resize-NAME/)")
    add_labels_option(resize)

    preprocessing = study_commands.add_parser(
        "preprocessing", help="accuracy of a model card under its declared preprocessing and under common mistakes",
        description="Score a model card's model under its declared [input] and under common mistakes, one at a "
                    "time: channels swapped, another value range ([0, 1], [0, 255], [-1, 1]), ImageNet's mean/std "
                    "applied or forgotten, each other interpolation; accuracy with 95% bootstrap intervals.")
    add_model_option(preprocessing)
    preprocessing.add_argument("--data", metavar="PATH", help="a FER-2013 layout (default as for run)")
    preprocessing.add_argument("--split", default="PrivateTest", choices=SPLITS,
                               help="faces to study (default: PrivateTest)")
    preprocessing.add_argument("--out", metavar="DIR", help="output folder (default: reports/studies/...)")
    add_labels_option(preprocessing)

    evaluate = commands.add_parser(
        "evaluate", help="score a saved model on a FER-2013 split or on another data set's folder",
        description="Score a saved model on a FER-2013 layout (--data, PrivateTest by default) or on a data folder "
                    "in a --layout (--data-folder: class folders DIR/<class name>/*.png|jpg of any size and colour, "
                    "JAFFE, CK+, RAF-DB, AffectNet, ExpW).")
    evaluate.set_defaults(handler=command_evaluate)
    add_model_option(evaluate)
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="PATH", help="a FER-2013 layout")
    source.add_argument("--data-folder", metavar="DIR", help="a data folder in a --layout (default: class folders)")
    evaluate.add_argument("--split", default="PrivateTest", choices=SPLITS,
                          help="with --data, or a data folder with its own partition (RAF-DB, AffectNet: Training or "
                               "PrivateTest, its test part); default: PrivateTest")
    add_layout_options(evaluate)
    evaluate.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/studies/evaluate-NAME-DATA/)")
    add_max_pixels_option(evaluate)
    add_labels_option(evaluate)
    add_groups_options(evaluate)
    return [study, resize, preprocessing, evaluate]


def command_study(args) -> int:
    if args.study_command == "preprocessing":
        return _preprocessing_study(args)
    from ..estimators import load_estimator
    from ..datasets import split_faces
    from ..studies.evaluate import default_output_dir
    from ..studies.resize import run_resize_study, table_text, write_resize_study

    faces = split_faces(load_data(args.data, args.labels, ferplus_mode=args.ferplus_mode), args.split)
    model = load_estimator(args.model, args.trust_model, args.runtime)
    study = run_resize_study(model, args.model, faces, progress=lambda line: print(line, file=sys.stderr))
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"resize-{Path(args.model).name}")
    _, html_path = write_resize_study(study, out_dir, command_line(args))
    print(f"{faces.scope} accuracy\n{table_text(study, 'accuracy')}\n\nmacro-F1\n{table_text(study, 'macro_f1')}")
    print(html_path)
    return 0


def _preprocessing_study(args) -> int:
    from ..datasets import split_faces
    from ..estimators.card_model import load_card_model
    from ..estimators.persistence import is_card
    from ..studies.evaluate import default_output_dir
    from ..studies.preprocessing import run_preprocessing_study, table_text, write_preprocessing_study

    if not is_card(args.model):
        raise ValueError(f"--model {args.model}: the preprocessing study needs a model card (NAME.toml), whose "
                         "[input] declares the preprocessing")
    model = load_card_model(args.model, args.runtime)
    faces = split_faces(load_data(args.data, args.labels, ferplus_mode=args.ferplus_mode), args.split)
    study = run_preprocessing_study(model, args.model, faces, progress=lambda line: print(line, file=sys.stderr))
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"preprocessing-{model.card_.name}")
    _, html_path = write_preprocessing_study(study, out_dir, command_line(args))
    print(table_text(study))
    print(html_path)
    return 0


def command_evaluate(args) -> int:
    from ..estimators import load_estimator
    from ..datasets import read_class_folder, split_faces
    from ..datasets.labelled_faces import folder_faces
    from ..datasets.layouts import detect_layout
    from ..studies.evaluate import default_output_dir, evaluate, summary_text, write_evaluation

    if args.data_folder is not None:
        if args.labels is not None:
            raise ValueError("--labels relabels FER-2013 rows; it goes with --data, not --data-folder")
        dataset = None
        layout = args.layout or detect_layout(args.data_folder)
        if layout == "classes" and not (args.detect_faces or args.label_pattern or args.label_codes
                                        or args.neutral_first_frame):  # its sha256 digests the images themselves
            faces = read_class_folder(args.data_folder, args.label_map, args.max_pixels)
        else:
            folder = read_folder_faces(args, args.max_pixels)
            faces = folder_faces(folder, args.split)
            print(f"{folder.source} ({folder.layout}): {len(faces.labels):,} faces scored ({faces.scope})"
                  + folder_notes(folder), file=sys.stderr)
    else:
        given = [option for option in LAYOUT_OPTIONS if getattr(args, option) is not None]
        if given:
            raise ValueError(f"--{given[0].replace('_', '-')} reads a data folder; it goes with --data-folder, "
                             "not --data")
        dataset = load_data(args.data, args.labels, args.max_pixels, args.ferplus_mode)
        faces = split_faces(dataset, args.split)
    groups = evaluation_groups(args, faces, dataset)
    model = load_estimator(args.model, args.trust_model, args.runtime)
    evaluation = evaluate(model, args.model, faces, groups, args.min_group_size)
    data_name = Path(args.data_folder or args.data).name.split(".")[0] or "data"
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"evaluate-{Path(args.model).name}-{data_name}")
    _, html_path = write_evaluation(evaluation, out_dir, command_line(args))
    print(summary_text(evaluation))
    if evaluation["groups"]:
        from ..analysis.groups import format_group_table

        print(format_group_table(evaluation["groups"]))
    print(html_path)
    return 0


def evaluation_groups(args, faces, dataset=None):
    """``evaluate --groups``: each scored face's group, ndarray of str (n_faces,), or None without the option.

    Folder faces are matched by file name (``faces.files``), FER-2013 faces by row number.

    Raises
    ------
    DataError
        As :func:`~fer_bench.datasets.face_table.read_face_table`.
    """
    if not args.groups:
        return None
    if args.min_group_size < 1:
        raise ValueError(f"--min-group-size {args.min_group_size}: expected at least 1")
    from ..datasets.face_table import read_face_table, split_row_numbers

    if dataset is not None:
        return read_face_table(args.groups, "group", rows=split_row_numbers(dataset, args.split))
    return read_face_table(args.groups, "group", files=faces.files)
