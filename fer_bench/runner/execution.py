"""How one estimator's fit runs, wherever joblib sends it.

- :func:`fit_and_predict`: the estimator's life: build, fit on Training
  (PublicTest for selection), predict PrivateTest, score PublicTest (for
  ensembles chosen on it), optionally save;
- :func:`run_task`: the same for a picklable :class:`FitTask` and the run's
  :class:`FitData`, wherever joblib sends them, never raising for the estimator's own failure; under a time limit
  it runs in a child process that is terminated at the limit;
- network estimators run one at a time per machine (:mod:`fer_bench.runner.network_lock`),
  so two never share a GPU, and their timings stay their own.

Where the tasks go (local processes, dask, Ray) is :mod:`fer_bench.runner.backends`'s, and so is where a fit's own
joblib calls run: on a dask worker, in threads of its task (time-limited child too), never queued on the cluster.
"""

from __future__ import annotations

import inspect
import multiprocessing
import multiprocessing.connection
import os
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..datasets import stratified_indices
from ..datasets.class_subset import restrict_to_classes
from ..estimators import (EstimatorSpec, RepeatSteps, available_estimators, create_estimator, get_estimator_spec,
                          load_plugin)
from ..profiles import Profile
from .._io import json_safe
from ..results import RunRecord
from ..timing import PeakMemory, Stopwatch
from .backends import dask_worker_threads, nested_work_in_this_process
from .cross_scoring import predict_targets
from .estimator_outputs import decision_values, public_test_outputs, scores_for_all_classes
from .fit_log import progress_lines_into
from .network_lock import NetworkLockTimeout, network_slot

_CHILD_READY = "ready"
_KILL_GRACE_SECONDS = 5.0


@dataclass(frozen=True, eq=False)
class FitData:
    """The faces every fit of a run shares.

    One object per run, given to every task beside its :class:`FitTask`: the
    dask backend of joblib then sends it to each worker once (it scatters
    arguments whose ``sizeof`` is large), not once per estimator.

    Attributes
    ----------
    splits : dict of str to (ndarray, ndarray)
        ``Training``, ``PublicTest`` and ``PrivateTest`` as (uint8 (n, 48, 48), int64 (n,)).
    class_names : tuple of str
        The data set's classes, index = label.
    training_targets : ndarray of float32, shape (n_training, n_classes), or None
        Training's vote distributions (FER+ ``probability`` or ``crossentropy``,
        :attr:`fer_bench.datasets.FERDataset.targets`), for the estimators whose ``fit`` takes
        ``label_distributions``; the others fit the top class in ``splits``. None without them.
    target_mode : str
        ``crossentropy`` or ``probability`` with ``training_targets``; empty without them.
    target_images : tuple of ndarray of uint8, shape (n_target, 48, 48)
        The faces of each other data set the models are also scored on (``run --also-test``).
    """

    splits: dict[str, tuple[np.ndarray, np.ndarray]]
    class_names: tuple[str, ...]
    training_targets: np.ndarray | None = None
    target_mode: str = ""
    target_images: tuple[np.ndarray, ...] = ()

    def __sizeof__(self) -> int:
        targets = 0 if self.training_targets is None else self.training_targets.nbytes
        return targets + sum(images.nbytes + labels.nbytes for images, labels in self.splits.values()) + \
            sum(images.nbytes for images in self.target_images)


