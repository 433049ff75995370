import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fer_bench.estimators.torch import trainer  # noqa: E402

from ..fake_clock import fake_clock  # noqa: E402
from .conftest import LABELS, faces, tiny  # noqa: E402


def test_validation_scores_every_epoch():
    X, y = faces(48)
    X_val, y_val = faces(24, seed=1)
    model = tiny(epochs=2).fit(X, y, validation_data=(X_val, y_val))
    accuracies = [entry["public_accuracy"] for entry in model.history_]
    assert all(0.0 <= accuracy <= 1.0 for accuracy in accuracies)
    assert model.best_epoch_ == 1 + int(np.argmax(accuracies))
    assert model.score(X_val, y_val) == pytest.approx(max(accuracies))


def test_best_epoch_weights_are_restored(monkeypatch):
    """Epoch 2 of 3 scores best on PublicTest: its weights, not the last ones, are kept."""
    X, y = faces(32)
    X_val, y_val = faces(12, seed=1)
    states, original = [], trainer.predict_proba

    def scripted(network, device, images, recipe, tta=None):
        states.append({key: value.clone() for key, value in network.state_dict().items()})
        right = np.searchsorted(LABELS, y_val)
        guess = right if len(states) == 2 else (right + 1) % 3  # only epoch 2 is right
        return np.eye(3)[guess]

    monkeypatch.setattr(trainer, "predict_proba", scripted)
    model = tiny(epochs=3).fit(X, y, validation_data=(X_val, y_val))
    monkeypatch.setattr(trainer, "predict_proba", original)
    assert [entry["public_accuracy"] for entry in model.history_] == [0.0, 1.0, 0.0]
    assert model.best_epoch_ == 2
    final = model.model_.state_dict()
    assert all(torch.equal(final[key], value) for key, value in states[1].items())
    assert not all(torch.equal(final[key], value) for key, value in states[2].items())


def test_early_stopping_stops_after_patience_epochs_without_improvement(monkeypatch):
    X, y = faces(16)
    X_val, y_val = faces(6, seed=1)
    scores = iter([0.5, 0.8, 0.6, 0.8, 0.9, 0.9])  # epoch 2 is best; epochs 3 and 4 do not beat it

    def scripted(network, device, images, recipe, tta=None):
        assert tta == "none"  # PublicTest scoring in fit never pays for test-time augmentation
        right = np.searchsorted(LABELS, y_val)
        correct = int(round(next(scores) * len(right) * 5)) // 5  # 6 faces: fractions of 6
        guess = np.where(np.arange(len(right)) < correct, right, (right + 1) % 3)
        return np.eye(3)[guess]

    monkeypatch.setattr(trainer, "predict_proba", scripted)
    model = tiny(epochs=6, patience=2, tta="flip").fit(X, y, validation_data=(X_val, y_val))
    assert len(model.history_) == 4 and model.best_epoch_ == 2


def test_an_auxiliary_loss_is_added_to_the_cross_entropy():
    X, y = faces(16)
    model = tiny(architecture="ddamfn", input_size=32, batch_size=8).fit(X, y)
    assert model.history_[0]["train_loss"] > np.log(3)  # the attention loss of near-identical heads is large
    assert model.predict_proba(X[:4]).shape == (4, 3)


def test_inputs_are_upsampled_to_input_size():
    X, y = faces(16)
    model = tiny(architecture="shallow_cnn", input_size=64, augment=False).fit(X, y)
    assert model.model_[7].in_features == 8 * 8 * model.model_[4][0].out_channels  # built for 64x64: 64 // 8 = 8
    assert model.predict_proba(X).shape == (16, 3)


def test_adamw_trains_and_is_repeatable():
    X, y = faces(24)
    first = tiny(optimizer="adamw", weight_decay=0.05).fit(X, y)
    second = tiny(optimizer="adamw", weight_decay=0.05).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert not np.array_equal(first.predict_proba(X), tiny().fit(X, y).predict_proba(X))


def test_auto_precision_trains_repeatably_on_cpu():
    """bf16 autocast where the CPU computes bf16 natively (float32 elsewhere): still seeded and repeatable."""
    X, y = faces(24)
    first, second = tiny(precision="auto").fit(X, y), tiny(precision="auto").fit(X, y)
    proba = first.predict_proba(X)
    assert proba.dtype == np.float64 and np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba, second.predict_proba(X))


