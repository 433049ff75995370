"""The Keras CNNs under a budget (epochs, seconds, or steps) and the recipe keys they share with the PyTorch networks.

The 5-class seed CNN trains a few steps on 48 random faces (three batches of 16 per epoch, whole
batches so that the training step is traced once): these tests check plumbing, not accuracy.
"""

from __future__ import annotations

import numpy as np
import pytest

from fer_bench.estimators.training.budget import budget_settings, fixed_plan
from fer_bench.estimators.keras import classifier
from fer_bench.estimators.keras.classifier import KerasCNNClassifier
from fer_bench.estimators.keras.schedule import step_rate

from ..fake_clock import fake_clock

N_FACES, BATCH = 48, 16


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (N_FACES, 48, 48), dtype=np.uint8), np.arange(N_FACES) % 5


def network(**settings) -> KerasCNNClassifier:
    return KerasCNNClassifier(architecture="seed_cnn5", batch_size=BATCH, bn_momentum=0.9, random_state=0, **settings)


@pytest.fixture(scope="module")
def timed(faces):
    """A 60-second budget on the fake clock, three warm-up steps."""
    with pytest.MonkeyPatch.context() as patch:
        fake_clock(patch)
        return network(time_budget=60.0, warmup_steps=3).fit(*faces)


def test_a_steps_budget_runs_exactly_its_steps_ending_in_a_partial_epoch(faces, monkeypatch):
    optimizers, make_optimizer = [], classifier.make_optimizer

    def kept(*args):
        optimizers.append(make_optimizer(*args))
        return optimizers[-1]

    monkeypatch.setattr(classifier, "make_optimizer", kept)
    model = network(steps=7, warmup_steps=2).fit(*faces)
    assert int(optimizers[0].iterations.numpy()) == 7
    budget = model.budget_
    assert (budget["kind"], budget["planned_steps"], budget["warmup_steps"]) == ("steps", 7, 2)
    assert budget["steps_per_epoch"] == 3 and budget["planned_epochs"] == pytest.approx(7 / 3, abs=1e-4)
    assert (budget["steps_run"], budget["epochs_run"], budget["images_run"]) == (7, 3, 2 * N_FACES + BATCH)
    assert "warmup" not in budget and not budget["shorter_than_one_epoch"]
    assert [(row["steps"], row["images"]) for row in model.history_] == [(3, N_FACES), (3, N_FACES), (1, BATCH)]
    assert budget["train_seconds"] == pytest.approx(sum(row["seconds"] for row in model.history_))
    plan = fixed_plan(budget_settings(20, None, 7, 2), N_FACES, BATCH)
    assert float(optimizers[0].learning_rate.numpy()) == pytest.approx(step_rate(0.008, 6, plan), rel=1e-6)


def test_a_time_budget_re_plans_its_steps_as_it_goes(timed):
    budget = timed.budget_
    assert budget["kind"] == "time" and budget["time_budget"] == 60.0 and budget["clock"] == "own"
    assert budget["warmup_steps"] == budget["replans"][0][0] >= 2 + 3 and len(budget["replans"]) > 1
    assert budget["planned_steps"] == budget["replans"][-1][2] > budget["warmup_steps"]
    assert budget["steps_run"] == budget["planned_steps"] == sum(row["steps"] for row in timed.history_)


def test_a_time_budget_and_the_steps_it_planned_train_the_same_network(timed, faces):
    used = timed.budget_
    repeat = network(steps=used["planned_steps"], warmup_steps=3, budget_trace=used["replans"]).fit(*faces)
    np.testing.assert_array_equal(repeat.predict_proba(faces[0]), timed.predict_proba(faces[0]))
    assert [row["train_loss"] for row in repeat.history_] == [row["train_loss"] for row in timed.history_]


def test_a_time_budget_too_short_for_a_step_after_the_warmup_is_refused(faces):
    with pytest.raises(ValueError, match=r"time_budget=0.001 s is too short"):
        network(time_budget=1e-3, warmup_steps=2).fit(*faces)


def test_label_smoothing_and_weight_decay_change_training(faces):
    def proba(**settings) -> np.ndarray:
        return network(steps=1, warmup_steps=0, max_lr=0.5, **settings).fit(*faces).predict_proba(faces[0])

    plain = proba()
    for settings in ({"label_smoothing": 0.3}, {"weight_decay": 0.5}, {"optimizer": "adamw", "weight_decay": 0.5}):
        assert not np.allclose(proba(**settings), plain), settings


@pytest.mark.parametrize("settings, message", [
    ({"optimizer": "sgd"}, "optimizer='sgd': expected one of adam, adamw"),
    ({"label_smoothing": 1.0}, r"label_smoothing=1.0: expected a value in \[0, 1\)"),
    ({"label_smoothing": -0.1}, "label_smoothing=-0.1"),
    ({"weight_decay": -1.0}, "weight_decay=-1.0"),
    ({"steps": 3, "warmup_steps": 5}, "steps=3: expected more than warmup_steps=5"),
    ({"time_budget": 0.0}, "time_budget=0.0"),
    ({"time_budget": 60.0, "warmup_steps": 0}, "warmup_steps=0"),
    ({"time_budget": 60.0, "budget_clock": "gpu"}, "budget_clock='gpu'"),
])
def test_invalid_settings_are_refused_before_training(faces, settings, message):
    with pytest.raises(ValueError, match=message):
        network(**settings).fit(*faces)