@dataclass(frozen=True)
class FitTask:
    """What one estimator's fit needs besides the faces; picklable, since it travels to workers.

    Attributes
    ----------
    name, family : str
        The registered estimator.
    plugins : tuple of str
        ``--plugin`` modules or files a fresh worker imports, and ``--pretrained`` cards (``.toml``) it
        registers, to find ``name``.
    profile : Profile
    n_classes : int
        Classes of the run (the width of the stored scores).
    seed : int
        Given to the estimator's ``random_state`` and the per-estimator Training subset.
    save_model : bool
        Return the fitted model's files.
    time_limit : float or None
        Seconds the fit, predict and save may take; None for no limit.
    epoch_lines : bool
        Print a network's line per epoch (and, on a terminal, its bar within the epoch), and a classical
        estimator's progress lines (:mod:`fer_bench.estimators._progress`).
    log_file : str or None
        Where those lines are appended as well (``RUN_DIR/logs/NAME.log``), printed or not.
    repeat_steps : RepeatSteps or None
        Train a network exactly the steps, at the learning rates, an earlier run's time budget planned.
    checkpoint_file : str or None
        Where a network whose ``fit`` takes a ``checkpoint`` keeps its state after each epoch
        (``RUN_DIR/checkpoints/NAME.pt``), and goes on from after an interruption.
    """

    name: str
    family: str
    plugins: tuple[str, ...]
    profile: Profile
    n_classes: int
    seed: int
    save_model: bool = False
    time_limit: float | None = None
    epoch_lines: bool = False
    log_file: str | None = None
    repeat_steps: RepeatSteps | None = None
    checkpoint_file: str | None = None


@dataclass
class FitOutcome:
    """What a fit sends back: the record without metrics, the PrivateTest predictions and the model.

    Attributes
    ----------
    record : RunRecord
        Status, timings, params, history, device; metrics are left to the runner.
    y_pred : ndarray of int64, shape (n_test,) or None
        None unless ``record.status == "ok"``.
    scores : ndarray of float32, shape (n_test, n_classes) or None
        Class probabilities, where the estimator has ``predict_proba``.
    model_files : dict of str to bytes
        The saved model's files by path relative to its folder; empty when not saved.
    decision : ndarray of float32, shape (n_test, n_classes) or None
        PrivateTest ``decision_function`` values, where the estimator has one but no
        ``predict_proba`` (-inf for a class it never saw in Training).
    public_y_true : ndarray of int64, shape (n_public,) or None
        PublicTest labels (a label-subset model's own, relabelled), where PublicTest
        is labelled and the estimator has probabilities or decision values.
    public_scores, public_decision : ndarray of float32, shape (n_public, n_classes) or None
        The same probabilities or decision values on PublicTest.
    target_predictions : list of (ndarray of int64, float)
        Labels of each of ``FitData.target_images`` and the seconds they took (:func:`.cross_scoring.predict_targets`).
    """

    record: RunRecord
    y_pred: np.ndarray | None = None
    scores: np.ndarray | None = None
    model_files: dict[str, bytes] = field(default_factory=dict)
    decision: np.ndarray | None = None
    public_y_true: np.ndarray | None = None
    public_scores: np.ndarray | None = None
    public_decision: np.ndarray | None = None
    target_predictions: list[tuple[np.ndarray, float]] = field(default_factory=list)


def _spec(task: FitTask) -> EstimatorSpec:
    """The registered spec of ``task.name``, importing the task's plugins when this process lacks it."""
    if task.name not in available_estimators():
        from ..estimators.card_zoo import register_card
        from ..estimators.persistence import is_card

        for plugin in task.plugins:
            if is_card(plugin):
                register_card(plugin)
            else:
                load_plugin(plugin)
    return get_estimator_spec(task.name)


def _model_files(estimator) -> dict[str, bytes]:
    from ..estimators.persistence import save_estimator

    with tempfile.TemporaryDirectory(prefix="fer_bench-model-") as folder:
        save_estimator(estimator, folder)
        return {str(path.relative_to(folder)): path.read_bytes()
                for path in sorted(Path(folder).rglob("*")) if path.is_file()}


