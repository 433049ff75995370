import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fer_bench.estimators.torch_trainer import (TorchClassifier, augment, centre_crop,  # noqa: E402
                                                crops_at, flip_where, shifted_crops, ten_crops)

LABELS = np.array([-3, 5, 10])  # any integers: outputs map through classes_


def faces(n, seed=0):
    rng = np.random.default_rng(seed)
    index = np.arange(n) % 3
    images = rng.integers(0, 60, size=(n, 48, 48), dtype=np.uint8)
    images[:, :16][index == 1] += 150  # a learnable cue per class
    images[:, 32:][index == 2] += 150
    return images, LABELS[index]


def tiny(**params):
    settings = {"architecture": "resnet9", "width": 0.125, "epochs": 1, "batch_size": 16, "device": "cpu",
                "precision": "fp32"}  # exact comparisons below; "auto" is tested on its own
    return TorchClassifier(**{**settings, **params})


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
    states, original = [], TorchClassifier._proba

    def scripted(self, network, device, images, tta=None):
        states.append({key: value.clone() for key, value in network.state_dict().items()})
        right = np.searchsorted(LABELS, y_val)
        guess = right if len(states) == 2 else (right + 1) % 3  # only epoch 2 is right
        return np.eye(3)[guess]

    monkeypatch.setattr(TorchClassifier, "_proba", scripted)
    model = tiny(epochs=3).fit(X, y, validation_data=(X_val, y_val))
    monkeypatch.setattr(TorchClassifier, "_proba", original)
    assert [entry["public_accuracy"] for entry in model.history_] == [0.0, 1.0, 0.0]
    assert model.best_epoch_ == 2
    final = model.model_.state_dict()
    assert all(torch.equal(final[key], value) for key, value in states[1].items())
    assert not all(torch.equal(final[key], value) for key, value in states[2].items())


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


def test_ten_crops_are_the_corners_the_centre_and_their_mirrors():
    images = torch.arange(2 * 48 * 48, dtype=torch.float32).reshape(2, 1, 48, 48)
    crops = ten_crops(images, 44)
    assert crops.shape == (10, 2, 1, 44, 44)
    assert torch.equal(crops[0], images[..., :44, :44]) and torch.equal(crops[1], images[..., :44, 4:])
    assert torch.equal(crops[2], images[..., 4:, :44]) and torch.equal(crops[3], images[..., 4:, 4:])
    assert torch.equal(crops[4], images[..., 2:46, 2:46]) and torch.equal(crops[4], centre_crop(images, 44))
    for i in range(5):
        assert torch.equal(crops[5 + i], crops[i].flip(-1))


def test_crops_at_takes_each_image_at_its_own_offset():
    images = torch.rand(3, 1, 48, 48)
    out = crops_at(images, torch.tensor([0, 8, 3]), torch.tensor([8, 0, 5]), 40)
    assert out.shape == (3, 1, 40, 40)
    assert torch.equal(out[0], images[0, :, :40, 8:]) and torch.equal(out[2], images[2, :, 3:43, 5:45])


def test_augment_with_a_crop_size_gives_crops_inside_the_face():
    images = torch.rand(8, 1, 48, 48)
    out = augment(images, torch.Generator().manual_seed(0), crop_size=44)
    assert out.shape == (8, 1, 44, 44)
    for crop, image in zip(out, images):  # each crop is a window of the image or of its mirror
        windows = [source.unfold(1, 44, 1).unfold(2, 44, 1).reshape(1, -1, 44, 44) for source in (image, image.flip(-1))]
        assert any((window == crop).flatten(2).all(dim=2).any() for window in windows)


def test_inputs_are_upsampled_to_input_size():
    X, y = faces(16)
    model = tiny(architecture="shallow_cnn", input_size=64, augment=False).fit(X, y)
    assert model.model_[7].in_features == 8 * 8 * model.model_[4][0].out_channels  # built for 64x64: 64 // 8 = 8
    assert model.predict_proba(X).shape == (16, 3)


