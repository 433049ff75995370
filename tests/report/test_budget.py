import pytest

from fer_bench.report.budget import (RECIPE, at_common_budget, budget_exceptions, budget_text, run_budget, used_means,
                                     used_text)
from fer_bench.results import RunRecord

from .conftest import TIME_BUDGET, manifest, seeded_manifest, used


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
    assert used_text(records) == "4–5 epochs · 900–1,000 steps · 299.5–300.5 s"
    assert used_means([_record({})]) == {"epochs_run": None, "steps_run": None, "train_seconds": None}
    assert used_text([_record({})]) == ""


def test_the_run_budget_line():
    assert run_budget(manifest()) is None  # one seed, no budget in the profile: as before budgets
    recipe = seeded_manifest([3, 4, 5])
    recipe["profile"]["budget"] = {"kind": "recipe"}
    recipe["environment"]["gpu"] = None
    assert run_budget(recipe) == f"recipe: {RECIPE}; 3 seeds (3, 4, 5); machine: Test CPU, 2 cores"
    one = manifest()
    one["profile"]["budget"] = {"kind": "time", "minutes": 5}
    assert run_budget(one) == ("time: 5 minutes of training per network on this machine; 1 seed (0); "
                               "machine: Test CPU, 2 cores")


def test_a_network_that_trained_far_from_its_time_budget_is_flagged():
    on_time = {**TIME_BUDGET, "used": {**used(4, 900, 290.0), "kind": "time", "time_budget": 300.0}}
    slow = {**TIME_BUDGET, "used": {**used(14, 3150, 365.3), "kind": "time", "time_budget": 300.0}}
    assert "off the time budget" not in used_text([_record(on_time)])
    assert used_text([_record(on_time), _record(slow)]).endswith(
        "1 of 2 off the time budget by more than 20% (the machine's speed changed after the warm-up)")
