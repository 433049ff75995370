import numpy as np
import pytest

from fer_bench.pipeline.faces import INTERPOLATIONS, crop_faces, decode_image, read_image

from .conftest import astronaut, cv2


def test_read_image_gives_bgr_for_colour_and_grayscale_files(photos):
    colour, gray = read_image(photos["astronaut"]), read_image(photos["astronaut_gray"])
    assert colour.shape == gray.shape == (512, 512, 3) and colour.dtype == np.uint8
    assert np.array_equal(colour, astronaut())
    assert np.array_equal(gray[:, :, 0], gray[:, :, 2])


def test_read_image_names_missing_and_corrupt_files(photos, tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.png: no such image file"):
        read_image(tmp_path / "nothing.png")
    with pytest.raises(ValueError, match="corrupt.jpg: not a readable image"):
        read_image(photos["corrupt"])
    with pytest.raises(ValueError, match="upload: not a readable image"):
        decode_image(b"", "upload")


def test_crop_without_margin_is_the_grayscale_box_resized():
    image = astronaut()
    faces = crop_faces(image, np.array([[177, 67, 93, 93]]), margin=0.0)
    expected = cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)[67:160, 177:270], (48, 48), interpolation=cv2.INTER_AREA)
    assert faces.shape == (1, 48, 48) and faces.dtype == np.uint8
    assert np.array_equal(faces[0], expected)


def test_crops_are_square_with_margin_and_padded_at_the_border():
    image = astronaut()
    boxes = np.array([[177, 67, 93, 93], [0, 0, 60, 30], [480, 490, 40, 40]])
    faces = crop_faces(image, boxes, margin=0.25, interpolation="cubic")
    assert faces.shape == (3, 48, 48)
    assert not np.array_equal(faces[0], crop_faces(image, boxes[:1], margin=0.0)[0])
    assert crop_faces(image, np.zeros((0, 4), dtype=int)).shape == (0, 48, 48)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_every_interpolation_gives_a_face(interpolation):
    assert crop_faces(astronaut(), np.array([[177, 67, 93, 93]]), interpolation=interpolation).shape == (1, 48, 48)


def test_crop_rejects_bad_options():
    with pytest.raises(ValueError, match="unknown interpolation 'bilinear'"):
        crop_faces(astronaut(), np.array([[0, 0, 10, 10]]), interpolation="bilinear")
    for margin in (-0.1, 1e9, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"--margin .*: expected a fraction of the face's side from 0 to 1"):
            crop_faces(astronaut(), np.array([[0, 0, 10, 10]]), margin=margin)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".bmp", ".tif", ".webp", ".gif"])
def test_common_formats_are_read(tmp_path, suffix):
    from PIL import Image

    path = tmp_path / f"astronaut{suffix}"
    Image.fromarray(cv2.cvtColor(astronaut(), cv2.COLOR_BGR2RGB)).save(path)
    image = read_image(path)
    assert image.shape == (512, 512, 3) and image.dtype == np.uint8