def test_an_auxiliary_loss_is_added_to_the_cross_entropy():
    X, y = faces(16)
    model = tiny(architecture="ddamfn", input_size=32, batch_size=8).fit(X, y)
    assert model.history_[0]["train_loss"] > np.log(3)  # the attention loss of near-identical heads is large
    assert model.predict_proba(X[:4]).shape == (4, 3)


def test_early_stopping_stops_after_patience_epochs_without_improvement(monkeypatch):
    X, y = faces(16)
    X_val, y_val = faces(6, seed=1)
    scores = iter([0.5, 0.8, 0.6, 0.8, 0.9, 0.9])  # epoch 2 is best; epochs 3 and 4 do not beat it

    def scripted(self, network, device, images, tta=None):
        assert tta == "none"  # PublicTest scoring in fit never pays for test-time augmentation
        right = np.searchsorted(LABELS, y_val)
        correct = int(round(next(scores) * len(right) * 5)) // 5  # 6 faces: fractions of 6
        guess = np.where(np.arange(len(right)) < correct, right, (right + 1) % 3)
        return np.eye(3)[guess]

    monkeypatch.setattr(TorchClassifier, "_proba", scripted)
    model = tiny(epochs=6, patience=2, tta="flip").fit(X, y, validation_data=(X_val, y_val))
    assert len(model.history_) == 4 and model.best_epoch_ == 2


def test_adamw_trains_and_is_repeatable():
    X, y = faces(24)
    first = tiny(optimizer="adamw", weight_decay=0.05).fit(X, y)
    second = tiny(optimizer="adamw", weight_decay=0.05).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert not np.array_equal(first.predict_proba(X), tiny().fit(X, y).predict_proba(X))


@pytest.mark.parametrize("architecture", ["shallow_cnn", "deep_cnn"])
def test_other_architectures_fit(architecture):
    X, y = faces(24)
    model = tiny(architecture=architecture, channels_last=False, augment=False).fit(X, y)
    assert model.predict_proba(X).shape == (24, 3)


def test_flip_where_flips_exactly_the_masked_images():
    images = torch.rand(6, 1, 48, 48)
    mask = torch.tensor([True, False, False, True, True, False])
    out = flip_where(images, mask)
    assert out.shape == images.shape and out.dtype == images.dtype
    for i, flipped in enumerate(mask):
        assert torch.equal(out[i], images[i].flip(-1) if flipped else images[i])


def test_shifted_crops_move_each_image_by_its_own_offset():
    images = torch.rand(3, 1, 48, 48)
    dy, dx = torch.tensor([4, 0, 8]), torch.tensor([4, 8, 1])  # offsets into the 4-pixel padding
    out = shifted_crops(images, dy, dx, padding=4)
    assert out.shape == images.shape and out.dtype == images.dtype
    assert torch.equal(out[0], images[0])  # (4, 4) is the unshifted window
    assert torch.equal(out[1][:, 4:, :-4], images[1][:, :-4, 4:])  # down 4, left 4
    assert torch.equal(out[2][:, :-4, 3:], images[2][:, 4:, :-3])  # up 4, right 3
    assert torch.equal(out[1][:, 3, 0], images[1][:, 1, 4])  # reflection, not zeros, in the border


def test_augment_keeps_shape_and_dtype_and_follows_the_generator():
    images = torch.rand(16, 1, 48, 48)
    first = augment(images, torch.Generator().manual_seed(0))
    second = augment(images, torch.Generator().manual_seed(0))
    assert first.shape == images.shape and first.dtype == images.dtype
    assert torch.equal(first, second) and not torch.equal(first, images)


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
    with pytest.raises(ValueError, match="precision"):
        tiny(precision="fp8").fit(X, y)


def test_auto_precision_trains_repeatably_on_cpu():
    """bf16 autocast where the CPU computes bf16 natively (float32 elsewhere): still seeded and repeatable."""
    X, y = faces(24)
    first, second = tiny(precision="auto").fit(X, y), tiny(precision="auto").fit(X, y)
    proba = first.predict_proba(X)
    assert proba.dtype == np.float64 and np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba, second.predict_proba(X))


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
