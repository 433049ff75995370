import numpy as np
import pytest

from fer_bench.analysis.bootstrap import face_resamples, percentile_interval, resampled_accuracy, resampled_macro_f1
from fer_bench.analysis.metrics import classification_metrics


@pytest.fixture(scope="module")
def faces():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 7, 400)
    return y_true, face_resamples(len(y_true), 500, seed=3)


def test_resamples_draw_n_faces_each_and_repeat_with_their_seed():
    counts = face_resamples(50, 300, seed=1)
    assert counts.shape == (300, 50) and np.all(counts.sum(axis=1) == 50) and np.all(counts == counts.round())
    assert np.array_equal(counts, face_resamples(50, 300, seed=1))
    assert not np.array_equal(counts, face_resamples(50, 300, seed=2))
    assert abs(counts.mean() - 1.0) < 1e-9 and 0.5 < counts.var() < 1.5  # Multinomial(n, 1/n): variance about 1
    with pytest.raises(ValueError, match="at least one face"):
        face_resamples(0, 10, 0)


def test_resampled_accuracy_and_macro_f1_are_the_metrics_on_each_resample(faces):
    y_true, counts = faces
    y_pred = np.stack([np.where(np.arange(400) % 3 == 0, (y_true + 1) % 7, y_true), y_true])
    accuracy = resampled_accuracy(y_true, y_pred, counts)
    assert accuracy.shape == (2, 500) and np.all(accuracy[1] == 1.0)
    first = counts[0].astype(int)
    assert accuracy[0, 0] == pytest.approx(np.sum(first * (y_pred[0] == y_true)) / 400)
    identity = np.ones((1, 400), dtype=np.float32)  # every face once: the plain metrics
    names = [str(index) for index in range(7)]
    assert resampled_macro_f1(y_true, y_pred, identity, 7)[0, 0] == pytest.approx(
        classification_metrics(y_true, y_pred[0], names)["macro_f1"])
    repeated = np.repeat(np.arange(400), first.astype(int))  # the first resample as indices
    assert resampled_macro_f1(y_true, y_pred, counts[:1], 7)[0, 0] == pytest.approx(
        classification_metrics(y_true[repeated], y_pred[0][repeated], names)["macro_f1"])
    six = y_true % 6  # class 6 neither true nor predicted: its F1 counts 0, as in classification_metrics
    assert resampled_macro_f1(six, six[None, :], identity, 7)[0, 0] == pytest.approx(6 / 7)
    with pytest.raises(ValueError, match="expected y_true"):
        resampled_accuracy(y_true, y_pred[:, :10], counts)


def test_percentile_interval():
    assert percentile_interval(np.arange(101) / 100, 0.9) == pytest.approx((0.05, 0.95))
