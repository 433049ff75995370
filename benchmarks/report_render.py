"""How long ``fer_bench report`` takes on a full-size run: 10 estimators scored on
FER-2013's 3,589 PrivateTest faces (6 with probabilities, 4 networks with 30-epoch
learning curves, one failure), with the figures, galleries, pairwise tests and
results.csv. The store is made up (random predictions), so nothing is trained.

    python benchmarks/report_render.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

N_FACES = 3589
ACCURACIES = {"resnet9": 0.70, "deep_cnn": 0.66, "keras_cnn": 0.65, "shallow_cnn": 0.60, "mini_xception": 0.66,
              "svc_rbf": 0.45, "svc_poly": 0.43, "svc_linear": 0.37, "knn": 0.41, "hog_logreg": 0.48}
NETWORKS = ("resnet9", "deep_cnn", "keras_cnn", "shallow_cnn")
WITH_PROBABILITIES = NETWORKS + ("mini_xception", "knn")


def build_run(run_dir: Path, seed: int = 0) -> None:
    from fer_bench.labels import FER2013_CLASSES
    from fer_bench.analysis.metrics import classification_metrics
    from fer_bench.results import ResultsStore, RunRecord

    rng = np.random.default_rng(seed)
    store = ResultsStore(run_dir)
    y_true = rng.integers(0, 7, N_FACES)
    store.save_test_faces(rng.integers(0, 256, (N_FACES, 48, 48), dtype=np.uint8), y_true)
    records = []
    for index, (name, accuracy) in enumerate(ACCURACIES.items()):
        y_pred = np.where(rng.random(N_FACES) < accuracy, y_true, rng.integers(0, 7, N_FACES))
        scores = None
        if name in WITH_PROBABILITIES:
            logits = rng.normal(size=(N_FACES, 7))
            logits[np.arange(N_FACES), y_pred] += 3
            scores = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        history = ([{"epoch": epoch, "train_loss": 1.8 / epoch ** 0.3, "public_accuracy": accuracy * (1 - 0.5 / epoch)}
                    for epoch in range(1, 31)] if name in NETWORKS else [])
        records.append(RunRecord(
            name=name, family="pretrained" if name == "mini_xception" else "network" if name in NETWORKS else "classical",
            framework="torch", source="benchmark", params={"index": index}, fit_seconds=10.0 * (index + 1),
            predict_seconds=1.0, train_images=28709, test_images=N_FACES, history=history,
            metrics=classification_metrics(y_true, y_pred, FER2013_CLASSES),
            predictions_file=store.save_predictions(name, y_true, y_pred, scores)))
    records.append(RunRecord(name="broken", family="network", framework="torch", source="benchmark", status="failed",
                             error="RuntimeError: out of memory"))
    store.save({"run_id": "benchmark", "class_names": list(FER2013_CLASSES), "profile": {"name": "full"},
                "data": {"source": "made up", "synthetic": True}}, records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    from fer_bench.report import render_report
    print(f"import fer_bench.report: {time.perf_counter() - started:.2f} s wall")
    with tempfile.TemporaryDirectory() as folder:
        build_run(Path(folder))
        for attempt in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            path = render_report(folder)
            print(f"render {attempt + 1}: {time.perf_counter() - started:.2f} s wall, "
                  f"{time.process_time() - cpu_started:.2f} s CPU; report {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