def test_a_time_budget_re_plans_its_steps_and_the_schedule_ends_with_them(monkeypatch):
    """A clock that advances 0.5 s per reading: the schedule follows the share of the budget spent."""
    X, y = faces(64)
    fake_clock(monkeypatch, 0.5)
    rates = []
    original_step = trainer.StepTrainer.step

    def watched(self, batch, step, plan):
        loss = original_step(self, batch, step, plan)
        rates.append(self.optimizer.param_groups[0]["lr"])  # the rate this step trained at
        return loss

    monkeypatch.setattr(trainer.StepTrainer, "step", watched)
    model = tiny(time_budget=60.0, warmup_steps=3, max_lr=0.01).fit(X, y)
    budget = model.budget_
    assert budget["kind"] == "time" and budget["clock"] == "own" and budget["untimed_steps"] == 2
    first_plan = budget["replans"][0][0]
    assert budget["warmup_steps"] == first_plan >= 2 + 3  # untimed steps, then 3 timed ones
    assert budget["planned_steps"] == budget["steps_run"] == len(rates) == budget["replans"][-1][2]
    assert sum(row["steps"] for row in model.history_) == len(rates)
    assert rates[:first_plan] == [pytest.approx(0.01 / 25)] * first_plan  # the schedule's start until the first plan
    assert max(rates) == pytest.approx(0.01, rel=0.05)  # the one-cycle peak
    assert rates[-1] < 0.01 / 10  # ... and down near its floor by the budget's end


def test_a_time_budget_too_short_for_a_step_is_refused():
    X, y = faces(32)
    with pytest.raises(ValueError, match="time_budget=1e-06 s is too short for a single step"):
        tiny(time_budget=1e-6).fit(X, y)


def test_steps_repeat_a_time_budget_exactly_and_may_end_within_an_epoch(monkeypatch):
    X, y = faces(64)
    X_val, y_val = faces(12, seed=1)
    fake_clock(monkeypatch, 0.01)
    timed = tiny(time_budget=0.5, random_state=3).fit(X, y, validation_data=(X_val, y_val))
    used = timed.budget_
    repeated = tiny(steps=used["planned_steps"], warmup_steps=used["warmup_steps"], budget_trace=used["replans"],
                    random_state=3)
    repeated.fit(X, y, validation_data=(X_val, y_val))
    assert repeated.budget_["kind"] == "steps" and repeated.budget_["steps_run"] == used["planned_steps"]
    assert np.array_equal(timed.predict_proba(X_val), repeated.predict_proba(X_val))
    short = tiny(steps=3, warmup_steps=1).fit(X, y)  # 4 steps make an epoch of 64 faces at batch 16
    assert short.budget_["shorter_than_one_epoch"] and short.budget_["epochs_run"] == 1
    assert short.history_[0]["images"] == 48 and short.history_[0]["steps"] == 3


def test_a_warm_up_longer_than_an_epoch_spans_epochs_and_counts_their_training_time(monkeypatch):
    X, y = faces(40)  # 3 steps per epoch at batch 16, 5 warm-up steps
    fake_clock(monkeypatch, 0.02)
    model = tiny(time_budget=1.0, warmup_steps=5).fit(X, y)
    budget = model.budget_
    assert budget["steps_run"] == budget["planned_steps"] > 5
    assert budget["replans"][0][0] >= 2 + 5 > model.history_[0]["steps"] == 3  # the first plan after epoch 1


def test_snapshot_cycles_share_the_schedule_steps_after_the_warm_up():
    from fer_bench.estimators.training.budget import StepPlan

    assert trainer.snapshot_cycles(StepPlan("epochs", 10, 0, 5), 3) == [0, 3, 6, 10]
    assert trainer.snapshot_cycles(StepPlan("time", 12, 2, 5), 3) == [2, 5, 8, 12]
    assert trainer.snapshot_cycles(StepPlan("epochs", 10, 0, 5), 1) == [0, 10]
    with pytest.raises(ValueError, match="snapshots=3: the budget has 5 schedule steps, fewer than 2 per"):
        trainer.snapshot_cycles(StepPlan("epochs", 5, 0, 5), 3)


def test_a_snapshot_ensemble_restarts_the_learning_rate_and_keeps_the_last_weights_of_each_cycle(monkeypatch):
    """8 steps in 2 cycles: the one-cycle rate starts again at step 4, and the members hold the weights
    after steps 4 and 8, whatever PublicTest said of the epochs."""
    X, y = faces(32)  # 2 steps of 16 per epoch
    rates, weights, original = [], [], trainer.StepTrainer.step

    def watched(self, batch, step, plan):
        loss = original(self, batch, step, plan)
        rates.append(self.optimizer.param_groups[0]["lr"])
        weights.append({key: value.clone() for key, value in self.network.state_dict().items()})
        return loss

    monkeypatch.setattr(trainer.StepTrainer, "step", watched)
    model = tiny(epochs=4, snapshots=2, max_lr=0.01).fit(X, y, validation_data=faces(12, seed=1))
    # the rate after each step: up to the peak and down to near 0 in the first cycle, the same in the second
    assert rates[0] == pytest.approx(0.01, rel=0.2) and rates[2] < 1e-6 and rates[4:7] == pytest.approx(rates[:3])
    assert model.best_epoch_ == 4
    members = model.model_.members
    assert len(members) == 2
    for member, last in zip(members, (weights[3], weights[7])):
        assert all(torch.equal(member.state_dict()[key], value) for key, value in last.items())


