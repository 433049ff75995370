import pytest

from fer_bench.profiles import load_profile
from fer_bench.results import Cleaning, Execution, ResultsStore, RunData, RunManifest
from fer_bench.runner.resume import ResumeChanges, resumed_run


def _stored(tmp_path, **fields):
    """A run folder whose results.json holds only a manifest (no records yet)."""
    manifest = RunManifest(seed=3, seeds=[3, 4], profile=load_profile("smoke"), estimators=["knn", "svc_linear"],
                           data=RunData(source="synthetic", synthetic=True),
                           cleaning=Cleaning(dedupe="train", drop_blank=True),
                           execution=Execution(save_models="all"), **fields)
    ResultsStore(tmp_path / "run").save(manifest, [])
    return tmp_path / "run"


def _resume(run_dir, changes=ResumeChanges(), plugins=(), warnings=None, imported=None):
    return resumed_run(run_dir, changes, list(plugins), load_data=lambda path: pytest.fail(f"read {path}"),
                       import_plugins=(imported if imported is not None else []).extend,
                       warn=(warnings if warnings is not None else []).append)


def test_the_stored_run_s_settings_are_kept(tmp_path):
    resumed = _resume(_stored(tmp_path))
    assert resumed.names == ["knn", "svc_linear"] and resumed.dataset.synthetic
    assert (resumed.profile.name, resumed.seed, resumed.seeds, resumed.save_models) == ("smoke", 3, 2, "all")
    assert resumed.dedupe_train and resumed.drop_blank


def test_the_command_line_wins_and_more_seeds_complete_the_run(tmp_path):
    changes = ResumeChanges(profile="quick", epochs=3, seed=7, seeds=4, save_models="none", drop_blank=False)
    resumed = _resume(_stored(tmp_path), changes)
    assert (resumed.profile.name, resumed.seed, resumed.seeds, resumed.save_models) == ("quick", 7, 4, "none")
    assert resumed.profile.budget == {"kind": "recipe"} and resumed.profile.networks["epochs"] == 3
    assert not resumed.drop_blank and _resume(_stored(tmp_path), ResumeChanges(seeds=1)).seeds == 2


def test_data_that_moved_must_be_named(tmp_path):
    run_dir = tmp_path / "run"
    ResultsStore(run_dir).save(RunManifest(profile=load_profile("smoke"), estimators=["knn"],
                                           data=RunData(source=str(tmp_path / "gone.csv"))), [])
    with pytest.raises(FileNotFoundError, match=r"the run's data .*gone\.csv is not there; name it with --data"):
        _resume(run_dir)
    read = []
    resumed_run(run_dir, ResumeChanges(data="elsewhere.csv"), [], load_data=lambda path: read.append(path) or "faces",
                import_plugins=lambda plugins: None, warn=print)
    assert read == ["elsewhere.csv"]


def test_ferplus_folders_are_read_again_in_the_run_s_mode(tmp_path):
    from fer_bench.datasets.ferplus import relabelling

    folders = tmp_path / "FERPlus"
    folders.mkdir()
    run_dir = tmp_path / "run"
    ResultsStore(run_dir).save(RunManifest(profile=load_profile("smoke"), estimators=["knn"], data=RunData(
        source=f"{folders} (FER+ folders, crossentropy)", relabelling=relabelling(folders, "crossentropy", 9, {}))), [])
    read = []
    resumed_run(run_dir, ResumeChanges(), [], load_data=lambda *arguments: read.append(arguments) or "faces",
                import_plugins=lambda plugins: None, warn=print)
    assert read == [(str(folders), (None, "crossentropy"))]


def test_a_run_without_a_profile_needs_one(tmp_path):
    ResultsStore(tmp_path / "run").save(RunManifest(data=RunData(synthetic=True), estimators=["knn"]), [])
    with pytest.raises(ValueError, match="recorded no profile; name it with --profile"):
        _resume(tmp_path / "run")


def test_only_the_plugins_given_now_are_imported(tmp_path):
    run_dir = _stored(tmp_path, plugins=["/elsewhere/mine.py"])
    manifest, _ = ResultsStore(run_dir).load()
    manifest.estimators.append("mine")
    ResultsStore(run_dir).save(manifest, [])
    warnings, imported = [], []
    with pytest.raises(ImportError, match=r"estimator\(s\) mine of the run are not registered; give the stored run's "
                                          r"plugin again, e.g. --plugin /elsewhere/mine.py"):
        _resume(run_dir, plugins=["now.py"], warnings=warnings, imported=imported)
    assert imported == ["now.py"] and "imported only when given again with --plugin" in warnings[0]
