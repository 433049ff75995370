"""Shared fixtures. Real FER-2013 is found through ``--fer2013-dir`` or the
``FER_BENCH_FER2013_DIR`` environment variable (a folder holding ``fer2013.csv.gz``
and ``folder_sample/``), the original Kaggle file through ``--fer2013-original-dir`` or
``FER_BENCH_FER2013_ORIGINAL_DIR``, Microsoft's FER+ labels through ``--ferplus-dir`` or
``FER_BENCH_FERPLUS_DIR`` (a folder holding ``fer2013new.csv``), JAFFE through ``--jaffe-dir`` or
``FER_BENCH_JAFFE_DIR`` (its flat folder of 213 TIFF files, research-only: read where it is, never
copied); tests that need them skip with the reason when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_VAR = "FER_BENCH_FER2013_DIR"
FERPLUS_ENV_VAR = "FER_BENCH_FERPLUS_DIR"
ORIGINAL_ENV_VAR = "FER_BENCH_FER2013_ORIGINAL_DIR"
JAFFE_ENV_VAR = "FER_BENCH_JAFFE_DIR"


def pytest_addoption(parser):
    parser.addoption("--fer2013-dir", default=None,
                     help=f"folder with the real fer2013.csv.gz and folder_sample/ (or set {ENV_VAR})")
    parser.addoption("--fer2013-original-dir", default=None,
                     help=f"folder with the original Kaggle fer2013.csv.gz (or set {ORIGINAL_ENV_VAR})")
    parser.addoption("--ferplus-dir", default=None,
                     help=f"folder with Microsoft's fer2013new.csv (or set {FERPLUS_ENV_VAR})")
    parser.addoption("--jaffe-dir", default=None,
                     help=f"JAFFE's folder of 213 TIFF files, as distributed (or set {JAFFE_ENV_VAR})")


@pytest.fixture(scope="session")
def fer2013_dir(request) -> Path:
    value = request.config.getoption("--fer2013-dir") or os.environ.get(ENV_VAR)
    if not value:
        pytest.skip(f"real FER-2013 not given: pass --fer2013-dir or set {ENV_VAR}")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"real FER-2013 folder {path} does not exist")
    return path


@pytest.fixture(scope="session")
def fer2013_csv(fer2013_dir) -> Path:
    path = fer2013_dir / "fer2013.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


def _shared_file(request, option: str, env_var: str, name: str, what: str) -> Path:
    """``name`` in the folder given by ``--option`` or ``env_var``; skips with the reason when absent."""
    value = request.config.getoption(option) or os.environ.get(env_var)
    if not value:
        pytest.skip(f"{what} not given: pass {option} or set {env_var}")
    path = Path(value) / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="session")
def fer2013_original_csv(request) -> Path:
    return _shared_file(request, "--fer2013-original-dir", ORIGINAL_ENV_VAR, "fer2013.csv.gz",
                        "the original FER-2013")


@pytest.fixture(scope="session")
def ferplus_csv(request) -> Path:
    return _shared_file(request, "--ferplus-dir", FERPLUS_ENV_VAR, "fer2013new.csv", "real FER+ labels")


@pytest.fixture(scope="session")
def jaffe_dir(request) -> Path:
    value = request.config.getoption("--jaffe-dir") or os.environ.get(JAFFE_ENV_VAR)
    if not value:
        pytest.skip(f"real JAFFE not given: pass --jaffe-dir or set {JAFFE_ENV_VAR}")
    path = Path(value)
    if not any(path.glob("*.tiff")):
        pytest.skip(f"{path} holds no JAFFE TIFF files")
    return path


@pytest.fixture(scope="session")
def fer2013_folder_sample(fer2013_dir) -> Path:
    path = fer2013_dir / "folder_sample"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path_factory):
    """Audits cached by a test go to the session's temporary folder, never to ~/.cache."""
    monkeypatch.setenv("FER_BENCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


FIVE_CLASSES = ("Angry", "Happy", "Sad", "Surprise", "Neutral")


@pytest.fixture(scope="session")
def five_class_model(tmp_path_factory) -> Path:
    """A 5-class model (k-NN on Angry, Happy, Sad, Surprise and Neutral faces, as keras_cnn5) saved by a
    real run on synthetic faces, then copied outside its run folder: only its own record knows its classes."""
    import shutil

    from fer_bench.datasets import make_synthetic
    from fer_bench.estimators import _registry
    from fer_bench.profiles import load_profile
    from fer_bench.runner import run_benchmark

    name = "five_class_knn"
    _registry.register_estimator(name, family="classical", framework="sklearn", source="test: 5 classes",
                                 classes=FIVE_CLASSES)(_registry.get_estimator_spec("knn").factory)
    try:
        run_dir = tmp_path_factory.mktemp("five") / "run"
        run_benchmark([name], make_synthetic(), load_profile("smoke"), run_dir, save_models="all", progress=False)
    finally:
        del _registry._REGISTRY[name]
    return Path(shutil.copytree(run_dir / "models" / name, tmp_path_factory.mktemp("copied") / name))
