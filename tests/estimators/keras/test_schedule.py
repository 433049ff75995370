"""The Keras recipe's learning rate over a budget's steps, and its optimisers."""

from __future__ import annotations

import numpy as np
import pytest

from fer_bench.estimators.training.budget import StepPlan
from fer_bench.estimators.keras.backend import import_keras
from fer_bench.estimators.keras.schedule import make_optimizer, one_cycle_rate, step_rate

MAX_LR = 0.008


def test_one_cycle_warms_up_then_anneals():
    lr = np.array([one_cycle_rate(MAX_LR, step, total_steps=100) for step in (0, 15, 30, 65, 100, 120)])
    np.testing.assert_allclose(lr[[0, 2]], [MAX_LR / 25, MAX_LR], rtol=1e-12)
    assert lr[0] < lr[1] < lr[2] > lr[3] > lr[4]
    assert lr[4] == lr[5] == pytest.approx(MAX_LR / 25 / 1e4, rel=1e-9)
    assert one_cycle_rate(MAX_LR, 0, total_steps=1) == MAX_LR / 25


@pytest.mark.parametrize("total_steps", [1, 7, 100])
def test_one_cycle_keeps_the_numbers_of_keras_cosine_decay(total_steps):
    keras = import_keras()
    warmup = max(1, round(0.3 * total_steps))
    schedule = keras.optimizers.schedules.CosineDecay(MAX_LR / 25, warmup_target=MAX_LR, warmup_steps=warmup,
                                                      decay_steps=max(1, total_steps - warmup), alpha=1 / 25 / 1e4)
    steps = range(total_steps + 2)
    np.testing.assert_allclose([one_cycle_rate(MAX_LR, step, total_steps) for step in steps],
                               [float(schedule(step)) for step in steps], rtol=1e-5, atol=1e-9)  # float32


def test_a_budget_warms_up_at_the_starting_rate_then_runs_one_cycle_over_the_steps_left():
    plan = StepPlan("steps", steps=105, warmup_steps=5, steps_per_epoch=10)
    lr = [step_rate(MAX_LR, step, plan) for step in range(105)]
    assert lr[:6] == [MAX_LR / 25] * 6  # the warm-up, then the cycle's first step
    assert max(lr) == lr[5 + 30] == MAX_LR
    assert lr[-1] < MAX_LR / 1000  # the last step, one before the cycle's end
    assert step_rate(MAX_LR, 105, plan) == pytest.approx(MAX_LR / 25 / 1e4)
    assert step_rate(MAX_LR, 40, None) == MAX_LR / 25  # a time budget's warm-up, not planned yet
    epochs = StepPlan("epochs", steps=100, warmup_steps=0, steps_per_epoch=10)
    assert [step_rate(MAX_LR, step, epochs) for step in (0, 30, 99)] == [one_cycle_rate(MAX_LR, step, 100)
                                                                        for step in (0, 30, 99)]


def test_the_rate_assigned_before_a_step_is_the_rate_the_step_uses():
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    optimizer = make_optimizer("adam", 0.0, learning_rate=0.1)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    x, y = np.ones((4, 3), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0, 0]]
    before = model.get_weights()
    optimizer.learning_rate = 0.0
    model.train_on_batch(x, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    optimizer.learning_rate = 0.1
    model.train_on_batch(x, y)
    assert not np.allclose(before[0], model.get_weights()[0])


def one_step(optimizer, weight: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    keras = import_keras()
    variable = keras.Variable(weight)
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient), variable)])
    return keras.ops.convert_to_numpy(variable)


def test_adam_weight_decay_is_l2_on_the_gradients_and_adamw_decays_the_weights():
    keras = import_keras()
    weight, gradient, lr = np.array([1.0, -2.0, 0.5], np.float32), np.array([0.1, 0.3, -0.2], np.float32), 0.01
    l2 = one_step(make_optimizer("adam", 0.5, lr), weight, gradient)
    np.testing.assert_allclose(l2, one_step(keras.optimizers.Adam(lr), weight, gradient + 0.5 * weight), rtol=1e-6)
    decoupled = one_step(make_optimizer("adamw", 0.5, lr), weight, gradient)
    np.testing.assert_allclose(decoupled, one_step(keras.optimizers.Adam(lr), weight * (1 - lr * 0.5), gradient),
                               rtol=1e-6)
    assert not np.allclose(l2, decoupled)
    assert type(make_optimizer("adam", 0.0, lr)) is keras.optimizers.Adam
