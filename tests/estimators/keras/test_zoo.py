"""The registered Keras estimators: the seeds' CNNs."""

import subprocess
import sys

from fer_bench.estimators import create_estimator, get_estimator_spec
from fer_bench.estimators.keras.architectures import FIVE_CLASSES
from fer_bench.estimators.keras.classifier import KerasCNNClassifier
from fer_bench.profiles import load_profile


def test_importing_the_module_imports_no_framework():
    code = ("import sys, fer_bench.estimators.keras.zoo; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_keras_cnn5_is_registered_for_five_classes():
    spec = get_estimator_spec("keras_cnn5")
    assert spec.classes == FIVE_CLASSES == ("Angry", "Happy", "Sad", "Surprise", "Neutral")
    assert spec.parameters == 1_004_805 and "1,004,805" in spec.source
    model = create_estimator(spec.name, load_profile("smoke")).estimator
    assert model.architecture == "seed_cnn5"


def test_registered_factory_takes_the_profiles_network_settings():
    spec = get_estimator_spec("keras_cnn")
    assert (spec.family, spec.framework) == ("network", "keras")
    profile = load_profile("smoke")
    model = create_estimator(spec.name, profile).estimator  # smoke also sets width and weight_decay: not for this model
    assert isinstance(model, KerasCNNClassifier)
    expected = {**profile.networks, **profile.estimators.get("keras_cnn", {})}
    assert (model.epochs, model.batch_size, model.max_lr) == (
        expected["epochs"], expected["batch_size"], expected["max_lr"])

