"""``python -m fer_bench``: argument parsing and dispatch only.

Each command group has its parser and command in a module of its own:
:mod:`.run` (run, report, compare; ``run --data-folder`` in :mod:`.crossval`), :mod:`.crossdata` (crossdata;
``run --also-test``),
:mod:`.tracking` (track; ``run --track``), :mod:`.listing` (list), :mod:`.data` (data info, data
audit), :mod:`.faces` (predict, live, serve), :mod:`.study` (study resize, evaluate) and :mod:`.deploy`
(export, cost).

Every failure prints one ``error:`` line to standard error that names the file
or argument at fault: errors in the user's input (a bad data or model file, an
unknown estimator or profile) exit with status 2, any other failure with 1
(see :mod:`.errors`); Ctrl-C with 130 and SIGTERM with 143, saying what was
kept. ``--debug`` also prints the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

# OpenMP threads that spin while they wait hold CPUs a time budget's network shares with other programs
# (fer_bench.estimators.training.clock): they sleep instead, unless the user chose otherwise. Set before torch loads OpenMP.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import crossdata, data, deploy, faces, listing, run, study, tracking
from .errors import EXIT_FAILURE, EXIT_USAGE, INPUT_ERRORS, Terminated, error_line, sigterm_raises, stopped_lines
from .options import add_debug_option

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each command's parser sets ``handler``, the function that runs it."""
    parser = argparse.ArgumentParser(prog="python -m fer_bench",
                                     description="Facial expression recognition benchmark on FER-2013.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command_parsers = [subparser for group in (run, crossdata, tracking, listing, data, faces, study, deploy)
                       for subparser in group.add_parsers(commands)]
    add_debug_option(parser, default=False)
    for subparser in command_parsers:  # last, after each command's own options, as in their help
        add_debug_option(subparser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status (0 success, 1 failure, 2 bad input, 130 Ctrl-C, 143 SIGTERM).

    A command stopped by Ctrl-C or SIGTERM ends with a line or two and no
    traceback; a handler that keeps something on the way sets ``args.kept``, a
    function returning the lines that say what (see :func:`.errors.stopped_lines`).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    # A file name's bytes that are not UTF-8: written back as they were on stdout (a path printed there can be
    # opened), escaped on stderr; in no locale a crash.
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)
    args = build_parser().parse_args(argv)
    args.argv = [arg for arg in argv if arg != "--debug"]  # recorded in the run manifest
    try:
        with sigterm_raises():
            return args.handler(args)
    except (KeyboardInterrupt, Terminated) as stop:
        if args.debug:
            traceback.print_exception(stop)
        status, lines = stopped_lines(stop, getattr(args, "kept", None))
        print("\n".join(lines), file=sys.stderr)
        return status
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        expected = isinstance(error, INPUT_ERRORS)
        print(error_line(error) + ("" if expected or args.debug else "  (--debug shows the traceback)"), file=sys.stderr)
        return EXIT_USAGE if expected else EXIT_FAILURE
