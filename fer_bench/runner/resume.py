"""Re-opening a stored run (``run --resume``): its estimators, data, profile, seeds and cleaning, what the
command line may change of them, and the plugins its estimators need, imported only when given again."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..results import ResultsStore, RunData, RunManifest
from .targets import target_argument

if TYPE_CHECKING:
    from ..datasets import FERDataset
    from ..profiles import Profile


@dataclass(frozen=True)
class ResumeChanges:
    """What a resumed run is given anew; None keeps the stored run's.

    Attributes
    ----------
    data : str, optional
        The data file or folder, when the stored one moved.
    profile : str, optional
        A profile name or ``.toml`` file in place of the stored profile.
    budget_minutes, epochs : optional
        A budget for every network in place of the profile's (:func:`fer_bench.profiles.with_budget`).
    seed : int, optional
        The first seed.
    seeds : int, optional
        Seeds per estimator: more than the stored run's complete it with the seeds after them.
    save_models : {"none", "networks", "all"}, optional
    dedupe : {"train"}, optional
    drop_blank : bool, optional
    """

    data: str | None = None
    profile: str | None = None
    budget_minutes: float | None = None
    epochs: int | None = None
    seed: int | None = None
    seeds: int | None = None
    save_models: str | None = None
    dedupe: str | None = None
    drop_blank: bool | None = None


@dataclass(frozen=True)
class ResumedRun:
    """What a resumed run runs with: the stored run's settings, changed as asked (``targets``: the ``--also-test``
    arguments that read the stored run's targets again, :func:`fer_bench.runner.targets.target_argument`)."""

    names: list[str]
    dataset: FERDataset
    profile: Profile
    seed: int
    seeds: int
    save_models: str
    dedupe_train: bool
    drop_blank: bool
    cards: list[str]
    targets: list[str]


def resumed_run(run_dir: str | Path, changes: ResumeChanges, plugins: list[str],
                load_data: Callable[[str], FERDataset], import_plugins: Callable[[list[str]], None],
                warn: Callable[[str], None],
                register_cards: Callable[[list[str]], object] = lambda cards: None) -> ResumedRun:
    """The settings to complete the run stored in ``run_dir`` with.

    Parameters
    ----------
    run_dir : path
        The stored run's folder.
    changes : ResumeChanges
    plugins : list of str
        The ``--plugin`` files or modules given now; imported (``import_plugins``), never those ``results.json``
        names (a file anyone could edit).
    load_data : callable
        ``load_data(path, stored_labels=None)`` reads a data file or folder: with the command line's ``--labels``,
        or with ``stored_labels``, the stored run's FER+ ``(votes_file, mode)`` (``votes_file`` None for FER+
        folders) when it is re-read from where the run found it.
    import_plugins : callable
        Imports the plugins given now.
    warn : callable
        Shows one line: which plugins the stored run used.
    register_cards : callable
        Registers the run's model cards (``run --pretrained``) as estimators, before the plugins are checked.

    Raises
    ------
    FileNotFoundError
        If ``run_dir`` holds no run, or its data is gone and ``changes.data`` names none.
    ValueError
        If ``results.json`` is invalid (naming it and the field), or the run recorded no profile and
        ``changes.profile`` names none.
    ImportError
        If an estimator of the run is not registered with the plugins given.
    """
    from ..datasets import make_synthetic
    from ..profiles import load_profile, with_budget

    manifest, _ = ResultsStore(run_dir).load()
    register_cards(manifest.cards)
    _import_plugins(run_dir, manifest, plugins, import_plugins, warn)
    stored_data, relabelled = manifest.data, manifest.data.relabelling
    if changes.data is not None:
        dataset = load_data(changes.data)
    elif stored_data.synthetic:
        dataset = make_synthetic()
    elif _still_there(stored_data):  # FER+ labels: the faces and votes read again in the run's mode
        dataset = (load_data(relabelled["data"], (relabelled["votes_file"], relabelled["mode"]))
                   if "votes_file" in relabelled else load_data(stored_data.source))
    else:
        missing = f"the run's data {stored_data.source} is not there" if stored_data.source else "the run names no data"
        again = " (and its --labels and --ferplus-mode)" if "mode" in relabelled else ""
        raise FileNotFoundError(f"--resume {run_dir}: {missing}; name it with --data{again}")
    if changes.profile is None and manifest.profile is None:
        raise ValueError(f"--resume {run_dir}: the run recorded no profile; name it with --profile")
    profile = load_profile(changes.profile) if changes.profile else manifest.profile
    cleaning, execution = manifest.cleaning, manifest.execution
    return ResumedRun(
        names=manifest.estimators, dataset=dataset,
        profile=with_budget(profile, changes.budget_minutes, changes.epochs),
        seed=manifest.seed if changes.seed is None else changes.seed,
        seeds=max(len(manifest.seeds), changes.seeds or 0),
        save_models=changes.save_models or (execution.save_models if execution else "networks"),
        dedupe_train=(changes.dedupe or cleaning.dedupe) == "train",
        drop_blank=cleaning.drop_blank if changes.drop_blank is None else bool(changes.drop_blank),
        cards=list(manifest.cards), targets=[target_argument(target) for target in manifest.cross_targets])


def _still_there(data: RunData) -> bool:
    """Whether the files a run read its faces (and FER+ votes) from are where it found them."""
    if "votes_file" in data.relabelling:
        return all(Path(path).exists() for path in (data.relabelling["data"], data.relabelling["votes_file"]) if path)
    return data.source is not None and Path(data.source).exists()


def _import_plugins(run_dir: str | Path, manifest: RunManifest, plugins: list[str],
                    import_plugins: Callable[[list[str]], None], warn: Callable[[str], None]) -> None:
    """Import the plugins given now; says which the stored run used, and raises ImportError when one of the run's
    estimators is not registered without them."""
    from ..estimators import available_estimators

    stored = manifest.plugins
    if stored:
        warn(f"--resume {run_dir}: the stored run used the plugin(s) {', '.join(map(str, stored))}; "
             "they are imported only when given again with --plugin")
    import_plugins(plugins)
    missing = [name for name in manifest.estimators if name not in available_estimators()]
    if missing:
        hint = (f"give the stored run's plugin again, e.g. --plugin {shlex.quote(str(stored[0]))}" if stored
                else "give the plugin that registers it with --plugin")
        raise ImportError(f"--resume {run_dir}: estimator(s) {', '.join(missing)} of the run are not registered; {hint}")
