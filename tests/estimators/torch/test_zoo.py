import pytest

from fer_bench.profiles import load_profile
from fer_bench.estimators import create_estimator, get_estimator_spec

pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["shallow_cnn", "deep_cnn", "resnet9", "dexpression", "ddamfn"])
def test_factories_take_the_profile_network_settings(name):
    spec = get_estimator_spec(name)
    assert (spec.family, spec.framework) == ("network", "torch")
    profile = load_profile("smoke")
    estimator = create_estimator(spec.name, profile).estimator
    assert estimator.architecture == name
    expected = {**profile.networks, **profile.estimators.get(name, {})}
    assert (estimator.epochs, estimator.batch_size, estimator.width) == (
        expected["epochs"], expected["batch_size"], expected["width"])


def test_quick_profile_train_size_is_not_passed_to_the_network():
    estimator = create_estimator("resnet9", load_profile("quick")).estimator
    assert "train_size" not in estimator.get_params()


def test_quick_resnet9_uses_the_ten_crop_recipe_on_all_of_training():
    profile = load_profile("quick")
    estimator = create_estimator("resnet9", profile).estimator
    assert (estimator.tta, estimator.crop_size, estimator.optimizer) == ("ten_crop", 44, "adamw")
    assert create_estimator("resnet9", profile).train_size is None


def test_ddamfn_upsamples_to_112_unless_the_profile_says_otherwise():
    from fer_bench.profiles import Profile

    assert create_estimator("ddamfn", Profile("plain")).estimator.input_size == 112
    assert create_estimator("ddamfn", load_profile("smoke")).estimator.input_size == load_profile("smoke").estimators["ddamfn"]["input_size"]
