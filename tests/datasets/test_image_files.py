import os

import numpy as np
import pytest
from PIL import Image, ImageFile

from fer_bench.datasets import DataError
from fer_bench.datasets.image_files import (MAX_PIXELS, MIN_SIDE, ImageTooLargeError, entry_kind, face_from_bytes,
                                            face_in_box, open_image, to_8bit)

from ..crafted_images import bomb_png, gradient16, png_bytes


@pytest.fixture
def no_decoding(monkeypatch):
    """Make any decoding of pixels fail the test: the limits must act on the header alone."""
    def load(self):
        raise AssertionError(f"decoded a {self.size} image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


@pytest.mark.parametrize("side, message", [
    (20000, "more than 178,956,970 pixels, Pillow's hard limit; refused before decoding"),
    (8000, "8000x8000 pixels (64,000,000) exceed the limit of 40,000,000 pixels; refused before decoding"),
])
def test_a_decompression_bomb_is_refused_from_its_header(no_decoding, side, message):
    data = bomb_png(side, side)
    assert len(data) < 400_000
    with pytest.raises(ImageTooLargeError) as error:
        face_from_bytes(data, "bomb.png")
    assert str(error.value).startswith("bomb.png: ") and message in str(error.value)
    assert isinstance(error.value, DataError)


def test_the_pixel_limit_is_a_parameter(no_decoding):
    data = png_bytes(np.zeros((100, 100), np.uint8))
    with pytest.raises(ImageTooLargeError, match=r"face\.png: 100x100 pixels \(10,000\) exceed the limit of 9,999 pixels"):
        open_image(data, "face.png", max_pixels=9_999)
    assert open_image(data, "face.png", max_pixels=10_000).size == (100, 100)
    assert MAX_PIXELS > 7360 * 4912  # a full-frame camera photo passes by default


def test_a_16_bit_face_keeps_its_gradient():
    gradient = gradient16()
    face = face_from_bytes(png_bytes(gradient), "face16.png")
    assert face.dtype == np.uint8 and face.shape == (48, 48)
    np.testing.assert_array_equal(face, np.rint(gradient / 257).astype(np.uint8))


@pytest.mark.parametrize("mode, array, expected", [
    ("I;16", gradient16(), np.rint(gradient16() / 257)),
    ("I", gradient16().astype(np.int32), np.rint(gradient16() / 257)),  # 16-bit values in a 32-bit image
    ("I", np.arange(0, 256, dtype=np.int32).reshape(16, 16), np.arange(0, 256).reshape(16, 16)),  # 8-bit values
])
def test_16_and_32_bit_images_are_scaled_not_clipped(mode, array, expected):
    image = Image.fromarray(array)
    assert image.mode == mode
    np.testing.assert_array_equal(np.asarray(to_8bit(image)), expected.astype(np.uint8))


@pytest.mark.parametrize("size", [(1, 1), (MIN_SIDE - 1, 48), (48, 1)])
def test_a_tiny_image_is_refused_as_too_small(size):
    data = png_bytes(np.zeros(size[::-1], np.uint8))
    with pytest.raises(DataError, match=rf"tiny\.png: {size[0]}x{size[1]} pixels is too small for a face; "
                                        rf"expected at least {MIN_SIDE}x{MIN_SIDE}"):
        face_from_bytes(data, "tiny.png")
    assert face_from_bytes(png_bytes(np.zeros((MIN_SIDE, MIN_SIDE), np.uint8)), "small.png").shape == (48, 48)


def test_bytes_that_are_no_image_are_named():
    with pytest.raises(DataError, match=r"notes\.png: not a readable image \(corrupt, truncated, empty"):
        face_from_bytes(b"plain text", "notes.png")


def test_symbolic_link_loops_and_dangling_links_are_named(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    os.symlink("nowhere", tmp_path / "dangling.png")
    (tmp_path / "folder").mkdir()
    (tmp_path / "face.png").write_bytes(b"")
    with pytest.raises(DataError, match=r"loop: a symbolic link loop"):
        entry_kind(tmp_path / "loop")
    with pytest.raises(DataError, match=r"dangling\.png: a symbolic link to nothing"):
        entry_kind(tmp_path / "dangling.png")
    assert entry_kind(tmp_path / "folder") == "dir" and entry_kind(tmp_path / "face.png") == "file"


def test_a_face_box_is_cropped_and_one_outside_the_image_names_its_label_line():
    pixels = np.zeros((60, 80), dtype=np.uint8)
    pixels[10:40, 50:70] = 255  # the face: left 50, top 10, right 70, bottom 40
    data = png_bytes(pixels)
    face = face_in_box(data, "a.png", (50, 10, 70, 40), "label.lst: line 3")
    assert face.shape == (48, 48) and face.dtype == np.uint8 and face.min() == 255
    with pytest.raises(DataError, match=r"label\.lst: line 3: face box \(left 50, top 10, right 81, bottom 40\) "
                                        r"lies outside a\.png \(80x60 pixels\)"):
        face_in_box(data, "a.png", (50, 10, 81, 40), "label.lst: line 3")
    with pytest.raises(ImageTooLargeError):
        face_in_box(data, "a.png", (50, 10, 70, 40), "label.lst: line 3", max_pixels=100)
