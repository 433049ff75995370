"""Fixtures of the tests of models out: tiny fitted models saved in a run on the synthetic faces, and the
skips of missing optional packages (the ``export`` extra)."""

from __future__ import annotations

import numpy as np
import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.labels import FER2013_CLASSES
from fer_bench.results import ResultsStore, RunData, RunManifest, RunRecord

ACCURACY = 0.625
"""The PrivateTest accuracy the planted records say their run measured."""


def needs(*modules: str) -> None:
    """Skip the test unless every module imports (the ``export`` extra: ``pip install -e .[export]``)."""
    for module in modules:
        pytest.importorskip(module, reason=f"{module} is not installed (pip install -e .[export])")


def training_faces(n_per_class: int = 20) -> tuple[np.ndarray, np.ndarray]:
    return make_synthetic(n_per_class=n_per_class).split("Training")


def private_faces() -> np.ndarray:
    return make_synthetic().split("PrivateTest")[0]


def save_run(run_dir, models: dict, framework: str = "torch"):
    """Save each fitted model as RUN_DIR/models/NAME with an ok record (seed 0, PrivateTest accuracy
    :data:`ACCURACY`) in a 7-class run on the synthetic data; returns the run folder."""
    from fer_bench.estimators.persistence import save_estimator

    records = []
    for name, model in models.items():
        save_estimator(model, run_dir / "models" / name, FER2013_CLASSES)
        records.append(RunRecord(name=name, family="network" if framework == "torch" else "classical",
                                 framework=framework, source=f"test: {name}", model_dir=f"models/{name}", seed=0,
                                 train_images=140, test_images=210, metrics={"accuracy": ACCURACY, "n": 210}))
    manifest = RunManifest(class_names=list(FER2013_CLASSES), data=RunData(source="synthetic", synthetic=True))
    ResultsStore(run_dir).save(manifest, records)
    return run_dir


def torch_models(names=("shallow_cnn", "resnet9")) -> dict:
    """Tiny PyTorch networks trained one epoch: a shallow CNN on whole faces, and a ResNet-9 on 40x40 crops
    upsampled to 48 with ten-crop testing (crop, resize and test-time views inside the graph)."""
    from fer_bench.estimators.torch.classifier import TorchClassifier

    images, labels = training_faces()
    common = {"width": 0.125, "epochs": 1, "batch_size": 32, "random_state": 0}
    settings = {"shallow_cnn": {"architecture": "shallow_cnn"},
                "resnet9": {"architecture": "resnet9", "crop_size": 40, "input_size": 48, "tta": "ten_crop"}}
    return {name: TorchClassifier(**settings[name], **common).fit(images, labels) for name in names}


def classical_models(names=("svc_linear_pca", "knn_pca", "svc_linear_hog")) -> dict:
    """Classical estimators: a liblinear SVM on principal components (svc_linear_pca's steps), kNN on principal
    components, and a liblinear SVM on HOG features (a step with no ONNX converter)."""
    from fer_bench.estimators.classical.knn import GridSearchKNN
    from fer_bench.estimators.classical.svm import PixelSVC

    images, labels = training_faces()
    linear = {"kernel": "linear", "solver": "liblinear", "C": 0.1, "random_state": 0}
    build = {"svc_linear_pca": lambda: PixelSVC(features="pca", n_components=20, **linear),
             "knn_pca": lambda: GridSearchKNN(features="pca", n_components=20, random_state=0,
                                              param_grid={"n_neighbors": [3], "p": [2]}),
             "svc_linear_hog": lambda: PixelSVC(features="hog", **linear)}
    return {name: build[name]().fit(images, labels) for name in names}


@pytest.fixture(scope="package")
def torch_run(tmp_path_factory):
    return save_run(tmp_path_factory.mktemp("torch_run"), torch_models())


@pytest.fixture(scope="package")
def classical_run(tmp_path_factory):
    return save_run(tmp_path_factory.mktemp("classical_run"), classical_models(), framework="sklearn")
