import json

import numpy as np
import pytest

from fer_bench.estimators import available_estimators
from fer_bench.profiles import Profile, load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark

from .support import WHOLE


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


def test_on_stored_is_given_each_new_record_once_results_json_holds_it(tmp_path, planted, exploding):
    seen = []

    def on_stored(record):
        stored = ResultsStore(tmp_path).load()[1]
        seen.append((record.name, record.status, [(item.name, item.status) for item in stored]))

    run_benchmark(["svc_linear", exploding], planted, WHOLE, tmp_path, progress=False, on_stored=on_stored)
    assert seen == [("svc_linear", "ok", [("svc_linear", "ok")]),
                    ("exploding", "failed", [("svc_linear", "ok"), ("exploding", "failed")])]


def test_publictest_scores_are_stored_beside_the_privatetest_ones(tmp_path, synthetic):
    run_benchmark(["svc_linear", "knn"], synthetic, load_profile("smoke"), tmp_path, progress=False)
    manifest, (svc, knn) = ResultsStore(tmp_path).load()
    public = sum(manifest.data.used_counts["PublicTest"].values())
    svc_arrays, knn_arrays = (ResultsStore(tmp_path).load_predictions(record) for record in (svc, knn))
    # knn has predict_proba: probabilities; the SVM only decision values, kept apart from "scores"
    assert knn_arrays["public_scores"].shape == (public, 7) and "public_decision" not in knn_arrays
    np.testing.assert_allclose(knn_arrays["public_scores"].sum(axis=1), 1, rtol=1e-5)
    assert "scores" not in svc_arrays and "public_scores" not in svc_arrays
    assert svc_arrays["decision"].shape == (210, 7) and svc_arrays["public_decision"].shape == (public, 7)
    for arrays in (svc_arrays, knn_arrays):
        assert np.array_equal(np.bincount(arrays["public_y_true"], minlength=7),
                              list(manifest.data.used_counts["PublicTest"].values()))


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


# the two slowest networks run the smoke profile in the next test only: the real-data smoke run leaves them out
SMOKED_ON_SYNTHETIC_ONLY = {"ddamfn", "keras_cnn"}


# on one thread beside another job: shallow_cnn 7 s, ddamfn 83 s (74%), keras_cnn 143 s (57%)
@pytest.mark.parametrize(("name", "framework"), [("shallow_cnn", "torch"), ("ddamfn", "torch"), ("keras_cnn", "keras")])
def test_a_network_learns_the_synthetic_cues_under_the_smoke_profile(tmp_path, synthetic, name, framework):
    pytest.importorskip(framework)
    (record,) = run_benchmark([name], synthetic, load_profile("smoke"), tmp_path, progress=False,
                              save_models="none")
    chance = 1 / len(synthetic.class_names)
    assert record.status == "ok" and record.metrics["accuracy"] > 2 * chance, record.metrics["accuracy"]


def test_smoke_profile_on_real_data(tmp_path, fer2013_original_csv):
    from fer_bench.datasets import load_dataset

    dataset = load_dataset(fer2013_original_csv)
    names = [name for name in available_estimators() if name not in SMOKED_ON_SYNTHETIC_ONLY]
    records = run_benchmark(names, dataset, load_profile("smoke"), tmp_path, progress=False)
    missing_extra = {record.name for record in records if record.status == "skipped" and "not installed here" in record.error}
    assert {record.name: record.status for record in records} == \
        {name: "skipped" if name in missing_extra else "ok" for name in names}, \
        {record.name: record.error for record in records if record.status != "ok"}
    records = [record for record in records if record.status == "ok"]  # an optional extra missing: skipped
    best = max(record.metrics["accuracy"] for record in records)
    assert best > 0.25  # above the majority class (Happy, 24.5% of PrivateTest)
    all_classes = [record for record in records if not record.class_names]
    subsets = [record for record in records if record.class_names]  # keras_cnn5: 5 of the 7 classes
    assert subsets and all(record.metrics["n"] == 210 for record in all_classes)
    assert all(0 < record.metrics["n"] < 210 for record in subsets)
    audit = ResultsStore(tmp_path).load()[0].audit
    assert (audit["private_total"], audit["private_exact"], audit["private_near_only"]) == (3589, 288, 155)  # 152 in the re-encoded copy
    assert (audit["training_exact_groups"], audit["training_faces_in_groups"], audit["blank"]) == (1035, 2271, 13)
    assert all(record.metrics_deduplicated["n"] == audit["scored_private_kept"] for record in all_classes)
    assert all(record.metrics_deduplicated["n"] < record.metrics["n"] for record in subsets)


def test_a_profile_table_of_an_unregistered_estimator_fails_before_anything_runs(tmp_path, synthetic):
    profile = Profile("mine", estimators={"knn": {"n_neighbors": 3}, "no_such_estimator": {"C": 1.0}})
    with pytest.raises(ValueError, match=r"profile 'mine': \[estimators\.no_such_estimator\]: no estimator of that "
                                         r"name is registered \(a plugin's: give --plugin\); registered: .*knn"):
        run_benchmark(["knn"], synthetic, profile, tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()


def test_a_profile_table_of_a_plugin_s_estimator_is_accepted_once_the_plugin_is_loaded(tmp_path, synthetic, sleeper):
    profile = Profile("mine", estimators={sleeper: {}})
    (record,) = run_benchmark(["knn"], synthetic, profile, tmp_path / "run", progress=False)
    assert record.status == "ok"


def test_every_built_in_profile_s_tables_name_registered_estimators():
    from fer_bench.profiles import PROFILE_NAMES

    tables = {name for profile in PROFILE_NAMES for name in load_profile(profile).estimators}
    assert tables and tables <= set(available_estimators())


def test_a_network_stopped_mid_fit_goes_on_from_its_last_epoch_when_the_run_is_resumed(tmp_path, synthetic,
                                                                                        monkeypatch):
    from fer_bench.estimators.torch import trainer

    profile = Profile("three epochs", data={"Training": 140, "PublicTest": 70, "PrivateTest": 70},
                      networks={"epochs": 3, "batch_size": 32, "width": 0.125})
    (whole,) = run_benchmark(["shallow_cnn"], synthetic, profile, tmp_path / "whole", progress=False)
    original, calls = trainer.StepTrainer.validate, []

    def validate(self):  # Ctrl-C while the third epoch is scored
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(trainer.StepTrainer, "validate", validate)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(["shallow_cnn"], synthetic, profile, tmp_path / "run", progress=False)
    assert (tmp_path / "run" / "checkpoints" / "shallow_cnn.pt").is_file()
    monkeypatch.setattr(trainer.StepTrainer, "validate", original)
    (resumed,) = run_benchmark(["shallow_cnn"], synthetic, profile, tmp_path / "run", progress=False, resume=True)
    used = resumed.budget["used"]
    assert used["resumed_after_epoch"] == 2 and used["epochs_run"] == 3
    assert used["seconds_before_resume"] > sum(row["seconds"] for row in resumed.history[:2])  # + their scoring
    assert resumed.fit_seconds > used["seconds_before_resume"]  # the earlier epochs count in the fit's seconds
    assert resumed.metrics == whole.metrics
    assert "went on after epoch 2" in (tmp_path / "run" / "logs" / "shallow_cnn.log").read_text()
    assert not (tmp_path / "run" / "checkpoints").exists()  # gone once the record is stored
