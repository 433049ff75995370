"""``python -m fer_bench``: argument parsing and dispatch only.

Errors in the user's input (a bad data file, an unknown estimator or profile)
print one ``error:`` line to standard error and exit with status 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from .profiles import PROFILE_NAMES

DEFAULT_DATA_FILES: tuple[str, ...] = ("data/fer2013.csv", "data/fer2013.csv.gz")
EXIT_USAGE = 2


def _add_plugin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plugin", action="append", default=[], metavar="MODULE_OR_FILE",
                        help="import an estimator plugin (a module name or a .py file); repeatable")


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
    _add_plugin_option(run)

    report = commands.add_parser("report", help="rebuild RUN_DIR/report.html from stored results, without training")
    report.add_argument("run_dir", metavar="RUN_DIR")

    compare = commands.add_parser("compare", help="compare two runs estimator by estimator, with significance tests",
                                  description="Print PrivateTest accuracy of A and B, the difference and its p-value "
                                              "(exact McNemar on the same faces, else a two-proportion z-test), "
                                              "and write an HTML page.")
    compare.add_argument("run_a", metavar="RUN_A")
    compare.add_argument("run_b", metavar="RUN_B")
    compare.add_argument("--out", metavar="FILE.html", help="the HTML page (default: RUN_B/compare-<RUN_A name>.html)")

    listing = commands.add_parser("list", help="list registered estimators")
    _add_plugin_option(listing)

    data = commands.add_parser("data", help="inspect data files")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    info = data_commands.add_parser("info", help="counts per split and class, and the file's sha256")
    info.add_argument("path", metavar="PATH")
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


def _load_data(path: str | None):
    from .datasets import load_dataset, make_synthetic

    if path is None:
        path = next((candidate for candidate in DEFAULT_DATA_FILES if Path(candidate).is_file()), None)
    if path is None:
        print("no --data given and no data/fer2013.csv[.gz]: using the embedded SYNTHETIC data set", file=sys.stderr)
        return make_synthetic()
    return load_dataset(path)


def _command_run(args) -> int:
    from .profiles import load_profile
    from .report import render_report
    from .runner import default_run_dir, run_benchmark

    _load_plugins(args.plugin)
    profile = load_profile(args.profile)
    names = _resolve_names(args.names)
    dataset = _load_data(args.data)
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


def _command_compare(args) -> int:
    from .report.compare import compare_runs, format_comparison, write_comparison_html

    comparison = compare_runs(args.run_a, args.run_b)
    out = Path(args.out) if args.out else Path(args.run_b) / f"compare-{Path(args.run_a).resolve().name}.html"
    print(format_comparison(comparison))
    print(write_comparison_html(comparison, out))
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
    from .datasets import describe_dataset, load_dataset

    print(describe_dataset(load_dataset(args.path)))
    return 0


COMMANDS = {"run": _command_run, "report": _command_report, "compare": _command_compare, "list": _command_list,
            "data": _command_data}


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