def test_a_time_budget_splits_into_snapshot_cycles_by_its_share_spent(monkeypatch):
    """Two cycles, each half the budget: the first cycle's weights are kept when the second starts."""
    X, y = faces(32)
    fake_clock(monkeypatch, 0.1)
    rates, weights, original = [], [], trainer.StepTrainer.step

    def watched(self, batch, step, plan):
        weights.append({key: value.clone() for key, value in self.network.state_dict().items()})  # before the step
        loss = original(self, batch, step, plan)
        rates.append((plan.position(step) if plan is not None else 0.0, self.optimizer.param_groups[0]["lr"]))
        return loss

    monkeypatch.setattr(trainer.StepTrainer, "step", watched)
    model = tiny(time_budget=12.0, warmup_steps=2, snapshots=2, max_lr=0.01).fit(X, y)
    second = next(index for index, (position, _) in enumerate(rates) if position >= 0.5)
    assert rates[second - 1][1] < rates[second][1]  # the rate restarts with the second cycle
    members = model.model_.members
    assert len(members) == 2
    assert all(torch.equal(members[0].state_dict()[key], value) for key, value in weights[second].items())


def test_a_snapshot_ensemble_predicts_its_members_mean_probabilities():
    X, y = faces(32)
    model = tiny(epochs=4, snapshots=2).fit(X, y)
    recipe = trainer.Recipe.of(model)
    members = [trainer.predict_proba(member, torch.device("cpu"), X, recipe, "flip") for member in model.model_.members]
    np.testing.assert_allclose(model.set_params(tta="flip").predict_proba(X), np.mean(members, axis=0), rtol=1e-5)
    assert not np.allclose(members[0], members[1])


def _interrupted_at_epoch(monkeypatch, epoch):
    """Make PublicTest scoring of ``epoch`` raise KeyboardInterrupt, as Ctrl-C or a kill would end the fit there."""
    original, calls = trainer.StepTrainer.validate, []

    def validate(self):
        calls.append(1)
        if len(calls) == epoch:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(trainer.StepTrainer, "validate", validate)
    return original


@pytest.mark.parametrize("params", [{}, {"snapshots": 2}, {"optimizer": "adamw", "weight_decay": 0.05}],
                         ids=["one-cycle", "snapshots", "adamw"])
def test_an_interrupted_fit_goes_on_from_its_checkpoint_to_the_uninterrupted_result(tmp_path, monkeypatch, params):
    X, y = faces(48)
    validation = faces(12, seed=1)
    whole = tiny(epochs=3, **params).fit(X, y, validation_data=validation, checkpoint=tmp_path / "whole.pt")
    original = _interrupted_at_epoch(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        tiny(epochs=3, **params).fit(X, y, validation_data=validation, checkpoint=tmp_path / "fit.pt")
    monkeypatch.setattr(trainer.StepTrainer, "validate", original)
    resumed = tiny(epochs=3, **params).fit(X, y, validation_data=validation, checkpoint=tmp_path / "fit.pt")
    np.testing.assert_array_equal(resumed.predict_proba(X), whole.predict_proba(X))
    timings = ("seconds", "images_per_second")
    assert [{k: v for k, v in row.items() if k not in timings} for row in resumed.history_] == \
        [{k: v for k, v in row.items() if k not in timings} for row in whole.history_]
    assert resumed.budget_["resumed_after_epoch"] == 2 and "resumed_after_epoch" not in whole.budget_
    assert resumed.best_epoch_ == whole.best_epoch_


def test_a_checkpoint_of_another_seed_is_not_used(tmp_path, monkeypatch):
    X, y = faces(32)
    original = _interrupted_at_epoch(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        tiny(epochs=2, random_state=0).fit(X, y, validation_data=faces(6, seed=1), checkpoint=tmp_path / "fit.pt")
    monkeypatch.setattr(trainer.StepTrainer, "validate", original)
    other = tiny(epochs=2, random_state=1).fit(X, y, validation_data=faces(6, seed=1), checkpoint=tmp_path / "fit.pt")
    fresh = tiny(epochs=2, random_state=1).fit(X, y, validation_data=faces(6, seed=1))
    assert "resumed_after_epoch" not in other.budget_
    np.testing.assert_array_equal(other.predict_proba(X), fresh.predict_proba(X))


def test_a_time_budget_writes_no_checkpoint(tmp_path, monkeypatch):
    X, y = faces(16)
    fake_clock(monkeypatch, 0.5)
    model = tiny(time_budget=20.0, warmup_steps=1).fit(X, y, checkpoint=tmp_path / "fit.pt")
    assert model.budget_["kind"] == "time" and not (tmp_path / "fit.pt").exists()
