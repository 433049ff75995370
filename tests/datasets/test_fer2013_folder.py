import os
import re

import numpy as np
import pytest
from PIL import Image

from fer_bench.datasets import DataError, load_dataset


def save(root, relative, array_or_image):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    image = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    image.save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    """A small export: 48x48 PNGs, a colour JPEG of another size, files with and without split prefixes."""
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (3, 48, 48), dtype=np.uint8)
    root = tmp_path / "export"
    save(root, "train/happy/Training_10.png", gray[0])
    save(root, "train/Sad/face.png", gray[1])  # no prefix under train/: Training
    save(root, "train/angry/Training_11.jpg", Image.new("RGB", (100, 80), (200, 100, 50)))
    save(root, "test/angry/PublicTest_1.png", gray[2])
    save(root, "test/NEUTRAL/PrivateTest_2.bmp", Image.new("L", (30, 30), 7))
    save(root, "test/surprise/x.png", Image.new("RGBA", (48, 48), (0, 0, 255, 128)))  # no prefix under test/: PrivateTest
    (root / "train" / "happy" / "notes.txt").write_text("not an image")
    (root / "train" / "happy" / ".DS_Store").write_bytes(b"\0")
    return root, gray


def test_image_folder_layout(folder):
    root, gray = folder
    dataset = load_dataset(root)
    assert dataset.images.dtype == np.uint8 and dataset.images.shape == (6, 48, 48)
    assert list(dataset.ids) == ["train/Sad/face.png", "train/angry/Training_11.jpg", "train/happy/Training_10.png",
                                 "test/angry/PublicTest_1.png", "test/NEUTRAL/PrivateTest_2.bmp", "test/surprise/x.png"]
    assert list(dataset.usage) == ["Training"] * 3 + ["PublicTest"] + ["PrivateTest"] * 2
    assert list(dataset.labels) == [4, 0, 3, 0, 6, 5]
    assert dataset.labels.dtype == np.int64
    # Lossless 48x48 grayscale keeps its pixels; colour becomes luminance; any size becomes 48x48.
    np.testing.assert_array_equal(dataset.images[0], gray[1])
    np.testing.assert_array_equal(dataset.images[3], gray[2])
    assert abs(int(np.median(dataset.images[1])) - round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)) <= 3
    assert np.all(dataset.images[4] == 7)
    assert dataset.source == str(root) and len(dataset.sha256) == 64 and not dataset.synthetic


def test_folder_sha256_follows_content_and_names(folder):
    root, _ = folder
    first = load_dataset(root).sha256
    assert load_dataset(root).sha256 == first
    (root / "train/Sad/face.png").rename(root / "train/Sad/Training_1.png")
    renamed = load_dataset(root).sha256
    assert renamed != first
    save(root, "train/Sad/Training_1.png", np.zeros((48, 48), np.uint8))
    assert load_dataset(root).sha256 not in (first, renamed)


def test_only_train_or_only_test_is_enough(tmp_path):
    save(tmp_path, "test/fear/PrivateTest_5.png", np.zeros((48, 48), np.uint8))
    dataset = load_dataset(tmp_path)
    assert list(dataset.usage) == ["PrivateTest"] and list(dataset.labels) == [2]


def raises(path, *patterns):
    with pytest.raises(DataError) as error:
        load_dataset(path)
    message = str(error.value)
    for pattern in patterns:
        assert re.search(pattern, message), message


def test_folder_without_images(tmp_path):
    (tmp_path / "train" / "happy").mkdir(parents=True)
    raises(tmp_path, re.escape(str(tmp_path)), "no images")


def test_folder_without_train_or_test(tmp_path):
    (tmp_path / "happy").mkdir()
    raises(tmp_path, re.escape(str(tmp_path)), "train/<emotion>/ and/or test/<emotion>/", "found happy")


def test_unknown_emotion_folder(tmp_path):
    save(tmp_path, "train/contempt/Training_1.png", np.zeros((48, 48), np.uint8))
    raises(tmp_path, re.escape(str(tmp_path / "train" / "contempt")), "not an expression", "Angry, Disgust")


def test_image_outside_an_emotion_folder(tmp_path):
    save(tmp_path, "train/Training_1.png", np.zeros((48, 48), np.uint8))
    raises(tmp_path, re.escape(str(tmp_path / "train" / "Training_1.png")), "outside an emotion folder")


def test_unreadable_image(tmp_path):
    (tmp_path / "test" / "sad").mkdir(parents=True)
    (tmp_path / "test" / "sad" / "PublicTest_1.jpg").write_bytes(b"not a jpeg")
    raises(tmp_path, re.escape(str(tmp_path / "test" / "sad" / "PublicTest_1.jpg")), "not a readable image")


def test_a_folder_takes_no_test_path(folder):
    root, _ = folder
    with pytest.raises(DataError, match="no separate test file"):
        load_dataset(root, test_path=root / "test.csv")


def test_a_16_bit_png_keeps_its_gradient(tmp_path):
    from ..crafted_images import gradient16

    gradient = gradient16()
    save(tmp_path, "train/happy/Training_1.png", gradient)
    face = load_dataset(tmp_path).images[0]
    assert face.min() == 0 and face.max() == 255 and np.all(np.diff(face.astype(int), axis=1) > 0)


def test_a_tiny_image_is_refused_naming_the_file(tmp_path):
    save(tmp_path, "train/happy/Training_1.png", np.zeros((48, 48), np.uint8))
    save(tmp_path, "train/happy/Training_2.png", np.zeros((1, 1), np.uint8))
    raises(tmp_path, re.escape(str(tmp_path / "train" / "happy" / "Training_2.png")), "1x1 pixels is too small for a face")


def test_a_decompression_bomb_is_refused_naming_the_file_and_the_limit(tmp_path):
    from ..crafted_images import bomb_png

    save(tmp_path, "train/happy/Training_1.png", np.zeros((48, 48), np.uint8))
    (tmp_path / "train" / "happy" / "Training_2.png").write_bytes(bomb_png(8000, 8000))
    raises(tmp_path, re.escape(str(tmp_path / "train" / "happy" / "Training_2.png")), "8000x8000 pixels",
           "exceed the limit of 40,000,000 pixels")
    with pytest.raises(DataError, match="Training_1.png: 48x48 pixels .* exceed the limit of 2,000 pixels"):
        load_dataset(tmp_path, max_pixels=2000)


def test_an_emotion_folder_that_is_a_symlink_loop_is_an_error(tmp_path):
    import os

    save(tmp_path, "train/happy/Training_1.png", np.zeros((48, 48), np.uint8))
    os.symlink("sad", tmp_path / "train" / "sad")  # sad -> sad
    raises(tmp_path, re.escape(str(tmp_path / "train" / "sad")), "a symbolic link loop")


def test_a_file_name_that_is_not_utf8_is_read(folder):
    root, gray = folder
    latin = root / "train" / "happy" / os.fsdecode(b"Training_caf\xe9.png")
    (root / "train" / "happy" / "Training_10.png").rename(latin)
    dataset = load_dataset(root)
    assert os.fsdecode(b"train/happy/Training_caf\xe9.png") in list(dataset.ids) and len(dataset) == 6
