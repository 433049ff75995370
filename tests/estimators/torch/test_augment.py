import pytest

torch = pytest.importorskip("torch")

from fer_bench.estimators.torch.augment import (augment, centre_crop, crops_at, flip_where, shifted_crops,  # noqa: E402
                                                ten_crops)


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
