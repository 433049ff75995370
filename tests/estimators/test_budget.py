import pytest

from fer_bench.estimators.training.budget import (REPLAN_FRACTION, UNTIMED_STEPS, StepPlan, TimePlanner, budget_settings,
                                          fixed_plan)

from .fake_clock import StepClock


def test_the_budget_is_steps_then_time_then_epochs():
    assert budget_settings(3, 60.0, 100, 5).kind == "steps"
    assert budget_settings(3, 60.0, None, 5).kind == "time"
    assert budget_settings(3, None, None, 5).kind == "epochs"


@pytest.mark.parametrize("args, message", [
    ((0, None, None, 5), "epochs=0"),
    ((3, 0.0, None, 5), "time_budget=0.0: expected a positive number of seconds"),
    ((3, -1.0, None, 5), "time_budget=-1.0"),
    ((3, None, 5, 5), "steps=5: expected more than warmup_steps=5"),
    ((3, 60.0, None, 0), "warmup_steps=0: a time budget needs at least 1"),
    ((3, None, None, -1), "warmup_steps=-1"),
    ((3, 60.0, None, 5, "gpu"), "budget_clock='gpu'"),
    ((3, 60.0, None, 5, "own", [[3, 0.1, 9]]), "budget_trace: goes with steps"),
    ((3, None, 9, 2, "own", [[3, 0.1, 8]]), "budget_trace: its last plan must end at steps=9"),
    ((3, None, 9, 2, "own", [[3, 0.1, 9], [2, 0.2, 9]]), "budget_trace: row [2, 0.2, 9]"),
    ((3, None, 9, 2, "own", [[3, 1.5, 9]]), "budget_trace: row [3, 1.5, 9]"),
    ((3, None, 9, 2, "own", "3,0.1,9"), "budget_trace: row None"),
])
def test_an_invalid_budget_names_the_parameter(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.").replace("[", r"\[")):
        budget_settings(*args)


def test_a_plan_shorter_than_one_epoch_says_so():
    plan = fixed_plan(budget_settings(1, None, 4, 2), n=100, batch_size=16)
    assert (plan.steps, plan.epochs, plan.steps_per_epoch) == (4, 1, 7)
    summary = plan.summary(steps_run=4, epochs_run=1, train_seconds=0.5, images_run=64)
    assert summary["shorter_than_one_epoch"] and summary["planned_epochs"] == pytest.approx(4 / 7, abs=1e-4)
    epochs_plan = fixed_plan(budget_settings(3, None, None, 5), n=100, batch_size=16)
    assert (epochs_plan.steps, epochs_plan.warmup_steps) == (21, 0)
    assert not epochs_plan.summary(21, 3, 1.0, 300)["shorter_than_one_epoch"]
    assert epochs_plan.position(5) is None  # a fixed plan's schedule counts steps


def test_a_position_runs_from_each_re_plans_fraction_to_one_at_its_planned_end():
    plan = StepPlan("time", 30, 10, 100, 60.0, trace=((10, 0.2, 50), (20, 0.5, 30)))
    assert plan.position(3) == 0.0  # before the first re-plan: the schedule's start
    assert plan.position(10) == 0.2 and plan.position(15) == pytest.approx(0.2 + 0.8 * 5 / 40)
    assert plan.position(20) == 0.5 and plan.position(25) == pytest.approx(0.75) and plan.position(30) == 1.0
    repeat = fixed_plan(budget_settings(1, None, 30, 2, "own", [[10, 0.2, 50], [20, 0.5, 30]]), n=1000, batch_size=10)
    assert [repeat.position(step) for step in range(30)] == [plan.position(step) for step in range(30)]
    assert repeat.warmup_steps == 10


def run_planner(budget: float, seconds_per_step, warmup_steps: int = 3) -> tuple[TimePlanner, StepClock, int]:
    """Steps until the planner's plan ends; ``seconds_per_step(step, clock)`` is each step's cost on the clock."""
    clock = StepClock()
    planner = TimePlanner(budget_settings(1, budget, None, warmup_steps), steps_per_epoch=50, clock=clock)
    planner.before_first_step(0.0)
    steps, plan = 0, None
    while plan is None or steps < plan.steps:
        clock.advance(seconds_per_step(steps, clock))
        steps += 1
        plan = planner.after_step(steps, clock.now)
    return planner, clock, steps


@pytest.mark.parametrize("change", [2.0, 0.5], ids=["speed halves", "speed doubles"])
def test_a_re_planned_schedule_ends_at_the_budget_when_the_speed_changes_mid_run(change):
    budget = 100.0
    planner, clock, steps = run_planner(budget, lambda step, clock: 0.1 if clock.spent < 40.0 else 0.1 * change)
    assert abs(clock.spent / budget - 1) < REPLAN_FRACTION + 0.001  # within a re-plan's share (and one step)
    plan = planner.plan
    assert plan.steps == steps and plan.position(steps) == 1.0  # the schedule ends as the budget does
    fractions = [fraction for _, fraction, _ in plan.trace]
    assert all(b - a <= REPLAN_FRACTION + 0.002 for a, b in zip(fractions, fractions[1:]))  # every 2% at least
    assert fractions[0] == pytest.approx(REPLAN_FRACTION, abs=0.002)


def test_the_untimed_steps_are_not_spent_from_the_budget():
    costs = {0: 50.0, 1: 50.0}  # the first passes: allocation and kernel creation
    planner, clock, steps = run_planner(10.0, lambda step, clock: costs.get(step, 0.1))
    assert UNTIMED_STEPS == 2 and clock.spent == pytest.approx(10.0, rel=0.03)
    record = planner.record(validation_seconds=1.5)
    assert record["untimed_steps"] == 2 and record["untimed_seconds"] == 100.0
    assert record["budget_used"] == pytest.approx(1.0, rel=0.03) and record["validation_seconds"] == 1.5


def test_a_budget_too_short_for_one_step_after_the_warm_up_is_refused():
    with pytest.raises(ValueError, match=r"time_budget=3 s is too short for a single step after the warm-up"):
        run_planner(3.0, lambda step, clock: 1.0)
