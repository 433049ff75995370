import dataclasses
import json
import re
from pathlib import Path

import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import _registry
from fer_bench.profiles import Profile, load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark

from .support import WHOLE


def test_cleaning_options_are_applied_and_recorded(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False, dedupe_train=True, drop_blank=True)
    manifest, _ = ResultsStore(tmp_path).load()
    assert manifest["cleaning"] == {"dedupe": "train", "drop_blank": True, "dropped": {"dedupe_train": 6, "drop_blank": 2}}
    assert record.train_images == 30 - 6 - 1 and record.test_images == 10 - 1
    assert manifest["data"]["used_counts"]["PrivateTest"] != manifest["data"]["counts"]["PrivateTest"]
    assert record.metrics_deduplicated["n"] == 5  # 9 scored, 4 of them leaked
    with pytest.raises(ValueError, match="audit"):
        run_benchmark(["knn"], planted, WHOLE, tmp_path / "x", progress=False, dedupe_train=True, audit=False)


def test_resume_reruns_only_what_did_not_finish(tmp_path, synthetic, exploding, monkeypatch):
    profile = load_profile("smoke")
    first = run_benchmark(["svc_linear", exploding], synthetic, profile, tmp_path, seed=2, progress=False)
    assert [record.status for record in first] == ["ok", "failed"]
    assert ResultsStore(tmp_path).load()[0]["complete"] is True  # every estimator has a record, one failed
    working = dataclasses.replace(_registry._REGISTRY[exploding], factory=_registry.get_estimator_spec("knn").factory)
    monkeypatch.setitem(_registry._REGISTRY, exploding, working)  # it works now
    second = run_benchmark(["svc_linear", exploding], synthetic, profile, tmp_path, seed=2, progress=False,
                           resume=True)
    assert [record.status for record in second] == ["ok", "ok"]
    assert second[0] == first[0]  # kept as it was, not refitted
    manifest, records = ResultsStore(tmp_path).load()
    assert manifest["complete"] is True and len(manifest["resumed"]) == 1 and len(records) == 2


def test_resume_refuses_other_data_profile_or_seed(tmp_path, synthetic):
    profile = load_profile("smoke")
    run_benchmark(["svc_linear"], synthetic, profile, tmp_path, progress=False)
    other = make_synthetic(n_per_class=20)
    with pytest.raises(ValueError, match="sha256"):
        run_benchmark(["svc_linear"], other, profile, tmp_path, progress=False, resume=True)
    with pytest.raises(ValueError, match="seed"):
        run_benchmark(["svc_linear"], synthetic, profile, tmp_path, seed=5, progress=False, resume=True)
    with pytest.raises(ValueError, match="profile"):
        run_benchmark(["svc_linear"], synthetic, load_profile("quick"), tmp_path, progress=False, resume=True)
    with pytest.raises(FileNotFoundError, match="results.json"):
        run_benchmark(["svc_linear"], synthetic, profile, tmp_path / "none", progress=False, resume=True)


def test_synthetic_faces_are_not_flagged_as_near_copies(tmp_path):
    run_benchmark(["svc_linear"], make_synthetic(), load_profile("smoke"), tmp_path / "run", progress=False)
    audit = json.loads((tmp_path / "run" / "results.json").read_text())["manifest"]["audit"]
    assert audit["near_threshold"] == 0
    assert audit["private_exact"] + audit["private_near_only"] == 0


def test_data_without_public_test_is_said_loudly_and_recorded(tmp_path, synthetic, capsys):
    profile = Profile(name="test", data={"Training": 140, "PrivateTest": 70})
    without_public = synthetic.select(synthetic.usage != "PublicTest")
    (record,) = run_benchmark(["knn"], without_public, profile, tmp_path / "run", progress=False)
    assert record.status == "ok"
    err = capsys.readouterr().err
    assert "warning: synthetic: no PublicTest faces: model selection falls back to cross-validation on Training" in err
    assert "networks keep their last epoch" in err
    manifest = json.loads((tmp_path / "run" / "results.json").read_text())["manifest"]
    [warning] = manifest["warnings"]
    assert "no PublicTest faces" in warning
    run_benchmark(["knn"], synthetic, profile, tmp_path / "with", progress=False)
    assert "PublicTest" not in capsys.readouterr().err
    assert json.loads((tmp_path / "with" / "results.json").read_text())["manifest"]["warnings"] == []


@pytest.mark.parametrize("kind", ["file", "dangling link", "folder under a file"])
def test_a_run_folder_that_cannot_be_one_is_refused_with_the_reason(tmp_path, synthetic, kind):
    blocker = tmp_path / "taken"
    if kind == "dangling link":
        blocker.symlink_to(tmp_path / "gone")
    else:
        blocker.write_text("keep me\n")
    run_dir = blocker / "run" if kind == "folder under a file" else blocker
    reason = (f"{run_dir}: it is a link to {tmp_path / 'gone'}, which does not exist" if kind == "dangling link"
              else f"{run_dir}: {'it' if run_dir == blocker else blocker} is a file, not a folder")
    with pytest.raises(ValueError, match=re.escape(reason) + "; .*choose another --out"):
        run_benchmark(["knn"], synthetic, WHOLE, run_dir, progress=False)
    assert blocker.is_symlink() if kind == "dangling link" else blocker.read_text() == "keep me\n"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_run_folder_that_takes_no_files_is_not_said_to_be_locked_by_another_run(synthetic):
    with pytest.raises(ValueError, match=r"^/proc: cannot create files in this folder \(.+\); choose another --out"):
        run_benchmark(["knn"], synthetic, WHOLE, "/proc", progress=False)
