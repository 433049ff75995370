"""``run --track`` and ``track``: a run logged to MLflow or TensorBoard, while it runs or afterwards."""

from __future__ import annotations

import argparse
import shlex
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..tracking import TRACKERS
from .inputs import stderr

TARGETS = " or ".join(f"{name}[={where}]" for name, where in TRACKERS.items())


def tracker_target(text: str) -> tuple[str, str | None]:
    """``TRACKER[=WHERE]`` (``mlflow``, ``mlflow=URI``, ``tensorboard``, ``tensorboard=DIR``) as
    ``(tracker, WHERE or None)``."""
    tracker, equals, location = text.partition("=")
    if tracker not in TRACKERS or (equals and not location):
        raise argparse.ArgumentTypeError(f"expected {TARGETS}, got {text!r}")
    return tracker, location or None


def add_track_option(run: argparse.ArgumentParser) -> None:
    run.add_argument("--track", type=tracker_target, metavar="TRACKER[=WHERE]",
                     help="also log the run, each estimator as it is stored, to mlflow (default "
                          "sqlite:///RUN_DIR/../mlflow.db, shared by the runs beside it) or tensorboard (default "
                          "RUN_DIR/tensorboard/); needs pip install 'fer_bench[mlflow]' or 'fer_bench[tensorboard]'")


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``track`` parser, on ``commands``."""
    track = commands.add_parser("track", help="log a stored run to MLflow or TensorBoard, from its store alone",
                                description="Log a run made without --track (or elsewhere, e.g. on a cluster) "
                                            "as run --track would have: parameters, epoch metrics, final "
                                            "metrics, the report and the models.")
    track.set_defaults(handler=command_track)
    track.add_argument("run_dir", metavar="RUN_DIR")
    track.add_argument("--to", type=tracker_target, required=True, metavar="TRACKER[=WHERE]",
                       help=f"{TARGETS}; defaults as run --track")
    return [track]


@contextmanager
def run_tracking(target: tuple[str, str | None] | None, run_dir: Path) -> Iterator[Callable | None]:
    """For a run in ``run_dir``: yield the hook that logs each stored record to ``target`` (``--track``), then log
    the rest of the run when the block ends; yield None without a target.

    Raises
    ------
    ImportError
        If the tracker's library is missing (one line with the install command), before the block.
    ValueError
        If the tracker cannot be opened, before the block.
    """
    from ..tracking import TrackingSession, open_tracker

    if target is None:
        yield None
        return
    tracker_name, location = target
    tracker = open_tracker(tracker_name, run_dir, location)
    retry = f"python -m fer_bench track {shlex.quote(str(run_dir))} --to " + shlex.quote(
        tracker_name + (f"={location}" if location else ""))
    with TrackingSession(tracker, run_dir, tolerant=True, retry_hint=retry) as session:
        yield session.fit_stored
    if not session.failed:
        stderr(f"tracked: {session.logged} fit(s) in {tracker.where}; see them with: {tracker.view_command}")


def command_track(args) -> int:
    from ..tracking import open_tracker, track_run

    tracker_name, location = args.to
    tracker = open_tracker(tracker_name, args.run_dir, location)
    session = track_run(args.run_dir, tracker)
    print(f"{args.run_dir}: {session.logged} fit(s) logged to {tracker.where} (run {session.run_id})")
    print(f"see them with: {tracker.view_command}")
    return 0
