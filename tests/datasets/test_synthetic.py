import numpy as np
import pytest
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fer_bench.datasets import make_synthetic
from fer_bench.labels import FER2013_CLASSES


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic()


def test_default_size_shapes_and_flags(synthetic):
    assert synthetic.images.shape == (2100, 48, 48) and synthetic.images.dtype == np.uint8
    assert synthetic.labels.dtype == np.int64 and synthetic.usage.shape == (2100,)
    assert synthetic.synthetic and synthetic.source == "synthetic" and len(synthetic.sha256) == 64
    assert synthetic.class_names == FER2013_CLASSES
    assert 30 < synthetic.images.mean() < 200 and synthetic.images.std() > 30


def test_balanced_classes_in_8_1_1_splits(synthetic):
    expected = {"Training": 240, "PublicTest": 30, "PrivateTest": 30}
    assert synthetic.counts() == {split: dict.fromkeys(FER2013_CLASSES, n) for split, n in expected.items()}
    assert list(synthetic.usage) == sorted(synthetic.usage, key=["Training", "PublicTest", "PrivateTest"].index)
    assert not np.all(np.diff(synthetic.labels[:240]) >= 0)  # classes are shuffled within a split


def test_deterministic_for_a_seed(synthetic):
    again = make_synthetic()
    np.testing.assert_array_equal(again.images, synthetic.images)
    np.testing.assert_array_equal(again.labels, synthetic.labels)
    assert again.sha256 == synthetic.sha256
    other = make_synthetic(seed=1)
    assert other.sha256 != synthetic.sha256 and not np.array_equal(other.images, synthetic.images)


def test_other_sizes():
    small = make_synthetic(n_per_class=10)
    assert {split: sum(row.values()) for split, row in small.counts().items()} == \
        {"Training": 56, "PublicTest": 7, "PrivateTest": 7}
    with pytest.raises(ValueError, match="n_per_class"):
        make_synthetic(n_per_class=2)


def test_learnable_but_not_trivial(synthetic):
    """A linear model on raw pixels is far above chance (1/7) and far from perfect (0.74 measured)."""
    X_train, y_train = synthetic.split("Training")
    X_test, y_test = synthetic.split("PrivateTest")
    model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=1e3))  # 0.3 s; LogisticRegression takes 7
    model.fit(X_train.reshape(len(X_train), -1) / 255.0, y_train)
    accuracy = np.mean(model.predict(X_test.reshape(len(X_test), -1) / 255.0) == y_test)
    assert 0.45 < accuracy < 0.9, accuracy
