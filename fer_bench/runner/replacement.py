"""``--overwrite`` without loss: the run a folder holds is set aside, not deleted, until the new run stores a record.

Once the new run is planned (its data, profile, options and caches checked), the
earlier run's files (:data:`RUN_FILES`) move into ``RUN_DIR/.fer_bench-replaced/``.
The new run's first stored record deletes them; a new run that stops before one
(an error, Ctrl-C, SIGTERM) removes what it wrote and puts them back. A
replacement killed outright leaves them aside: the next run in the folder puts
them back first, unless the killed run had stored a record.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..report.export import RESULTS_CSV
from ..report.render import REPORT_FILE
from ..results import CHECKPOINTS_DIR, LOGS_DIR, MODELS_DIR, PREDICTIONS_DIR, RESULTS_FILE, ResultsStore
from ..tracking.trackers import TENSORBOARD_DIR

RUN_FILES: tuple[str, ...] = (RESULTS_FILE, PREDICTIONS_DIR, MODELS_DIR, LOGS_DIR, CHECKPOINTS_DIR, REPORT_FILE,
                              RESULTS_CSV, TENSORBOARD_DIR)
"""What a run writes in its folder, the ``results.json`` first (``tensorboard/`` with ``--track tensorboard``)."""
ASIDE_DIR = ".fer_bench-replaced"


@contextmanager
def replacing(run_dir: Path, overwrite: bool) -> Iterator[Callable[[], None]]:
    """Set the run in ``run_dir`` aside for the block, where ``overwrite`` and the folder holds one.

    Yields ``stored``, which the new run calls once it has stored a record: the
    earlier run is then deleted (also at the end of a block that stored none).
    An exception before it puts the earlier run back, and propagates.
    """
    aside = run_dir / ASIDE_DIR
    if not (overwrite and (run_dir / RESULTS_FILE).is_file()):
        yield lambda: None
        return
    _move(run_dir, aside)
    replaced = False

    def stored() -> None:
        nonlocal replaced
        if not replaced:
            shutil.rmtree(aside, ignore_errors=True)  # a part left is deleted by the next run in the folder
            replaced = True

    try:
        yield stored
    except BaseException:
        if not replaced:
            _put_back(run_dir, aside)
        raise
    stored()


def recover_set_aside(run_dir: Path) -> None:
    """Finish a replacement that was killed: put the earlier run back unless the new one stored a record
    (then delete it). Says which, in one line."""
    aside = run_dir / ASIDE_DIR
    if not aside.is_dir():
        return
    try:
        _, records = ResultsStore(run_dir).load()
    except (FileNotFoundError, ValueError):
        records = []
    if records:
        shutil.rmtree(aside)
        print(f"warning: {run_dir}: deleted {aside.name}/, the run an --overwrite replaced before it was killed",
              file=sys.stderr)
    else:
        _put_back(run_dir, aside)
        print(f"warning: {run_dir}: an --overwrite was killed before it stored a record; the run it replaced "
              "is put back", file=sys.stderr)


def _move(source: Path, target: Path) -> None:
    """Move the run files of ``source`` into ``target`` (created), all or none."""
    target.mkdir()
    try:
        for name in RUN_FILES:
            if os.path.lexists(source / name):
                os.replace(source / name, target / name)
    except BaseException:
        _put_back(source, target, remove_new=False)
        raise


def _put_back(run_dir: Path, aside: Path, remove_new: bool = True) -> None:
    """Put the run files set aside in ``aside`` back into ``run_dir`` in place of the new run's (all of
    which go, with ``remove_new``), and remove ``aside``.

    A failure leaves ``aside`` in place and says so, in one line, without
    masking the error that stopped the run.
    """
    try:
        for name in reversed(RUN_FILES):  # results.json last: until it is back, the next run finishes the work
            if remove_new or os.path.lexists(aside / name):
                _remove(run_dir / name)
            if os.path.lexists(aside / name):
                os.replace(aside / name, run_dir / name)
        shutil.rmtree(aside)
    except OSError as error:
        print(f"warning: {run_dir}: could not put back the run set aside in {aside} ({error}); its files are "
              "there", file=sys.stderr)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
