"""What a tracker is given of a stored run: read from the store alone, the same during a run and after it."""

import json
from dataclasses import replace

import pytest

from fer_bench.results import ResultsStore
from fer_bench.tracking.entries import fit_entry, flat_params, run_entry

from .support import HISTORY, SHA256


def entries(run_dir):
    store = ResultsStore(run_dir)
    manifest, records = store.load()
    return store, manifest, {(record.name, record.seed): record for record in records}


def test_a_network_s_entry_has_its_settings_epochs_final_metrics_and_files(stored_run):
    store, manifest, records = entries(stored_run)
    record = records["tiny_cnn", 1]
    fit = fit_entry(store, manifest, record)
    assert (fit.key, fit.label, fit.stem, fit.status) == (("tiny_cnn", 1), "tiny_cnn (seed 1)", "tiny_cnn.seed1", "ok")
    assert fit.params["epochs"] == 3 and fit.params["patience"] is None and fit.params["seed"] == 1
    assert fit.params["hidden"] == "[8, 16]" and fit.params["random_state"] == 1
    assert fit.params["budget.kind"] == "recipe" and fit.params["budget.used.epochs_run"] == 3
    assert fit.params["budget.not_followed"] == '["tta"]' and fit.params["budget.overrides"] == "{}"
    assert not any("replans" in key for key in fit.params)
    assert fit.epochs == [(row["epoch"], {"train_loss": row["train_loss"], "publictest_accuracy": row["public_accuracy"],
                                          "images_per_second": row["images_per_second"]}) for row in HISTORY]
    accuracy = record.metrics["accuracy"]
    assert fit.final["privatetest_accuracy"] == accuracy
    assert fit.final["privatetest_accuracy_ci_low"] < accuracy < fit.final["privatetest_accuracy_ci_high"]
    assert fit.final["privatetest_macro_f1_ci_low"] < record.metrics["macro_f1"] < fit.final["privatetest_macro_f1_ci_high"]
    assert fit.final["dedup_privatetest_accuracy"] == pytest.approx(0.65) and fit.final["privatetest_balanced_accuracy"] > 0
    assert fit.final["fit_seconds"] == 12.5 and fit.final["predict_seconds"] == 0.5
    assert fit.artifacts == {"model": stored_run / "models" / "tiny_cnn.seed1",
                             "tiny_cnn.seed1.log": stored_run / "logs" / "tiny_cnn.seed1.log"}
    assert fit.tags["fer_bench.data_sha256"] == SHA256 and fit.tags["fer_bench.profile"] == "smoke"
    assert (fit.tags["fer_bench.estimator"], fit.tags["fer_bench.seed"], fit.tags["fer_bench.family"]) == \
        ("tiny_cnn", "1", "network")


def test_a_failed_fit_says_why_and_has_no_metrics(stored_run):
    store, manifest, records = entries(stored_run)
    fit = fit_entry(store, manifest, records["broken", 0])
    assert fit.status == "failed" and "planted failure" in fit.tags["fer_bench.error"]
    assert fit.epochs == [] and fit.final == {} and fit.artifacts == {}


def test_a_run_of_one_seed_names_its_fits_without_the_seed(stored_run):
    store, manifest, records = entries(stored_run)
    fit = fit_entry(store, replace(manifest, seeds=[0]), records["svc_linear", 0])
    assert (fit.label, fit.stem) == ("svc_linear", "svc_linear")


def test_the_run_entry_carries_the_data_the_profile_and_the_report(stored_run):
    store, manifest, _ = entries(stored_run)
    run = run_entry(store, manifest)
    assert run.name == "stored" and run.tags["fer_bench.run_dir"] == str(stored_run.resolve())
    assert run.tags["fer_bench.data_sha256"] == SHA256 and run.tags["fer_bench.profile"] == "smoke"
    assert sorted(run.artifacts) == ["report.html", "results.csv", "results.json"]
    (stored_run / "report.html").unlink()
    assert "report.html" not in run_entry(store, manifest).artifacts


def test_nested_settings_are_joined_by_dots_and_lists_are_json():
    assert flat_params({"a": {"b": 1, "c": {"d": None}}, "e": [1, "x"], "f": {}}) == \
        {"a.b": 1, "a.c.d": None, "e": json.dumps([1, "x"]), "f": "{}"}
