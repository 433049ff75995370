"""A hand-built run directory that exercises every part of the report: probabilities
and none, networks with learning curves, a tie with the best, a pretrained model,
a 5-class model, de-duplicated metrics and the data audit, a failed and a
timed-out estimator, and plugin text that must be escaped."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.labels import FER2013_CLASSES
from fer_bench.analysis.metrics import classification_metrics
from fer_bench.profiles import load_profile
from fer_bench.results import ResultsStore, RunManifest, RunRecord, seed_stem
from fer_bench.runner import run_benchmark

EVIL = "<script>alert(1)</script>"
N_TEST = 210
FIVE_CLASSES = ["Angry", "Happy", "Sad", "Surprise", "Neutral"]
AUDIT = {"private_total": 3589, "private_exact": 201, "private_near_only": 90, "private_kept": 3298,
         "scored_private_total": N_TEST, "scored_private_exact": 12, "scored_private_near_only": 5,
         "scored_private_kept": 193,
         "public_exact": 9, "public_near_only": 2, "training_exact_groups": 40, "training_faces_in_groups": 85,
         "blank": 3, "label_conflict_groups": 7, "near_threshold": 4, "hash_method": "phash", "blank_std": 1.0}


def manifest_values(synthetic=True, profile="smoke", audit=True):
    """A run's manifest as ``results.json`` holds it."""
    counts = {split: {name: 10 * (index + 1) for index, name in enumerate(FER2013_CLASSES)}
              for split in ("Training", "PublicTest", "PrivateTest")}
    result = {
        "run_id": "20250101-000000-smoke", "created": "2025-01-01T00:00:00+00:00",
        "command": "python -m fer_bench run all", "seed": 0,
        "profile": {"name": profile, "description": "tiny", "data": {"Training": 420}},
        "class_names": list(FER2013_CLASSES),
        "data": {"source": "synthetic" if synthetic else "data/fer2013.csv", "sha256": "ab" * 32,
                 "synthetic": synthetic, "counts": counts, "used_counts": counts,
                 "file": None if synthetic else {"md5": "f8428a1edbd21e88f42c73edd2a14f95", "known": "original",
                                                 "name": "the original Kaggle fer2013.csv"}},
        "environment": {"python": "3.12.0", "platform": "Linux-test", "cpu": "Test CPU", "cpu_cores": 2,
                        "memory_gib": 8.0, "gpu": None, "libraries": {"numpy": "2.0", "scikit-learn": "1.5"},
                        "git_commit": "deadbeef"},
        "estimators": ["svc_rbf", "tiny_cnn"],
        "wall_seconds": 3725.5,
    }
    if audit:
        result["audit"] = dict(AUDIT)
        result["cleaning"] = {"dedupe": None, "drop_blank": True, "dropped": {"drop_blank": 3}}
    return result


def manifest(synthetic=True, profile="smoke", audit=True):
    return RunManifest.from_dict(manifest_values(synthetic, profile, audit))


def predictions_like(y_true, accuracy, seed, k=7):
    rng = np.random.default_rng(seed)
    return np.where(rng.random(len(y_true)) < accuracy, y_true, rng.integers(0, k, len(y_true)))


def probabilities_for(y_pred, k, seed, sharpness=3.0):
    """Rows summing to 1 whose argmax is ``y_pred``."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(len(y_pred), k))
    logits[np.arange(len(y_pred)), y_pred] += sharpness + 5
    scores = np.exp(logits - logits.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


def scored_record(store, name, y_pred, y_true, class_names=FER2013_CLASSES, scores=None, arrays=None, stem=None,
                  **fields):
    """A finished record and its stored predictions; ``arrays``: more keys of ``save_predictions`` (PublicTest scores);
    ``stem``: the predictions' file stem (default: the name made a file name)."""
    file_name = stem or re.sub(r"\W+", "_", name)  # the planted name holds "/", not a file name
    subset = [] if tuple(class_names) == FER2013_CLASSES else list(class_names)
    return RunRecord(name=name, class_names=subset, family=fields.pop("family", "classical"),
                     framework=fields.pop("framework", "sklearn"),
                     source=fields.pop("source", "seed: test"), params=fields.pop("params", {"C": 1.0}),
                     fit_seconds=fields.pop("fit_seconds", 1.5), predict_seconds=0.25, train_images=420,
                     test_images=len(y_true), fit_images_per_second=280.0, peak_memory_mib=12.0,
                     metrics=classification_metrics(y_true, y_pred, class_names),
                     predictions_file=store.save_predictions(file_name, y_true, y_pred, scores, **(arrays or {})),
                     **fields)


