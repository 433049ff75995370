import dataclasses
import json

import numpy as np
import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.estimators import _registry
from fer_bench.estimators._registry import available_estimators, register_estimator
from fer_bench.profiles import Profile, load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark


class ExplodingClassifier:
    def get_params(self, deep=True):
        return {}

    def fit(self, X, y):
        raise RuntimeError("planted failure")


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic()


@pytest.fixture
def exploding(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))
    register_estimator("exploding", family="classical", framework="test", source="test")(lambda: ExplodingClassifier())
    return "exploding"


def test_smoke_run_records_every_estimator_and_survives_a_failure(tmp_path, synthetic, exploding):
    run_dir = tmp_path / "run"
    records = run_benchmark(["svc_linear", exploding, "knn"], synthetic, load_profile("smoke"), run_dir, progress=False)
    assert [record.status for record in records] == ["ok", "failed", "ok"]
    assert "planted failure" in records[1].error
    raw = json.loads((run_dir / "results.json").read_text())
    assert [record["name"] for record in raw["records"]] == ["svc_linear", "exploding", "knn"]
    assert raw["manifest"]["data"]["synthetic"] is True
    assert raw["manifest"]["data"]["sha256"] == synthetic.sha256
    assert raw["manifest"]["environment"]["cpu"]
    for record in records[::2]:
        assert 0 <= record.metrics["accuracy"] <= 1
        assert record.fit_seconds > 0 and record.predict_seconds > 0 and record.fit_images_per_second > 0
        predictions = ResultsStore(run_dir).load_predictions(record)
        assert len(predictions["y_pred"]) == record.test_images == record.metrics["n"]
    used = raw["manifest"]["data"]["used_counts"]
    assert sum(used["Training"].values()) == 420 and sum(used["PrivateTest"].values()) == 210
    knn_scores = ResultsStore(run_dir).load_predictions(records[2])["scores"]
    assert knn_scores.shape == (210, 7)


def test_publictest_scores_are_stored_beside_the_privatetest_ones(tmp_path, synthetic):
    run_benchmark(["svc_linear", "knn"], synthetic, load_profile("smoke"), tmp_path, progress=False)
    manifest, (svc, knn) = ResultsStore(tmp_path).load()
    public = sum(manifest["data"]["used_counts"]["PublicTest"].values())
    svc_arrays, knn_arrays = (ResultsStore(tmp_path).load_predictions(record) for record in (svc, knn))
    # knn has predict_proba: probabilities; the SVM only decision values, kept apart from "scores"
    assert knn_arrays["public_scores"].shape == (public, 7) and "public_decision" not in knn_arrays
    np.testing.assert_allclose(knn_arrays["public_scores"].sum(axis=1), 1, rtol=1e-5)
    assert "scores" not in svc_arrays and "public_scores" not in svc_arrays
    assert svc_arrays["decision"].shape == (210, 7) and svc_arrays["public_decision"].shape == (public, 7)
    for arrays in (svc_arrays, knn_arrays):
        assert np.array_equal(np.bincount(arrays["public_y_true"], minlength=7),
                              list(manifest["data"]["used_counts"]["PublicTest"].values()))


def test_estimators_are_better_than_chance_on_synthetic(tmp_path, synthetic):
    profile = Profile(name="test", data={"Training": 700, "PublicTest": 140, "PrivateTest": 280})
    (record,) = run_benchmark(["svc_rbf"], synthetic, profile, tmp_path, progress=False)
    assert record.metrics["accuracy"] > 2 / 7


def test_per_estimator_train_size_is_a_stratified_subset(tmp_path, synthetic):
    profile = Profile(name="test", data={"Training": 700, "PublicTest": 70, "PrivateTest": 70},
                      estimators={"svc_linear": {"train_size": 140}})
    (record,) = run_benchmark(["svc_linear"], synthetic, profile, tmp_path, progress=False)
    assert record.train_images == 140
    assert "train_size" not in record.params


def test_same_seed_same_results(tmp_path, synthetic):
    profile = load_profile("smoke")
    first = run_benchmark(["knn"], synthetic, profile, tmp_path / "a", seed=3, progress=False)[0]
    second = run_benchmark(["knn"], synthetic, profile, tmp_path / "b", seed=3, progress=False)[0]
    assert first.metrics == second.metrics


