"""Across data sets: ``run --also-test`` (the option and its targets, read) and ``crossdata``, the matrix of
several runs trained on different data sets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ALSO_TEST_HELP = ("PATH[:option=value,...], repeatable: also score every trained model on this data set, with the run's "
                  "class mapping; a FER-2013 layout that --data reads (its PrivateTest) or a face folder DIR/<class>/* "
                  "(every face). Options after the last colon, comma-separated: name=NAME (its name in tables), and for "
                  "a folder label_map=ck+ and detect=haar|mtcnn|none (default: haar unless every image is a 48x48 "
                  "face), e.g. jaffe_faces:label_map=ck+,detect=haar")


def add_also_test_option(run: argparse.ArgumentParser) -> None:
    """``run --also-test PATH[:option=value,...] [...]``."""
    group = run.add_argument_group("other data sets (every model scored on them too; crossdata RUN_DIR ... puts "
                                   "runs trained on different data sets in one matrix)")
    group.add_argument("--also-test", nargs="+", action="extend", default=[], metavar="TARGET",
                       help=ALSO_TEST_HELP)


def run_targets(specs: list[str], training_sha256: str | None) -> list:
    """The ``--also-test`` targets, read (:func:`fer_bench.runner.targets.load_targets`), each said in one line."""
    from ..runner.targets import load_targets

    targets = load_targets(specs, training_sha256)
    for target in targets:
        info = target.info
        crop = (f"faces cropped by {info.detector}, no face found in {info.no_face:,} images (scored whole)"
                if info.detector else "48x48 faces, no detector")
        left = "".join(f"; {count:,} images in {folder}/ left out" for folder, count in info.excluded.items())
        print(f"--also-test {info.name}: {len(target.labels):,} faces ({info.scope}) of {info.path}; {crop}{left}",
              file=sys.stderr)
    return targets


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``crossdata`` parser, on ``commands``."""
    crossdata = commands.add_parser(
        "crossdata", help="the cross-data-set matrix of runs trained on different data sets (run --also-test)",
        description="One table per estimator: rows the training data set, columns the test data set, each cell the "
                    "accuracy with its bootstrap interval, macro-F1 and the drop from the row's own PrivateTest; "
                    "per-class recall on each target.")
    crossdata.set_defaults(handler=command_crossdata)
    crossdata.add_argument("run_dirs", nargs="+", metavar="RUN_DIR",
                           help="runs (run --also-test) or cross-validation runs (run --data-folder --also-test)")
    crossdata.add_argument("--out", metavar="FILE.html", help="the page (default: crossdata.html in the first RUN_DIR)")
    return [crossdata]


def command_crossdata(args) -> int:
    from ..analysis.crossdata import cross_matrix, matrix_text
    from ..report.crossdata import CROSSDATA_HTML, write_crossdata_page

    matrix = cross_matrix(args.run_dirs)
    out = Path(args.out) if args.out else Path(args.run_dirs[0]) / CROSSDATA_HTML
    print(matrix_text(matrix))
    print(write_crossdata_page(matrix, out))
    return 0