def fit_and_predict(spec: EstimatorSpec, task: FitTask, data: FitData) -> FitOutcome:
    """Fit one estimator on Training (PublicTest for selection), predict PrivateTest, then score PublicTest and
    predict the faces of the other data sets (``FitData.target_images``).

    ``predict_seconds`` times the PrivateTest prediction alone; PublicTest scores, the other data sets
    and PrivateTest decision values are computed after it.

    Exceptions of the estimator propagate; :func:`run_task` turns them into a
    failed record.
    """
    profile, splits, n_classes = task.profile, data.splits, task.n_classes
    if spec.classes:  # a model of a label subset (e.g. 5 classes): only its classes' faces, relabelled
        splits, subset_names = restrict_to_classes(splits, data.class_names, spec.classes)
        n_classes = len(subset_names)
    build = create_estimator(spec.name, profile, task.seed, task.repeat_steps)
    estimator = build.estimator
    X_train, y_train = splits["Training"]
    fit_kwargs = {}
    takes = inspect.signature(estimator.fit).parameters
    if data.training_targets is not None and not spec.classes and "label_distributions" in takes:
        fit_kwargs.update(label_distributions=data.training_targets, distribution_use=data.target_mode)
    limit = build.train_size
    if limit and limit < len(y_train):
        keep = stratified_indices(y_train, limit, task.seed)
        X_train, y_train = X_train[keep], y_train[keep]
        if "label_distributions" in fit_kwargs:
            fit_kwargs["label_distributions"] = fit_kwargs["label_distributions"][keep]
    X_test, y_test = splits["PrivateTest"]
    record = RunRecord(name=spec.name, family=spec.family, framework=spec.framework, source=spec.source,
                       params=json_safe(estimator.get_params(deep=False)),
                       train_images=len(y_train), test_images=len(y_test), seed=task.seed,
                       targets=fit_kwargs.get("distribution_use", "labels"))

    watched = task.epoch_lines and "verbose" in record.params  # how a fit is watched is no setting of the model
    if watched:
        estimator.set_params(verbose=True)
    if "validation_data" in takes and len(splits["PublicTest"][1]):
        fit_kwargs["validation_data"] = splits["PublicTest"]
    if task.checkpoint_file and "checkpoint" in takes:
        fit_kwargs["checkpoint"] = task.checkpoint_file
    with progress_lines_into(task.log_file, task.epoch_lines and not watched), PeakMemory() as memory, \
            Stopwatch() as fit_watch:
        estimator.fit(X_train, y_train, **fit_kwargs)
    if watched:  # back to the model's own setting, for the record and the saved model
        estimator.set_params(verbose=record.params["verbose"])
    with Stopwatch() as predict_watch:
        if hasattr(estimator, "predict_proba"):
            proba = estimator.predict_proba(X_test)
            y_pred = np.asarray(estimator.classes_)[np.argmax(proba, axis=1)]
        else:
            proba, y_pred = None, estimator.predict(X_test)
    scores = None if proba is None else scores_for_all_classes(estimator, proba, n_classes)
    decision = decision_values(estimator, X_test, n_classes) if proba is None else None  # not timed: an extra pass
    public = public_test_outputs(estimator, splits["PublicTest"], n_classes)
    target_predictions = predict_targets(estimator, data.target_images)  # run --also-test

    history = [json_safe(entry) for entry in getattr(estimator, "history_", [])]
    used = json_safe(getattr(estimator, "budget_", None))
    record.budget = {**build.budget, "used": used} if build.budget and used else dict(build.budget)
    images_fitted = used["images_run"] if used else len(y_train) * max(len(history), 1)
    record.fit_seconds = fit_watch.seconds + (used or {}).get("seconds_before_resume", 0.0)  # + earlier processes'
    record.predict_seconds = predict_watch.seconds
    record.fit_images_per_second = images_fitted / max(fit_watch.seconds, 1e-9)
    record.predict_images_per_second = len(y_test) / max(predict_watch.seconds, 1e-9)
    record.peak_memory_mib = memory.peak_mib
    record.device = str(getattr(estimator, "device_", "cpu"))
    record.history = history
    record.params = json_safe(estimator.get_params(deep=False))
    record.pretrained = json_safe(getattr(estimator, "pretrained_", None))
    model_files = _model_files(estimator) if task.save_model else {}
    return FitOutcome(record, np.asarray(y_pred, dtype=np.int64), scores, model_files, decision=decision,
                      target_predictions=target_predictions, **public)


def _not_finished(task: FitTask, status: str, error: str) -> FitOutcome:
    """An outcome without predictions; framework and source as registered where this process knows the name."""
    spec = available_estimators().get(task.name)
    return FitOutcome(RunRecord(name=task.name, family=task.family, framework=spec.framework if spec else "",
                                source=spec.source if spec else "", status=status, error=error, seed=task.seed))


