"""Fixtures of the studies' tests: a stand-in model, models saved in a run, a synthetic fer2013.csv."""

from pathlib import Path

import numpy as np
import pytest

from fer_bench.datasets import make_synthetic
from fer_bench.labels import FER2013_CLASSES

HAPPY = FER2013_CLASSES.index("Happy")


class AlwaysHappy:
    """A stand-in model: predicts Happy for every face."""

    classes_ = np.arange(7)

    def predict(self, X):
        assert X.dtype == np.uint8 and X.shape[1:] == (48, 48)
        return np.full(len(X), HAPPY)


def save_in_run(model, run_dir, name, class_names=FER2013_CLASSES):
    """Save ``model`` as RUN_DIR/models/NAME beside a results.json naming the run's classes."""
    from fer_bench.estimators.persistence import save_estimator
    from fer_bench.results import ResultsStore, RunManifest, RunRecord

    model_dir = save_estimator(model, run_dir / "models" / name)
    record = RunRecord(name=name, family="classical", framework="sklearn", source="test", model_dir=f"models/{name}")
    ResultsStore(run_dir).save(RunManifest(class_names=list(class_names)), [record])
    return model_dir


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """A linear SVM on synthetic faces (fast, saved with skops) in a 7-class run."""
    from fer_bench.estimators.classical.svm import PixelSVC

    images, labels = make_synthetic(n_per_class=20).split("Training")
    return save_in_run(PixelSVC(kernel="linear").fit(images, labels), tmp_path_factory.mktemp("run"), "svc_linear")


@pytest.fixture(scope="module")
def saved_network(tmp_path_factory):
    """A tiny network trained on synthetic faces (saved through its own save/load) in a 7-class run."""
    from fer_bench.estimators.torch.classifier import TorchClassifier

    images, labels = make_synthetic(n_per_class=20).split("Training")
    model = TorchClassifier(architecture="shallow_cnn", width=0.125, epochs=1, batch_size=32).fit(images, labels)
    return save_in_run(model, tmp_path_factory.mktemp("run"), "shallow_cnn")


def write_synthetic_csv(path: Path, n_per_class: int = 10) -> Path:
    """The synthetic faces (7 classes, 3 splits) as a fer2013.csv."""
    dataset = make_synthetic(n_per_class=n_per_class)
    rows = [f"{label},{' '.join(map(str, image.ravel()))},{usage}"
            for image, label, usage in zip(dataset.images, dataset.labels, dataset.usage)]
    path.write_text("\n".join(["emotion,pixels,Usage", *rows]) + "\n")
    return path
