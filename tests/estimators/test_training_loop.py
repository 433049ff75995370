import pytest

from fer_bench.estimators.training.budget import budget_settings
from fer_bench.estimators.training.epoch_log import EpochLog
from fer_bench.estimators.training.loop import train

from .fake_clock import StepClock, fake_clock


class FakeTrainer:
    """A BatchTrainer without a network: each step's loss is 1 per face, the weights are the steps run,
    and PublicTest accuracies come from a list, one per epoch."""

    def __init__(self, batch_size: int, accuracies: list[float] | None = None, clock=None,
                 validation_seconds: float = 0.0):
        self.batch_size, self.accuracies = batch_size, list(accuracies or [])
        self.clock, self.validation_seconds = clock, validation_seconds
        self.threads, self.on_gpu = 1, False
        self.weights, self.plans, self.restored = 0, [], None

    def new_epoch(self):
        pass

    def step(self, batch, step, plan):
        assert step == self.weights  # steps are counted across epochs
        self.plans.append(plan)
        self.weights += 1
        if self.clock is not None:
            self.clock.advance(1.0)
        return float(min(self.batch_size, 10 - batch * self.batch_size))  # 10 faces

    def synchronize(self):
        pass

    def validate(self):
        if self.clock is not None:
            self.clock.advance(self.validation_seconds)
        return self.accuracies.pop(0) if self.accuracies else None

    def snapshot(self):
        return self.weights

    def restore(self, weights):
        self.restored = weights


def test_an_epochs_budget_counts_the_faces_of_a_partial_last_batch_and_keeps_the_best_epoch():
    trainer, log = FakeTrainer(4, accuracies=[0.2, 0.5, 0.4]), EpochLog("fake")
    budget = train(trainer, budget_settings(3, None, None, 0), 10, log, verbose=False)
    assert budget["kind"] == "epochs" and budget["steps_run"] == budget["planned_steps"] == 9
    assert [row["images"] for row in log.history] == [10, 10, 10]
    assert [row["train_loss"] for row in log.history] == [1.0, 1.0, 1.0]
    assert log.best_epoch == 2 and trainer.restored == 6  # the weights after epoch 2's three steps
    assert all(plan is not None and plan.kind == "epochs" for plan in trainer.plans)


def test_a_steps_budget_may_end_within_an_epoch():
    trainer, log = FakeTrainer(4), EpochLog("fake")
    budget = train(trainer, budget_settings(1, None, 5, 2), 10, log, verbose=False)
    assert [row["steps"] for row in log.history] == [3, 2] and [row["images"] for row in log.history] == [10, 8]
    assert budget["steps_run"] == 5 and trainer.restored is None  # no validation: the last weights stay


def test_a_time_budget_re_plans_as_it_goes_and_spends_no_validation_time():
    """Each step costs 1 s on the clock, scoring PublicTest 30 s: the budget holds steps, not scoring."""
    clock = StepClock()
    trainer, log = FakeTrainer(4, clock=clock, validation_seconds=30.0), EpochLog("fake")
    budget = train(trainer, budget_settings(1, 60.0, None, 3), 10, log, verbose=False, clock=clock)
    assert trainer.plans[:5] == [None] * 5 and all(plan is not None for plan in trainer.plans[5:])
    assert budget["steps_run"] == budget["planned_steps"] == len(trainer.plans) == 62  # 2 untimed + 60 timed
    assert budget["budget_seconds"] == 60.0 and budget["budget_used"] == 1.0 and budget["clock"] == "fake"
    assert budget["untimed_steps"] == 2 and budget["replans"][0][:2] == [5, 3 / 60]
    assert budget["validation_seconds"] >= 0 and len(log.history) == 21


def test_patience_stops_after_epochs_without_improvement():
    trainer, log = FakeTrainer(5, accuracies=[0.5, 0.4, 0.3, 0.9]), EpochLog("fake")
    train(trainer, budget_settings(4, None, None, 0), 10, log, verbose=False, patience=2)
    assert len(log.history) == 3 and log.best_epoch == 1 and trainer.restored == 2


def test_a_time_budget_too_short_for_a_step_after_its_warm_up_is_refused(monkeypatch):
    fake_clock(monkeypatch)
    with pytest.raises(ValueError, match="time_budget=2.5 s is too short for a single step"):
        train(FakeTrainer(4), budget_settings(1, 2.5, None, 2), 10, EpochLog("fake"), verbose=False)
