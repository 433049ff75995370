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


def test_cpu_best_resnet9_uses_the_ten_crop_recipe_on_all_of_training():
    build = create_estimator("resnet9", load_profile("cpu-best"))
    estimator = build.estimator
    assert (estimator.tta, estimator.crop_size, estimator.optimizer, estimator.epochs) == ("ten_crop", 44, "adamw", 18)
    assert build.train_size is None and build.budget["common"]


def test_quick_gives_every_network_the_same_five_minutes_on_all_of_training():
    from fer_bench.estimators import available_estimators

    profile = load_profile("quick")
    networks = [name for name, spec in available_estimators().items() if spec.family == "network"]
    for name in networks:
        build = create_estimator(name, profile)
        assert build.train_size is None and build.estimator.time_budget == 300.0, name
        assert build.budget["common"], (name, build.budget)


def test_ddamfn_upsamples_to_112_unless_the_profile_says_otherwise():
    from fer_bench.profiles import Profile

    assert create_estimator("ddamfn", Profile("plain")).estimator.input_size == 112
    assert create_estimator("ddamfn", load_profile("smoke")).estimator.input_size == load_profile("smoke").estimators["ddamfn"]["input_size"]
