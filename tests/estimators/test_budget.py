import pytest

from fer_bench.estimators._budget import (WARMUP_FRACTION, check_budget, fixed_plan, plan_after_warmup,
                                          steps_after_warmup, time_plan, warmup_done)


def test_the_budget_is_steps_then_time_then_epochs():
    assert check_budget(3, 60.0, 100, 5).kind == "steps"
    assert check_budget(3, 60.0, None, 5).kind == "time"
    assert check_budget(3, None, None, 5).kind == "epochs"


@pytest.mark.parametrize("args, message", [
    ((0, None, None, 5), "epochs=0"),
    ((3, 0.0, None, 5), "time_budget=0.0: expected a positive number of seconds"),
    ((3, -1.0, None, 5), "time_budget=-1.0"),
    ((3, None, 5, 5), "steps=5: expected more than warmup_steps=5"),
    ((3, 60.0, None, 1), "warmup_steps=1: a time budget needs at least 2"),
    ((3, None, None, -1), "warmup_steps=-1"),
])
def test_an_invalid_budget_names_the_parameter(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_budget(*args)


def test_a_measured_throughput_gives_the_steps_that_fill_the_budget():
    settings = check_budget(1, 60.0, None, 5)
    # 5 warm-up steps took 2.5 s, the 4 timed ones 0.25 s each: (60 - 2.5) / 0.25 = 230 steps are left
    left = steps_after_warmup(settings, warmup_seconds=2.5, timed_seconds=1.0, timed_steps=4)
    assert left == 230
    plan = time_plan(settings, n=1000, batch_size=100, steps_left=left, warmup_steps=5)
    assert (plan.steps, plan.warmup_steps, plan.schedule_steps, plan.steps_per_epoch) == (235, 5, 230, 10)
    assert plan.epochs == 24 and plan.epoch_steps(24) == 5 and plan.epoch_steps(1) == 10
    # the schedule's steps at the measured speed, plus the warm-up, end at the budget
    assert 2.5 + plan.schedule_steps * 0.25 == pytest.approx(60.0)


def test_a_budget_too_short_for_one_step_after_the_warm_up_is_refused():
    settings = check_budget(1, 3.0, None, 5)
    with pytest.raises(ValueError, match=r"time_budget=3 s is too short for a single step after the warm-up"):
        steps_after_warmup(settings, warmup_seconds=2.9, timed_seconds=1.0, timed_steps=4)


def test_a_plan_shorter_than_one_epoch_says_so():
    plan = fixed_plan(check_budget(1, None, 4, 2), n=100, batch_size=16)
    assert (plan.steps, plan.epochs, plan.steps_per_epoch) == (4, 1, 7)
    summary = plan.summary(steps_run=4, epochs_run=1, train_seconds=0.5, images_run=64)
    assert summary["shorter_than_one_epoch"] and summary["planned_epochs"] == pytest.approx(4 / 7, abs=1e-4)
    epochs_plan = fixed_plan(check_budget(3, None, None, 5), n=100, batch_size=16)
    assert (epochs_plan.steps, epochs_plan.warmup_steps) == (21, 0)
    assert not epochs_plan.summary(21, 3, 1.0, 300)["shorter_than_one_epoch"]


def test_the_warm_up_lasts_its_steps_and_a_share_of_the_budget_then_plans_the_rest():
    settings = check_budget(1, 100.0, None, 5)
    assert not warmup_done(settings, steps=4, trained_seconds=50.0)
    assert not warmup_done(settings, steps=9, trained_seconds=WARMUP_FRACTION * 100.0 - 0.1)
    assert warmup_done(settings, steps=9, trained_seconds=WARMUP_FRACTION * 100.0)
    # 9 warm-up steps in 5 s, the first 1 s: 0.5 s per timed step; (100 - 5) / 0.5 = 190 more
    plan, warmup = plan_after_warmup(settings, n=640, batch_size=64, warmup_steps=9, warmup_seconds=5.0,
                                     untimed_seconds=1.0)
    assert (plan.warmup_steps, plan.steps) == (9, 199)
    assert warmup == {"seconds": 5.0, "seconds_per_step": 0.5, "images_per_second": 128.0}
