import pytest

from fer_bench.profiles import PROFILE_NAMES, Profile, load_profile, with_budget


def test_every_builtin_profile_gives_its_networks_one_budget():
    budgets = {name: load_profile(name).budget for name in PROFILE_NAMES}
    assert budgets["quick"] == {"kind": "time", "minutes": 5}
    assert budgets["cpu-best"] == budgets["cpu-frontier"] == budgets["full"] == budgets["smoke"] == {"kind": "recipe"}
    assert all(load_profile(name).seeds == 1 for name in PROFILE_NAMES if name != "cpu-ensemble")


def test_cpu_best_is_the_resnet9_recipe_and_full_the_seed_recipe():
    best, full = load_profile("cpu-best").networks, load_profile("full").networks
    assert (best["epochs"], best["optimizer"], best["crop_size"], best["tta"], best["width"]) == (18, "adamw", 44,
                                                                                                   "ten_crop", 0.5)
    assert (full["epochs"], full["batch_size"], full["max_lr"]) == (20, 256, 0.008)


def test_cpu_frontier_is_the_cpu_best_recipe_trained_longer():
    best, frontier = load_profile("cpu-best").networks, load_profile("cpu-frontier").networks
    assert frontier == {**best, "epochs": 45}


def test_cpu_ensemble_is_three_seeds_of_the_cpu_best_recipe():
    best, ensemble = load_profile("cpu-best"), load_profile("cpu-ensemble")
    assert (ensemble.networks, ensemble.budget, ensemble.data, ensemble.seeds) == (best.networks, best.budget,
                                                                                   best.data, 3)


def test_a_profile_that_extends_another_replaces_only_what_it_names(tmp_path):
    path = tmp_path / "longer.toml"
    path.write_text('extends = "cpu-best"\nseeds = 2\n[networks]\nepochs = 30\n[estimators.resnet9]\nwidth = 1.0\n')
    best, longer = load_profile("cpu-best"), load_profile(path)
    assert (longer.name, longer.description, longer.budget, longer.data) == ("longer", best.description, best.budget,
                                                                             best.data)
    assert (longer.networks, longer.estimators, longer.seeds) == ({**best.networks, "epochs": 30},
                                                                  {"resnet9": {"width": 1.0}}, 2)


def test_extending_an_unknown_profile_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "cpu-bets"\n')
    with pytest.raises(ValueError, match=r"mine.toml: extends = 'cpu-bets': .*expected one of smoke"):
        load_profile(path)


@pytest.mark.parametrize("budget, message", [
    ('kind = "time"\nminutes = 5\nminute = 3', r"\[budget\]: unknown key\(s\) 'minute'"),
    ('kind = "wall"', r"\[budget\]: kind = 'wall'; expected 'recipe' or 'time'"),
    ('kind = "time"', r"\[budget\]: minutes = None; a time budget needs a positive number of minutes"),
    ('kind = "time"\nminutes = 0', "minutes = 0"),
    ('kind = "recipe"\nminutes = 5', "minutes goes with kind = 'time'"),
    ('kind = "time"\nminutes = 5\nclock = "gpu"', r"clock = 'gpu'; expected 'own' or 'wall' with kind = 'time'"),
    ('kind = "recipe"\nclock = "wall"', r"clock = 'wall'; expected 'own' or 'wall' with kind = 'time'"),
])
def test_a_bad_budget_table_names_the_profile_and_the_key(tmp_path, budget, message):
    path = tmp_path / "mine.toml"
    path.write_text(f'name = "mine"\n[budget]\n{budget}\n')
    with pytest.raises(ValueError, match=message):
        load_profile(path)


def test_a_time_budget_counts_cpu_time_unless_the_profile_asks_for_the_wall_clock(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[budget]\nkind = "time"\nminutes = 2\n')
    assert load_profile(path).budget_clock == "own"
    path.write_text('name = "mine"\n[budget]\nkind = "time"\nminutes = 2\nclock = "wall"\n')
    assert load_profile(path).budget_clock == "wall"


def test_bad_seeds_and_unknown_top_level_keys_are_refused(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nseeds = 0\n')
    with pytest.raises(ValueError, match=r"profile 'mine': seeds = 0: expected a positive number of seeds"):
        load_profile(path)
    path.write_text('name = "mine"\nbugdet = 3\n')
    with pytest.raises(ValueError, match=r"unknown key\(s\) 'bugdet'"):
        load_profile(path)


def test_a_command_line_budget_replaces_the_profile_s_and_every_network_s_own_length():
    profile = Profile("p", networks={"epochs": 3}, estimators={"resnet9": {"epochs": 18, "crop_size": 44}})
    timed = with_budget(profile, minutes=2.5)
    assert timed.budget == {"kind": "time", "minutes": 2.5} and timed.estimators["resnet9"] == {"crop_size": 44}
    assert with_budget(profile, epochs=7).networks["epochs"] == 7
    assert with_budget(profile) is profile
    with pytest.raises(ValueError, match="give one of them"):
        with_budget(profile, minutes=1, epochs=1)
    with pytest.raises(ValueError, match="--budget-minutes 0: expected a positive number"):
        with_budget(profile, minutes=0)


def test_a_stored_profile_round_trips_and_older_ones_get_the_defaults():
    quick = load_profile("quick")
    assert Profile.from_dict(quick.to_dict()) == quick
    old = {key: value for key, value in quick.to_dict().items() if key not in ("budget", "seeds")}
    assert Profile.from_dict(old).budget == {"kind": "recipe"}
    with pytest.raises(ValueError, match="stored: not a fer_bench profile"):
        Profile.from_dict(["quick"], "stored")