def make_run(run_dir, synthetic=True, profile="smoke", audit=True):
    store = ResultsStore(run_dir)
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 7, N_TEST)
    store.save_test_faces(rng.integers(0, 256, (N_TEST, 48, 48), dtype=np.uint8), y_true)
    history = [{"epoch": epoch, "train_loss": 2.0 - 0.3 * epoch, "public_accuracy": 0.2 + 0.1 * epoch, "seconds": 1.0}
               for epoch in range(1, 4)]
    cnn = predictions_like(y_true, 0.8, 2)
    tie = cnn.copy()
    tie[np.flatnonzero(tie == y_true)[:3]] = (y_true[np.flatnonzero(tie == y_true)[:3]] + 1) % 7  # 3 faces fewer
    pretrained = predictions_like(y_true, 0.6, 4)
    subset = np.isin(y_true, [0, 3, 4, 5, 6])
    five_true = np.searchsorted([0, 3, 4, 5, 6], y_true[subset])
    records = [
        scored_record(store, "svc_rbf", predictions_like(y_true, 0.5, 1), y_true,
                      metrics_deduplicated={"n": 193, "accuracy": 0.48}),
        scored_record(store, "tiny_cnn", cnn, y_true, scores=probabilities_for(cnn, 7, 5), family="network",
                      framework="torch", history=history, params={"epochs": 3, "optimizer": "sgd"}, fit_seconds=30.0,
                      metrics_deduplicated={"n": 193, "accuracy": 0.77}),
        scored_record(store, "tiny_cnn_twin", tie, y_true, family="network", framework="torch", fit_seconds=60.0,
                      history=history),
        scored_record(store, EVIL, predictions_like(y_true, 0.3, 3), y_true, source=f"plugin {EVIL}",
                      params={"note": EVIL}),
        scored_record(store, "mini_xception", pretrained, y_true, scores=probabilities_for(pretrained, 7, 6),
                      family="pretrained", framework="keras", fit_seconds=None),
        scored_record(store, "five_class_cnn", predictions_like(five_true, 0.7, 7, k=5), five_true,
                      class_names=FIVE_CLASSES, family="network", framework="torch"),
        RunRecord(name="broken", family="network", framework="torch", source="seed: test", status="failed",
                  error="Traceback ...\nRuntimeError: planted <b>failure</b>"),
        RunRecord(name="slow", family="classical", framework="sklearn", source="seed: test", status="timed_out",
                  error="timed out after 600 s"),
    ]
    store.save(manifest(synthetic, profile, audit), records)
    return run_dir


@pytest.fixture(scope="package")
def run_dir(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="package")
def smoke_runs(tmp_path_factory):
    """Two real smoke runs on synthetic data that differ only in their seed (with PublicTest scores)."""
    root = tmp_path_factory.mktemp("runs")
    dataset, profile = make_synthetic(), load_profile("smoke")
    for seed in (0, 1):
        run_benchmark(["svc_linear", "knn"], dataset, profile, root / f"seed{seed}", seed=seed, progress=False)
    return root / "seed0", root / "seed1"


N_SEEDED = 300
TIME_BUDGET = {"kind": "time", "minutes": 5.0, "common": True, "overrides": {}, "not_followed": []}
SEEDED_CORRECT = {"strong_cnn": [255, 249], "strong_twin": "strong_cnn", "steady_svc": [210, 216],
                  "spiky_knn": [240, 150], "override_cnn": [150, 156], "half_done": [120]}
"""Faces right per seed of each estimator of :func:`make_seeded_run` (of 300); a name: the same predictions."""
NETWORKS = ("strong_cnn", "strong_twin", "override_cnn")


def exact_predictions(y_true, n_correct, seed, k=7):
    """Predictions right on exactly ``n_correct`` faces (chosen at random), wrong on the others."""
    rng = np.random.default_rng(seed)
    right = rng.permutation(len(y_true)) < n_correct
    return np.where(right, y_true, (y_true + rng.integers(1, k, len(y_true))) % k)


def used(epochs, steps, seconds, short=False):
    return {"kind": "time", "time_budget": 300.0, "planned_steps": steps, "warmup_steps": 5, "steps_per_epoch": 225,
            "planned_epochs": steps / 225, "steps_run": steps, "epochs_run": epochs, "images_run": 128 * steps,
            "train_seconds": seconds, "shorter_than_one_epoch": short}


def seeded_manifest(seeds):
    values = manifest_values(audit=False)
    values["seed"], values["seeds"] = seeds[0], list(seeds)
    values["profile"].update(budget={"kind": "time", "minutes": 5}, seeds=len(seeds))
    values["environment"]["gpu"] = "NVIDIA H200"
    return RunManifest.from_dict(values)


def make_seeded_run(run_dir, seeds=(0, 1), correct=None, y_seed=1):
    """A run with every estimator trained with ``seeds`` (defaults: :data:`SEEDED_CORRECT`, budgets of
    networks, one seed of ``half_done`` timed out), predictions stored per seed as the runner names them."""
    store = ResultsStore(run_dir)
    y_true = np.random.default_rng(y_seed).integers(0, 7, N_SEEDED)
    store.save_test_faces(np.zeros((N_SEEDED, 48, 48), dtype=np.uint8), y_true)
    correct = SEEDED_CORRECT if correct is None else correct
    predictions = {}
    for index, (name, counts) in enumerate(correct.items()):
        predictions[name] = predictions[counts] if isinstance(counts, str) else \
            [exact_predictions(y_true, count, 100 * index + position) for position, count in enumerate(counts)]
    records = []
    for name, per_seed in predictions.items():
        for position, (seed, y_pred) in enumerate(zip(seeds, per_seed)):
            budget = {}
            if name in NETWORKS:
                budget = {**TIME_BUDGET, "used": used(5, 1100 - 20 * position, 299.1 + position)}
            if name == "override_cnn":
                budget.update(common=False, overrides={"epochs": 18}, not_followed=["tta"],
                              used=used(0, 40 + position, 30.0, short=True))
            records.append(scored_record(store, name, y_pred, y_true, stem=seed_stem(name, seed, seeds[0]), seed=seed,
                                         budget=budget, family="network" if name in NETWORKS else "classical"))
    if "half_done" in correct:
        records.append(RunRecord(name="half_done", family="classical", framework="sklearn", source="seed: test",
                                 status="timed_out", error="timed out after 600 s", seed=seeds[1]))
    store.save(replace(seeded_manifest(seeds), estimators=list(predictions)), records)
    return run_dir


@pytest.fixture(scope="package")
def seeded_run(tmp_path_factory):
    return make_seeded_run(tmp_path_factory.mktemp("seeded"))
