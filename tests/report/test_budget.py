from dataclasses import replace

import pytest

from fer_bench.profiles import Profile
from fer_bench.report import render_report
from fer_bench.analysis.run import analyse_run
from fer_bench.report.budget import (RECIPE, at_common_budget, budget_exceptions, budget_text, profile_scope, run_budget,
                                     used_means, used_text)
from fer_bench.results import ResultsStore, RunManifest, RunRecord

from .conftest import TIME_BUDGET, make_seeded_run, manifest, seeded_manifest, used


def _record(budget):
    return RunRecord(name="cnn", family="network", framework="torch", source="", budget=budget)


def test_budget_texts():
    assert budget_text({}) == "" and at_common_budget({}) is None and budget_exceptions({}) == []
    assert budget_text({**TIME_BUDGET, "minutes": 2.5}) == "time 2.5 min" and at_common_budget(TIME_BUDGET) is True
    recipe = {"kind": "recipe", "common": False, "overrides": {"epochs": 18, "optimizer": "adam"}, "not_followed": ["tta"]}
    assert budget_text(recipe) == "recipe" and at_common_budget(recipe) is False
    assert budget_exceptions(recipe) == ['epochs=18', 'optimizer="adam"', "cannot follow: tta"]


def test_what_the_seeds_trained():
    records = [_record({**TIME_BUDGET, "used": used(4, 900, 299.5)}), _record({**TIME_BUDGET, "used": used(5, 1000, 300.5)})]
    assert used_means(records) == {"epochs_run": 4.5, "steps_run": 950.0, "train_seconds": pytest.approx(300.0)}
    assert used_means(records[:1]) == {"epochs_run": 4, "steps_run": 900, "train_seconds": 299.5}
    assert used_text(records) == "4–5 epochs · 900–1,000 steps · 299.5–300.5 s · 100% of the budget"
    assert used_means([_record({})]) == {"epochs_run": None, "steps_run": None, "train_seconds": None}
    assert used_text([_record({})]) == ""
    stolen = [_record({**TIME_BUDGET, "used": {**used(4, 900, 299.5), "budget_seconds": 300.0, "host_steal_seconds": s}})
              for s in (0.0, 100.0)]
    assert used_text(stolen).endswith("of the budget · the host took 25% of its CPU time")


def test_the_profile_scope_says_what_the_profile_trained_on_and_how_long():
    timed = Profile("timed", data={"Training": 0}, budget={"kind": "time", "minutes": 5})
    assert profile_scope(RunManifest(profile=timed)) == "all Training faces; 5 minutes of training per network"
    recipe = Profile("recipe", data={"Training": 420}, networks={"epochs": 10})
    assert profile_scope(RunManifest(profile=recipe)) == "420 Training faces; 10 epochs per network"
    assert profile_scope(RunManifest()) == "all Training faces"  # a store that records no profile


def test_the_run_budget_line():
    assert run_budget(RunManifest()) is None  # one seed, no profile recorded
    # a profile stored before budgets trained the [networks] recipe, as --resume reads it
    assert run_budget(manifest()) == f"recipe: {RECIPE}; 1 seed (0); machine: Test CPU, 2 cores"
    recipe = seeded_manifest([3, 4, 5])
    recipe.profile = replace(recipe.profile, budget={"kind": "recipe"})
    recipe.environment["gpu"] = None
    assert run_budget(recipe) == f"recipe: {RECIPE}; 3 seeds (3, 4, 5); machine: Test CPU, 2 cores"
    one = manifest()
    one.profile = replace(one.profile, budget={"kind": "time", "minutes": 5})
    assert run_budget(one) == ("time: 5 minutes of training per network on this machine, on the network's own clock "
                               "(wall time less the time its compute threads waited for a CPU that other programs "
                               "held and less what a virtual machine's host took, so that neither shortens its training; "
                               "synchronised wall time on a GPU); a network "
                               "more than 5% off its budget is left out of the significance verdicts; 1 seed (0); "
                               "machine: Test CPU, 2 cores")
    one.profile = replace(one.profile, budget={"kind": "time", "minutes": 5, "clock": "wall"})
    assert run_budget(one).startswith("time: 5 minutes of training per network on this machine, on the wall clock;")


def test_the_budget_used_of_the_seeds_is_a_range():
    on_time = {**TIME_BUDGET, "used": {**used(4, 900, 290.0), "budget_used": 0.99}}
    slow = {**TIME_BUDGET, "used": {**used(14, 3150, 365.3), "budget_used": 1.06}}
    assert used_text([_record(on_time), _record(slow)]).endswith("99%–106% of the budget")


def test_a_network_off_its_time_budget_is_left_out_of_the_verdicts(tmp_path):
    store = ResultsStore(make_seeded_run(tmp_path / "run"))
    manifest, records = store.load()
    for record in records:
        if record.name == "strong_cnn":
            record.budget["used"] = {**record.budget["used"], "budget_used": 0.41}
    store.save(manifest, records)
    analysis = analyse_run(store)
    strong = next(result for result in analysis.results if result.name == "strong_cnn")
    assert strong.rank == 1 and strong.versus_best is None and strong.improvement_versus_best is None
    assert strong.off_budget == "seed 0 spent 41% of its 300 s; seed 1 spent 41% of its 300 s"
    assert analysis.best.name == "strong_twin" and analysis.best.versus_best == "best"  # the same faces right, on budget
    html = render_report(store.run_dir).read_text()
    assert "off its time budget" in html and "left out of the verdicts: seed 0 spent 41% of its 300 s" in html
