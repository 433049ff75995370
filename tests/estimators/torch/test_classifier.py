import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fer_bench.estimators.torch.augment import centre_crop, ten_crops  # noqa: E402
from fer_bench.estimators.torch.classifier import TorchClassifier  # noqa: E402

from .conftest import LABELS, faces, tiny  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    X, y = faces(48)
    return tiny(epochs=2).fit(X, y)


def test_fit_predict_shapes_and_dtypes(fitted):
    X, _ = faces(20, seed=1)
    predicted = fitted.predict(X)
    proba = fitted.predict_proba(X)
    assert predicted.shape == (20,) and predicted.dtype == np.int64
    assert set(predicted) <= set(LABELS)
    assert proba.shape == (20, 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(predicted, fitted.classes_[proba.argmax(axis=1)])
    np.testing.assert_array_equal(fitted.classes_, LABELS)
    assert fitted.device_ == "cpu" and fitted.best_epoch_ == 2
    assert fitted.n_params_ == sum(parameter.numel() for parameter in fitted.model_.parameters())


def test_history_without_validation(fitted):
    assert [entry["epoch"] for entry in fitted.history_] == [1, 2]
    for entry in fitted.history_:
        assert entry["public_accuracy"] is None
        assert entry["train_loss"] > 0 and entry["seconds"] > 0 and entry["images_per_second"] > 0


def test_rows_of_pixels_are_accepted(fitted):
    X, _ = faces(10, seed=1)
    np.testing.assert_array_equal(fitted.predict_proba(X.reshape(10, -1)), fitted.predict_proba(X))


def test_learns_the_cue():
    X, y = faces(96)
    model = tiny(epochs=8).fit(X, y)  # fewer steps leave BatchNorm's running statistics behind
    assert model.history_[-1]["train_loss"] < model.history_[0]["train_loss"]
    X_test, y_test = faces(30, seed=1)
    assert model.score(X_test, y_test) > 0.8


def test_same_seed_same_predictions_on_cpu():
    X, y = faces(32)
    first, second = tiny(random_state=3).fit(X, y), tiny(random_state=3).fit(X, y)
    other = tiny(random_state=4).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert first.history_[0]["train_loss"] == second.history_[0]["train_loss"]
    assert not np.array_equal(first.predict_proba(X), other.predict_proba(X))


def test_fit_leaves_the_global_rng_alone():
    X, y = faces(16)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    tiny().fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_save_load_round_trip(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    assert {path.name for path in (tmp_path / "model").iterdir()} == {"model.pt", "config.json"}
    loaded = TorchClassifier.load(tmp_path / "model")
    X, _ = faces(20, seed=1)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert loaded.get_params() == fitted.get_params()
    assert (loaded.n_params_, loaded.best_epoch_, loaded.history_) == (fitted.n_params_, fitted.best_epoch_, fitted.history_)


def test_a_snapshot_ensemble_round_trips(tmp_path):
    X, y = faces(32)
    model = tiny(epochs=2, snapshots=2).fit(X, y)
    model.save(tmp_path / "model")
    loaded = TorchClassifier.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.n_params_ == model.n_params_ == 2 * tiny().fit(X, y).n_params_


def test_tta_flip_averages_the_mirror_image(fitted):
    X, _ = faces(10, seed=1)
    plain = fitted.predict_proba(X)
    mirrored = fitted.predict_proba(X[:, :, ::-1])
    fitted.set_params(tta="flip")
    try:
        np.testing.assert_allclose(fitted.predict_proba(X), (plain + mirrored) / 2, rtol=1e-5, atol=1e-7)
    finally:
        fitted.set_params(tta="none")


@pytest.fixture(scope="module")
def ten_crop_model():
    X, y = faces(32)
    return tiny(architecture="shallow_cnn", crop_size=40, tta="ten_crop").fit(X, y)


def test_ten_crop_model_trains_on_crops_and_averages_ten_views(ten_crop_model):
    X, _ = faces(6, seed=1)
    network = ten_crop_model.model_
    assert network[7].in_features == 5 * 5 * network[4][0].out_channels  # built for 40x40 inputs: 40 // 8 = 5
    proba = ten_crop_model.predict_proba(X)
    assert proba.shape == (6, 3)
    images = torch.from_numpy(X).unsqueeze(1).float() / 255
    with torch.inference_mode():
        views = [ten_crop_model.model_(view.contiguous(memory_format=torch.channels_last)).softmax(dim=1)
                 for view in ten_crops(images, 40)]
    np.testing.assert_allclose(proba, torch.stack(views).mean(dim=0).numpy(), rtol=1e-5, atol=1e-6)
    ten_crop_model.set_params(tta="none")
    try:
        with torch.inference_mode():
            centre = ten_crop_model.model_(centre_crop(images, 40).contiguous(memory_format=torch.channels_last)).softmax(dim=1)
        np.testing.assert_allclose(ten_crop_model.predict_proba(X), centre.numpy(), rtol=1e-5, atol=1e-6)
    finally:
        ten_crop_model.set_params(tta="ten_crop")


def test_a_ten_crop_model_round_trips(ten_crop_model, tmp_path):
    ten_crop_model.save(tmp_path / "model")
    X, _ = faces(5, seed=2)
    np.testing.assert_array_equal(TorchClassifier.load(tmp_path / "model").predict_proba(X), ten_crop_model.predict_proba(X))


@pytest.mark.parametrize("architecture", ["shallow_cnn", "deep_cnn"])
def test_other_architectures_fit(architecture):
    X, y = faces(24)
    model = tiny(architecture=architecture, channels_last=False, augment=False).fit(X, y)
    assert model.predict_proba(X).shape == (24, 3)


def test_bad_labels_and_settings_are_refused():
    X, y = faces(8)
    with pytest.raises(ValueError, match="Unknown label type"):
        tiny().fit(X, y + 0.5)  # continuous values are no class labels
    with pytest.raises(ValueError, match="one label per face"):
        tiny().fit(X, y[:5])
    with pytest.raises(ValueError, match="epochs"):
        tiny(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="architecture"):
        tiny(architecture="vgg").fit(X, y)
    with pytest.raises(ValueError, match="crop_size below 48"):
        tiny(tta="ten_crop").fit(X, y)
    with pytest.raises(ValueError, match="tta"):
        tiny(tta="five_crop").fit(X, y)
    with pytest.raises(ValueError, match="optimizer"):
        tiny(optimizer="sgd").fit(X, y)
    with pytest.raises(ValueError, match="patience"):
        tiny(patience=0).fit(X, y)
    for snapshots in (0, 1.5, True):
        with pytest.raises(ValueError, match=f"snapshots={snapshots!r}: expected an integer, at least 1"):
            tiny(snapshots=snapshots).fit(X, y)
    with pytest.raises(ValueError, match="snapshots=2 with patience=1: a snapshot ensemble trains every cycle"):
        tiny(snapshots=2, patience=1).fit(X, y)
    with pytest.raises(ValueError, match="snapshots=2: the budget has 1 schedule steps"):
        tiny(snapshots=2, batch_size=8).fit(X, y)  # 8 faces: one step
    with pytest.raises(ValueError, match="precision"):
        tiny(precision="fp8").fit(X, y)
    with pytest.raises(ValueError, match=r"label_smoothing=1.0: expected a value in \[0, 1\)"):
        tiny(label_smoothing=1.0).fit(X, y)
    with pytest.raises(ValueError, match="weight_decay=-1.0: expected 0 or more"):
        tiny(weight_decay=-1.0).fit(X, y)


def test_string_labels_and_a_column_of_labels_as_scikit_learn_classifiers_take_them():
    X, y = faces(16)
    names = np.array(["Angry", "Happy", "Sad"])[y % 3]
    model = tiny().fit(X, names[:, None], validation_data=(X[:4], names[:4]))
    assert model.classes_.tolist() == ["Angry", "Happy", "Sad"] and model.n_features_in_ == 48 * 48
    assert set(model.predict(X)) <= set(names) and model.predict(X).dtype == names.dtype
    assert model.history_[0]["public_accuracy"] is not None


def test_complex_faces_are_refused():
    X, y = faces(8)
    with pytest.raises(ValueError, match="complex"):
        tiny().fit(X.astype(np.complex128), y)


@pytest.mark.parametrize("use", ["crossentropy", "probability"])
def test_label_distributions_are_what_the_network_learns(use):
    X, y = faces(96)
    shifted = np.roll(np.arange(3), 1)[np.searchsorted(LABELS, y)]  # each face's mass on the next class
    distributions = np.eye(3)[shifted]
    model = tiny(epochs=6, max_lr=0.01).fit(X, y, label_distributions=distributions, distribution_use=use)
    X_test, y_test = faces(30, seed=1)
    expected = LABELS[np.roll(np.arange(3), 1)[np.searchsorted(LABELS, y_test)]]
    assert np.mean(model.predict(X_test) == expected) > 0.8


def test_one_hot_soft_targets_train_as_the_labels_do():
    X, y = faces(48)
    by_labels = tiny().fit(X, y).predict_proba(X)
    by_soft = tiny().fit(X, y, label_distributions=np.eye(3)[np.searchsorted(LABELS, y)]).predict_proba(X)
    np.testing.assert_allclose(by_soft, by_labels, atol=1e-5)


@pytest.mark.parametrize("distributions, use, message", [
    (np.full((48, 2), 0.5), "crossentropy", "label_distributions has shape (48, 2); expected (48, 3)"),
    (np.full((48, 3), -1.0), "crossentropy", "every weight must be finite and non-negative"),
    (np.full((48, 3), 1 / 3), "vote", "distribution_use='vote': expected one of crossentropy, probability"),
])
def test_bad_label_distributions_are_refused(distributions, use, message):
    X, y = faces(48)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tiny().fit(X, y, label_distributions=distributions, distribution_use=use)