def test_unknown_estimator_fails_before_anything_runs(tmp_path, synthetic):
    with pytest.raises(KeyError, match="no estimator named"):
        run_benchmark(["svc_rbf", "nope"], synthetic, load_profile("smoke"), tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()


def test_smoke_profile_on_real_data(tmp_path, fer2013_csv):
    from fer_bench.datasets import load_dataset

    dataset = load_dataset(fer2013_csv)
    records = run_benchmark(list(available_estimators()), dataset, load_profile("smoke"),
                            tmp_path, progress=False)
    assert {record.name: record.status for record in records} == {name: "ok" for name in available_estimators()}, \
        {record.name: record.error for record in records if record.status != "ok"}
    best = max(record.metrics["accuracy"] for record in records)
    assert best > 0.25  # above the majority class (Happy, 24.5% of PrivateTest)
    all_classes = [record for record in records if not record.class_names]
    subsets = [record for record in records if record.class_names]  # keras_cnn5: 5 of the 7 classes
    assert subsets and all(record.metrics["n"] == 210 for record in all_classes)
    assert all(0 < record.metrics["n"] < 210 for record in subsets)
    audit = ResultsStore(tmp_path).load()[0]["audit"]
    assert (audit["private_total"], audit["private_exact"], audit["private_near_only"]) == (3589, 288, 152)
    assert (audit["training_exact_groups"], audit["training_faces_in_groups"], audit["blank"]) == (1035, 2271, 13)
    assert all(record.metrics_deduplicated["n"] == audit["scored_private_kept"] for record in all_classes)
    assert all(record.metrics_deduplicated["n"] < record.metrics["n"] for record in subsets)


@pytest.fixture(scope="module")
def planted():
    from tests.datasets.planted import planted_dataset

    return planted_dataset()


WHOLE = Profile(name="whole", data={})  # every face of the tiny planted set


def test_deduplicated_metrics_leave_out_private_faces_seen_in_training(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False)
    store = ResultsStore(tmp_path)
    leaked = store.load_leaked_mask()
    assert leaked.dtype == bool and np.flatnonzero(leaked).tolist() == [0, 1, 2, 3]  # rows 40..43 of the planted set
    predictions = store.load_predictions(record)
    kept = ~leaked
    from fer_bench.metrics import classification_metrics

    assert record.metrics_deduplicated == classification_metrics(predictions["y_true"][kept], predictions["y_pred"][kept],
                                                                  planted.class_names)
    assert record.metrics_deduplicated["n"] == 6 and record.metrics["n"] == 10
    manifest, _ = store.load()
    assert manifest["audit"] == {
        "private_total": 10, "private_exact": 2, "private_near_only": 2, "private_kept": 6,
        "public_exact": 1, "public_near_only": 1, "training_exact_groups": 2, "training_faces_in_groups": 4,
        "blank": 2, "label_conflict_groups": 2, "near_threshold": 4, "hash_method": "imagehash.phash(hash_size=8)",
        "blank_std": 2.0, "scored_private_total": 10, "scored_private_exact": 2, "scored_private_near_only": 2,
        "scored_private_kept": 6}
    assert manifest["cleaning"] == {"dedupe": None, "drop_blank": False, "dropped": {}}
    assert manifest["complete"] is True


def test_cleaning_options_are_applied_and_recorded(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False, dedupe_train=True, drop_blank=True)
    manifest, _ = ResultsStore(tmp_path).load()
    assert manifest["cleaning"] == {"dedupe": "train", "drop_blank": True, "dropped": {"dedupe_train": 6, "drop_blank": 2}}
    assert record.train_images == 30 - 6 - 1 and record.test_images == 10 - 1
    assert manifest["data"]["used_counts"]["PrivateTest"] != manifest["data"]["counts"]["PrivateTest"]
    assert record.metrics_deduplicated["n"] == 5  # 9 scored, 4 of them leaked
    with pytest.raises(ValueError, match="audit"):
        run_benchmark(["knn"], planted, WHOLE, tmp_path / "x", progress=False, dedupe_train=True, audit=False)


def test_without_audit_there_are_no_deduplicated_metrics(tmp_path, planted):
    (record,) = run_benchmark(["knn"], planted, WHOLE, tmp_path, progress=False, audit=False)
    assert record.metrics_deduplicated == {} and record.metrics["n"] == 10
    assert ResultsStore(tmp_path).load()[0]["audit"] is None and ResultsStore(tmp_path).load_leaked_mask() is None


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


def test_a_network_learns_the_synthetic_cues_under_the_smoke_profile(tmp_path, synthetic):
    (record,) = run_benchmark(["shallow_cnn"], synthetic, load_profile("smoke"), tmp_path, progress=False,
                              save_models="none")
    chance = 1 / len(synthetic.class_names)
    assert record.status == "ok" and record.metrics["accuracy"] > 2 * chance, record.metrics["accuracy"]
