"""Helpers of the trackers' tests: a hand-built stored run (nothing is trained) and a tracker that remembers
what it was given."""

from __future__ import annotations

import numpy as np

from fer_bench.labels import FER2013_CLASSES
from fer_bench.analysis.metrics import classification_metrics
from fer_bench.results import LOGS_DIR, ResultsStore, RunManifest, RunRecord, seed_stem

N_TEST = 120
SHA256 = "ab" * 32
HISTORY = [{"epoch": epoch, "train_loss": 2.0 - 0.25 * epoch, "public_accuracy": 0.2 + 0.1 * epoch, "seconds": 2.0,
            "images": 400, "steps": 25, "images_per_second": 200.0 + epoch} for epoch in (1, 2, 3)]
BUDGET = {"kind": "recipe", "minutes": None, "common": True, "overrides": {}, "not_followed": ["tta"],
          "used": {"kind": "epochs", "steps_run": 75, "epochs_run": 3, "replans": [[5, 0.1, 70]]}}
CNN_PARAMS = {"epochs": 3, "width": 0.25, "optimizer": "adamw", "patience": None, "hidden": [8, 16]}


def _manifest():
    return {"run_id": "stored", "created": "2025-01-01T00:00:00+00:00", "command": "python -m fer_bench run tiny_cnn",
            "seed": 0, "seeds": [0, 1], "profile": {"name": "smoke", "data": {"Training": 400}},
            "class_names": list(FER2013_CLASSES), "estimators": ["tiny_cnn", "svc_linear", "broken"],
            "data": {"source": "synthetic", "sha256": SHA256, "synthetic": True}}


def _scored(store, name, seed, y_true, accuracy, **fields):
    rng = np.random.default_rng(seed + len(name))
    y_pred = np.where(rng.random(N_TEST) < accuracy, y_true, rng.integers(0, 7, N_TEST))
    stem = seed_stem(name, seed, 0)
    return RunRecord(name=name, source="seed: test", seed=seed, fit_seconds=12.5, predict_seconds=0.5,
                     train_images=400, test_images=N_TEST, fit_images_per_second=96.0, peak_memory_mib=30.0,
                     metrics=classification_metrics(y_true, y_pred, FER2013_CLASSES),
                     metrics_deduplicated={"n": 100, "accuracy": accuracy - 0.05},
                     predictions_file=store.save_predictions(stem, y_true, y_pred), **fields)


def make_stored_run(run_dir):
    """A network with three epochs, a saved model and its log, in two seeds; a classical estimator; a failed
    fit; the report's files: the run folder as `run` leaves it. Returns it."""
    store = ResultsStore(run_dir)
    y_true = np.random.default_rng(0).integers(0, 7, N_TEST)
    records = []
    for seed in (0, 1):
        stem = seed_stem("tiny_cnn", seed, 0)
        records.append(_scored(store, "tiny_cnn", seed, y_true, 0.7, family="network", framework="torch",
                               params={**CNN_PARAMS, "random_state": seed}, history=HISTORY, budget=BUDGET,
                               model_dir=store.save_model_files(stem, {"weights.safetensors": b"weights",
                                                                      "params.json": b"{}"})))
        (run_dir / LOGS_DIR).mkdir(exist_ok=True)
        (run_dir / LOGS_DIR / f"{stem}.log").write_text("tiny_cnn epoch 1/3: loss 1.75\n")
    records.append(_scored(store, "svc_linear", 0, y_true, 0.5, family="classical", framework="sklearn",
                           params={"C": 1.0}))
    records.append(RunRecord(name="broken", family="classical", framework="sklearn", source="seed: test", seed=0,
                             status="failed", error="Traceback ...\nRuntimeError: planted failure"))
    store.save(RunManifest.from_dict(_manifest()), records)
    (run_dir / "report.html").write_text("<html>the report</html>")
    (run_dir / "results.csv").write_text("name,privatetest_accuracy\n")
    return run_dir


class FakeTracker:
    """Remembers what it was given; ``failing`` names the call that raises (and keeps raising)."""

    where = "the fake tracker"
    view_command = "look"

    def __init__(self, failing=None):
        self.failing, self.calls = failing, []

    def _call(self, name, *details):
        self.calls.append((name, *details))
        if name == self.failing:
            raise OSError(f"{name}: attempt to write a readonly database\nsecond line")

    def connect(self):
        self._call("connect")

    def start_run(self, run):
        self._call("start_run", run.name)
        return "parent-id"

    def log_fit(self, fit):
        self._call("log_fit", fit.key)

    def end_run(self, run, status):
        self._call("end_run", None if run is None else sorted(run.artifacts), status)