def _fit_guarded(task: FitTask, data: FitData, threads: int | None) -> FitOutcome:
    try:
        with nested_work_in_this_process(threads):
            return fit_and_predict(_spec(task), task, data)
    except Exception as error:  # one estimator's failure must not end the run
        return _not_finished(task, "failed", "".join(traceback.format_exception(error)[-3:]).strip())


def _exit_with_parent() -> None:
    """In a child process: end it as soon as its parent is gone (killed), instead of fitting on as an orphan."""
    parent = multiprocessing.parent_process()
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def _child_main(task: FitTask, data: FitData, threads: int | None, connection) -> None:
    """Entry of the time-limited child: Ctrl-C is the parent's to handle, and the child ends with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    connection.send(_CHILD_READY)
    connection.send(_fit_guarded(task, data, threads))
    connection.close()


def _fit_in_child(task: FitTask, data: FitData, seconds: float, threads: int | None) -> FitOutcome:
    """:func:`_fit_guarded` (``threads`` as there) in a spawned child process, terminated after ``seconds`` (what is
    left of ``task.time_limit``).

    The limit counts from the moment the child has started and received the
    task (imports and data transfer excluded).
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(task, data, threads, sender), name=f"fer_bench-fit-{task.name}",
                            daemon=False)
    if multiprocessing.current_process().daemon:
        receiver.close()
        sender.close()
        return _not_finished(task, "failed", "a time limit runs the estimator in a child process, which this daemonic "
                                             "worker process cannot start (dask: set distributed.worker.daemon: false)")
    child.start()
    sender.close()
    try:
        try:
            if receiver.recv() != _CHILD_READY:
                raise EOFError
            if not receiver.poll(max(seconds, 0.0)):
                return _not_finished(task, "timed_out",
                                     f"stopped after the time limit of {task.time_limit:g} s (--time-limit)")
            return receiver.recv()
        except EOFError:
            child.join()
            return _not_finished(task, "failed", f"the estimator's child process ended with exit code {child.exitcode} "
                                                 "before returning a result (killed, or out of memory?)")
    finally:
        if child.is_alive():
            child.terminate()
            child.join(_KILL_GRACE_SECONDS)
            if child.is_alive():
                child.kill()
        child.join()
        receiver.close()


def _skipped(task: FitTask) -> FitOutcome | None:
    """A ``skipped`` outcome where an optional package the estimator requires is missing here; else None."""
    try:
        spec = _spec(task)
    except Exception:  # an unknown name or a broken plugin: the fit reports it as its failure
        return None
    missing = spec.missing_requirements()
    if not missing:
        return None
    return _not_finished(task, "skipped", f"skipped: needs {', '.join(map(repr, missing))}, not installed here; "
                                          f"install with: {spec.install_command(missing)}")


def run_task(task: FitTask, data: FitData) -> FitOutcome:
    """Fit one estimator where joblib runs this: in this process, or a child under a time limit.

    A network estimator first waits for this machine's network lock
    (:func:`fer_bench.runner.network_lock.network_slot`); the wait counts against
    ``task.time_limit`` but never towards the fit's timings.

    Returns
    -------
    FitOutcome
        ``ok``, ``failed`` (the traceback's last lines in ``error``),
        ``timed_out`` or ``skipped`` (a required optional package is missing;
        ``error`` gives the install command); only ``KeyboardInterrupt`` and the like propagate.
    """
    skipped = _skipped(task)
    if skipped is not None:
        return skipped
    deadline = None if task.time_limit is None else time.monotonic() + task.time_limit
    try:
        with network_slot(task.family, task.name, deadline):
            if deadline is None:
                return _fit_guarded(task, data, dask_worker_threads())
            return _fit_in_child(task, data, deadline - time.monotonic(), dask_worker_threads())
    except NetworkLockTimeout as error:
        return _not_finished(task, "timed_out", f"stopped after the time limit of {task.time_limit:g} s "
                                                f"(--time-limit): {error}")
