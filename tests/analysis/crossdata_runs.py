"""Run folders written by hand for the cross-data-set matrix's tests: two runs, each trained on one data set and
scored on the other (``run --also-test``), with known predictions."""

import numpy as np

from fer_bench.analysis.metrics import classification_metrics
from fer_bench.labels import FER2013_CLASSES
from fer_bench.results import CrossScore, CrossTarget, ResultsStore, RunData, RunManifest, RunRecord, seed_stem

SHA_A, SHA_B = "a" * 64, "b" * 64
RUN_A = {"own": ([0, 1, 2, 3], [[0, 1, 2, 0], [0, 1, 0, 0]]),  # seeds 0 and 1: PrivateTest accuracy 3/4 and 2/4
         "target": ([0, 0, 3], [[0, 3, 3], [3, 0, 0]])}  # on b: 2/3 and 1/3
RUN_B = {"own": ([0, 3, 3, 3], [[0, 3, 3, 0]]),  # 3/4
         "target": ([0, 1], [[0, 0]])}  # on a: 1/2


def write_run(root, name, sha256, other_name, other_sha256, predictions, detector=None, no_face=0):
    """A run trained on ``name`` (``sha256``) whose knn seeds are also scored on ``other_name``."""
    store = ResultsStore(root)
    target = CrossTarget(name=other_name, spec=f"{other_name}.csv", path=f"/data/{other_name}.csv",
                         sha256=other_sha256, scope="PrivateTest", class_names=list(FER2013_CLASSES),
                         counts={"Angry": 2, "Happy": 1}, detector=detector, no_face=no_face)
    own_true, own_predictions = predictions["own"]
    target_true, target_predictions = predictions["target"]
    records = []
    for seed, (own, other) in enumerate(zip(own_predictions, target_predictions)):
        stem = seed_stem("knn", seed, 0)
        record = RunRecord(name="knn", family="classical", framework="sklearn", source="seed", seed=seed,
                           metrics=classification_metrics(own_true, own, FER2013_CLASSES),
                           predictions_file=store.save_predictions(stem, np.array(own_true), np.array(own)))
        relative = store.save_cross_predictions(stem, other_name, np.array(target_true), np.array(other))
        record.cross_scores = [CrossScore(target=other_name, target_sha256=other_sha256,
                                          metrics=classification_metrics(target_true, other, FER2013_CLASSES),
                                          absent=["Disgust"], detector=detector, no_face=no_face,
                                          predictions_file=relative)]
        records.append(record)
    manifest = RunManifest(seed=0, seeds=list(range(len(records))), class_names=list(FER2013_CLASSES), estimators=["knn"],
                           data=RunData(source=f"/data/{name}.csv", sha256=sha256), cross_targets=[target],
                           command="python -m fer_bench run knn", environment={"cpu": "test CPU", "cpu_cores": 2})
    store.save(manifest, records)
    return root


def two_runs(tmp_path):
    """Run A (trained on a, scored on b; two seeds, b's faces cropped by haar, 1 without a face) and run B."""
    return (write_run(tmp_path / "A", "a", SHA_A, "b", SHA_B, RUN_A, detector="haar", no_face=1),
            write_run(tmp_path / "B", "b", SHA_B, "a", SHA_A, RUN_B))
