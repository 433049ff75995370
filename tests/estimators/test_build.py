import pytest

from fer_bench.estimators import RepeatSteps, create_estimator
from fer_bench.profiles import Profile, load_profile


def test_own_settings_win_over_the_shared_network_settings_and_the_seed_is_applied():
    profile = Profile("p", networks={"epochs": 4, "batch_size": 32, "train_size": 900},
                      estimators={"resnet9": {"epochs": 2, "train_size": 500}})
    build = create_estimator("resnet9", profile, seed=7)
    assert (build.estimator.epochs, build.estimator.batch_size, build.estimator.random_state) == (2, 32, 7)
    assert build.train_size == 500 and "train_size" not in build.estimator.get_params()
    assert create_estimator("deep_cnn", profile).train_size == 900


def test_shared_settings_another_framework_lacks_are_left_out():
    profile = Profile("p", networks={"epochs": 3, "width": 0.25, "weight_decay": 0.1})
    model = create_estimator("keras_cnn", profile).estimator
    assert model.epochs == 3 and "width" not in model.get_params()


def test_classical_estimators_take_no_network_settings():
    profile = Profile("p", networks={"n_jobs": 5, "train_size": 10})
    build = create_estimator("svc_rbf", profile)
    assert build.estimator.n_jobs == -1 and build.train_size is None


def test_an_unknown_own_setting_names_the_profile_and_the_key():
    profile = Profile("mine", estimators={"svc_rbf": {"gama": 0.1}})
    with pytest.raises(ValueError, match=r"profile 'mine': \[estimators.svc_rbf\] sets 'gama'"):
        create_estimator("svc_rbf", profile)


def test_every_builtin_profile_builds_every_estimator():
    from fer_bench.estimators import available_estimators
    from fer_bench.profiles import PROFILE_NAMES

    for name in PROFILE_NAMES:
        profile = load_profile(name)
        for estimator in available_estimators():
            create_estimator(estimator, profile)


def test_a_network_at_the_common_budget_and_one_with_overrides_are_told_apart():
    profile = Profile("p", networks={"epochs": 4, "batch_size": 32, "tta": "flip"},
                      estimators={"resnet9": {"epochs": 2, "width": 0.25}, "deep_cnn": {"batch_size": 32}})
    assert create_estimator("shallow_cnn", profile).budget == {"kind": "recipe", "minutes": None, "common": True,
                                                               "overrides": {}, "not_followed": []}
    resnet9 = create_estimator("resnet9", profile).budget
    assert not resnet9["common"] and resnet9["overrides"] == {"epochs": 2}  # width is the network's, not the budget's
    assert create_estimator("deep_cnn", profile).budget["common"]  # the same value is no override
    keras = create_estimator("keras_cnn", profile).budget
    assert not keras["common"] and keras["not_followed"] == ["tta"]
    assert create_estimator("svc_rbf", profile).budget == {}


def test_a_snapshot_ensemble_is_a_budget_setting_the_keras_networks_cannot_follow():
    profile = Profile("p", networks={"epochs": 6, "snapshots": 3})
    assert create_estimator("resnet9", profile).estimator.snapshots == 3
    assert create_estimator("keras_cnn", profile).budget["not_followed"] == ["snapshots"]


def test_a_time_budget_reaches_every_network_and_its_own_epochs_do_not_count():
    profile = Profile("p", networks={"batch_size": 64}, estimators={"resnet9": {"epochs": 18}},
                      budget={"kind": "time", "minutes": 2})
    build = create_estimator("resnet9", profile)
    assert build.estimator.time_budget == 120.0 and build.budget["common"]
    assert build.estimator.budget_clock == "own" and build.budget["clock"] == "own"
    trace = [[7, 0.02, 310], [30, 0.1, 300]]
    repeated = create_estimator("resnet9", profile, repeat_steps=RepeatSteps(300, 7, trace, "runs/a"))
    assert (repeated.estimator.steps, repeated.estimator.warmup_steps) == (300, 7)
    assert repeated.estimator.budget_trace == trace and repeated.budget["steps_from"] == "runs/a"


def test_a_time_budget_on_the_wall_clock_reaches_the_networks():
    profile = Profile("p", budget={"kind": "time", "minutes": 1, "clock": "wall"})
    assert create_estimator("shallow_cnn", profile).estimator.budget_clock == "wall"
    assert create_estimator("keras_cnn", profile).estimator.budget_clock == "wall"
