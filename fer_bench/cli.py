"""``python -m fer_bench``: argument parsing and dispatch only.

Errors in the user's input (a bad data file, an unknown estimator or profile)
print one ``error:`` line to standard error and exit with status 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from .labels import LABEL_MAPS, SPLITS
from .profiles import PROFILE_NAMES

DEFAULT_DATA_FILES: tuple[str, ...] = ("data/fer2013.csv", "data/fer2013.csv.gz")
EXIT_USAGE = 2
LABEL_SETS: tuple[str, ...] = ("ferplus",)
"""Label sets ``--labels SET FILE`` can apply to FER-2013 rows."""


def _add_plugin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plugin", action="append", default=[], metavar="MODULE_OR_FILE",
                        help="import an estimator plugin (a module name or a .py file); repeatable")


def _add_labels_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", nargs=2, metavar=("SET", "FILE"),
                        help="relabel FER-2013 rows: 'ferplus fer2013new.csv' gives FER+'s 8 classes (plurality "
                             "vote; ties, unknown and not-a-face rows dropped)")


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL_DIR", help="a saved model, RUN_DIR/models/NAME")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fer_bench",
                                     description="Facial expression recognition benchmark on FER-2013.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="train and score estimators, write results and the HTML report",
                              description="Fit on Training, select on PublicTest, score on PrivateTest.")
    run.add_argument("names", nargs="*", default=["all"], metavar="NAME",
                     help="registered estimators to run, or 'all' (default)")
    run.add_argument("--data", metavar="PATH",
                     help="fer2013.csv[.gz], icml_face_data.csv, train.csv or an image folder; default: "
                          f"{' or '.join(DEFAULT_DATA_FILES)} if present, else the embedded synthetic set")
    run.add_argument("--profile", default="smoke", metavar="NAME",
                     help=f"{', '.join(PROFILE_NAMES)} or a .toml file (default: smoke)")
    run.add_argument("--out", metavar="RUN_DIR", help="run directory (default: reports/<timestamp>-<profile>/)")
    run.add_argument("--seed", type=int, default=0, help="seed of subsets and estimators (default: 0)")
    run.add_argument("--save-models", choices=("none", "networks", "all"), default="networks",
                     help="which fitted models to keep under RUN_DIR/models/ (default: networks)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_labels_option(run)
    _add_plugin_option(run)

    report = commands.add_parser("report", help="rebuild RUN_DIR/report.html from stored results, without training")
    report.add_argument("run_dir", metavar="RUN_DIR")

    listing = commands.add_parser("list", help="list registered estimators")
    _add_plugin_option(listing)

    data = commands.add_parser("data", help="inspect data files")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    info = data_commands.add_parser("info", help="counts per split and class, and the file's sha256")
    info.add_argument("path", metavar="PATH")
    _add_labels_option(info)

    study = commands.add_parser("study", help="studies of a saved model")
    study_commands = study.add_subparsers(dest="study_command", required=True, metavar="STUDY")
    resize = study_commands.add_parser(
        "resize", help="accuracy of a saved model on faces down-sampled to 48..12 px and back, per interpolation",
        description="Down-sample every test face to 48, 40, 32, 24, 16 and 12 pixels and back to 48 with OpenCV's "
                    "cubic, linear, Lanczos-4 and area interpolation; score the model on each.")
    _add_model_option(resize)
    resize.add_argument("--data", metavar="PATH", help="a FER-2013 layout (default as for run)")
    resize.add_argument("--split", default="PrivateTest", choices=SPLITS, help="faces to study (default: PrivateTest)")
    resize.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/studies/resize-NAME/)")
    _add_labels_option(resize)

    evaluate = commands.add_parser(
        "evaluate", help="score a saved model on a FER-2013 split or on another data set's class folders",
        description="Score a saved model on a FER-2013 layout (--data, PrivateTest by default) or on a folder of "
                    "class folders (--data-folder DIR/<class name>/*.png|jpg, any size and colour).")
    _add_model_option(evaluate)
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="PATH", help="a FER-2013 layout")
    source.add_argument("--data-folder", metavar="DIR", help="DIR/<class name>/ image folders")
    evaluate.add_argument("--split", default="PrivateTest", choices=SPLITS, help="with --data (default: PrivateTest)")
    evaluate.add_argument("--label-map", choices=sorted(LABEL_MAPS),
                          help="with --data-folder: folder names of another data set (ck+: anger, contempt, ...)")
    evaluate.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/studies/evaluate-NAME-DATA/)")
    _add_labels_option(evaluate)
    return parser


def _load_plugins(paths: list[str]) -> None:
    from .estimators._registry import load_plugin

    for path in paths:
        load_plugin(path)


def _resolve_names(names: list[str]) -> list[str]:
    from .estimators._registry import available_estimators, get_estimator_spec

    if names == ["all"]:
        return list(available_estimators())
    for name in names:
        get_estimator_spec(name)  # raises KeyError naming the known estimators
    return names


def _load_data(path: str | None, labels: list[str] | None = None):
    from .datasets import load_dataset, make_synthetic

    if labels is not None and labels[0] not in LABEL_SETS:
        raise ValueError(f"--labels {labels[0]!r}: expected one of {', '.join(LABEL_SETS)}")
    if path is None:
        path = next((candidate for candidate in DEFAULT_DATA_FILES if Path(candidate).is_file()), None)
    if path is None:
        print("no --data given and no data/fer2013.csv[.gz]: using the embedded SYNTHETIC data set", file=sys.stderr)
        dataset = make_synthetic()
    else:
        dataset = load_dataset(path)
    if labels is None:
        return dataset
    from .datasets.ferplus import apply_ferplus_labels

    dataset, dropped = apply_ferplus_labels(dataset, labels[1])
    print(f"FER+ labels from {labels[1]}: {len(dataset):,} faces kept; dropped "
          + ", ".join(f"{count:,} {reason}" for reason, count in dropped.items()), file=sys.stderr)
    return dataset


def _command_run(args) -> int:
    from .profiles import load_profile
    from .report import render_report
    from .runner import default_run_dir, run_benchmark

    _load_plugins(args.plugin)
    profile = load_profile(args.profile)
    names = _resolve_names(args.names)
    dataset = _load_data(args.data, args.labels)
    run_dir = Path(args.out) if args.out else default_run_dir(profile)
    command = "python -m fer_bench " + shlex.join(args.argv)
    try:
        records = run_benchmark(names, dataset, profile, run_dir, seed=args.seed, save_models=args.save_models,
                                command=command, progress=not args.quiet)
    except KeyboardInterrupt:
        if (run_dir / "results.json").is_file():
            print(f"interrupted: the report covers what finished: {render_report(run_dir)}", file=sys.stderr)
        return 130
    report_path = render_report(run_dir)
    for record in records:
        accuracy = record.metrics.get("accuracy")
        figure = f"PrivateTest accuracy {accuracy:6.2%}" if accuracy is not None else record.status.upper()
        print(f"{record.name:<16} {figure}  fit {record.fit_seconds or 0:8.1f} s", file=sys.stderr)
    print(report_path)
    failed = [record.name for record in records if record.status != "ok"]
    if failed:
        print(f"error: {len(failed)} estimator(s) did not finish: {', '.join(failed)} (see {report_path})", file=sys.stderr)
        return 1
    return 0


def _command_report(args) -> int:
    from .report import render_report

    print(render_report(args.run_dir))
    return 0


def _command_list(args) -> int:
    from .estimators._registry import available_estimators

    _load_plugins(args.plugin)
    specs = available_estimators().values()
    print(f"{'name':<16} {'family':<11} {'framework':<10} source")
    for spec in specs:
        print(f"{spec.name:<16} {spec.family:<11} {spec.framework:<10} {spec.source}")
    return 0


def _command_data(args) -> int:
    from .datasets import describe_dataset

    print(describe_dataset(_load_data(args.path, args.labels)))
    return 0


def _command_line(args) -> str:
    return "python -m fer_bench " + shlex.join(args.argv)


def _command_study(args) -> int:
    from .estimators.persistence import load_estimator
    from .pipeline.evaluate import default_output_dir, split_faces
    from .pipeline.study import run_resize_study, table_text, write_resize_study

    faces = split_faces(_load_data(args.data, args.labels), args.split)
    model = load_estimator(args.model)
    study = run_resize_study(model, args.model, faces, progress=lambda line: print(line, file=sys.stderr))
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"resize-{Path(args.model).name}")
    _, html_path = write_resize_study(study, out_dir, _command_line(args))
    print(f"{faces.scope} accuracy\n{table_text(study, 'accuracy')}\n\nmacro-F1\n{table_text(study, 'macro_f1')}")
    print(html_path)
    return 0


def _command_evaluate(args) -> int:
    from .estimators.persistence import load_estimator
    from .pipeline.evaluate import default_output_dir, evaluate, read_class_folder, split_faces, summary_text, write_evaluation

    if args.data_folder is not None:
        if args.labels is not None:
            raise ValueError("--labels relabels FER-2013 rows; it goes with --data, not --data-folder")
        faces = read_class_folder(args.data_folder, args.label_map)
    else:
        if args.label_map is not None:
            raise ValueError("--label-map maps folder names; it goes with --data-folder, not --data")
        faces = split_faces(_load_data(args.data, args.labels), args.split)
    model = load_estimator(args.model)
    evaluation = evaluate(model, args.model, faces)
    data_name = Path(args.data_folder or args.data).name.split(".")[0] or "data"
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"evaluate-{Path(args.model).name}-{data_name}")
    _, html_path = write_evaluation(evaluation, out_dir, _command_line(args))
    print(summary_text(evaluation))
    print(html_path)
    return 0


COMMANDS = {"run": _command_run, "report": _command_report, "list": _command_list, "data": _command_data,
            "study": _command_study, "evaluate": _command_evaluate}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv  # recorded in the run manifest
    try:
        return COMMANDS[args.command](args)
    except (ValueError, KeyError, FileNotFoundError, ImportError) as error:  # DataError is a ValueError
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
