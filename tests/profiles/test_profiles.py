import re

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


def test_extends_loops_are_one_error_naming_the_loop(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n')
    a, b = (tmp_path / "a.toml").resolve(), (tmp_path / "b.toml").resolve()
    with pytest.raises(ValueError, match=re.escape(f"b.toml: extends = 'a.toml' makes a loop: {a} -> {b} -> {a}")):
        load_profile(tmp_path / "a.toml")
    own = (tmp_path / "self.toml").resolve()
    with pytest.raises(ValueError, match=re.escape(f"self.toml: extends = 'self.toml' makes a loop: {own} -> {own}")):
        load_profile(tmp_path / "self.toml")


def test_a_relative_extends_is_found_beside_the_profile_not_in_the_working_directory(tmp_path, monkeypatch):
    folder = tmp_path / "profiles"
    (folder / "bases").mkdir(parents=True)
    (folder / "bases" / "base.toml").write_text('extends = "cpu-best"\nseeds = 3\n[data]\nTraining = 700\n')
    (folder / "mine.toml").write_text('extends = "bases/base.toml"\n[networks]\nepochs = 2\n')
    monkeypatch.chdir(tmp_path)
    mine = load_profile(folder / "mine.toml")
    assert (mine.seeds, mine.data["Training"], mine.networks["epochs"]) == (3, 700, 2)
    assert mine.networks["optimizer"] == load_profile("cpu-best").networks["optimizer"]
    (folder / "other.toml").write_text('extends = "base.toml"\n')
    (tmp_path / "base.toml").write_text('seeds = 2\n')  # in the working directory: not looked at
    with pytest.raises(ValueError, match=r"other.toml: extends = 'base.toml': expected one of smoke, .* or a \.toml "
                                         r"file \(a path relative to the profile's folder, .*profiles\)"):
        load_profile(folder / "other.toml")


@pytest.mark.parametrize("table, message", [
    ("[data]\nTraining = -5", r"\[data\] Training = -5: expected a whole number of faces, 0 or more"),
    ("[data]\nTraining = 2.5", r"\[data\] Training = 2.5: expected a whole number of faces"),
    ("[data]\nPublicTest = nan", r"\[data\] PublicTest = nan: expected a whole number of faces"),
    ("[data]\nPrivateTest = inf", r"\[data\] PrivateTest = inf: expected a whole number of faces"),
    ("[data]\nTraining = true", r"\[data\] Training = True: expected a whole number of faces"),
    ('[data]\nTraining = "100"', r"\[data\] Training = '100': expected a whole number of faces"),
    ("[data]\nTrain = 100", r"\[data\] Train: not a split; expected Training, PublicTest, PrivateTest"),
    ("[networks]\ntrain_size = -1", r"\[networks\] train_size = -1: expected a whole number of faces"),
    ("[estimators.knn]\ntrain_size = 0.5", r"\[estimators.knn\] train_size = 0.5: expected a whole number of faces"),
    ("data = 5", r"data = 5: expected a table \[data\]"),
    ("estimators = 5", r"estimators = 5: expected a table \[estimators\]"),
    ("[estimators]\nknn = 3", r"estimators.knn = 3: expected a table \[estimators.knn\]"),
    ("description = 7", r"description = 7: expected a string"),
    ("extends = 3", r"extends = 3: expected a string"),
    ("seeds = 2.5", r"seeds = 2.5: expected an integer"),
    ('[budget]\nkind = "time"\nminutes = inf', r"\[budget\]: minutes = inf; a time budget needs a positive number"),
])
def test_every_bad_value_is_one_error_naming_the_file_and_the_key(tmp_path, table, message):
    path = tmp_path / "mine.toml"
    path.write_text(f'name = "mine"\n{table}\n')
    with pytest.raises(ValueError, match=re.escape(str(path)) + r": (profile 'mine': )?" + message):
        load_profile(path)


def test_a_bad_value_of_the_base_names_the_base_file(tmp_path):
    (tmp_path / "base.toml").write_text("[data]\nTraining = -5\n")
    (tmp_path / "mine.toml").write_text('extends = "base.toml"\n')
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path / 'base.toml'}: profile 'base': [data] Training = -5")):
        load_profile(tmp_path / "mine.toml")


def test_a_profile_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b'description = "caf\xe9"\n')
    with pytest.raises(ValueError, match=re.escape(f"{path}: not UTF-8 text")):
        load_profile(path)


def test_stored_profiles_are_checked_too():
    with pytest.raises(ValueError, match=r"profile 'p': \[data\] Training = -5"):
        Profile("p", data={"Training": -5})
    with pytest.raises(ValueError, match=r"profile 'p': \[estimators.knn\] train_size = 2.5"):
        Profile.from_dict({"name": "p", "estimators": {"knn": {"train_size": 2.5}}})
    assert Profile("p", data={"Training": 0, "PublicTest": 100}).data["Training"] == 0
