"""What a PyTorch network sees of a face: random flips and crops in training, the views of test-time augmentation.

Every function takes and returns whole batches (a vectorised flip and a gather
of shifted windows, no per-image Python loop), on the device of its input.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

CROP_PADDING = 4
"""Pixels of reflection padding around a face before its random 48x48 crop."""

TTA_VIEWS: dict[str, int] = {"none": 1, "flip": 2, "ten_crop": 10}
"""Test-time augmentation and its views per face: none, the mean with the mirror image, or the mean of ten crops."""


def to_images(faces: torch.Tensor) -> torch.Tensor:
    """uint8 faces (n, 48, 48) -> float32 network input (n, 1, 48, 48) in [0, 1], same device."""
    return faces.unsqueeze(1).float().div_(255.0)


def flip_where(images: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mirror left-right the images where ``mask`` is True.

    Parameters
    ----------
    images : Tensor of shape (n, c, h, w)
    mask : bool Tensor of shape (n,)

    Returns
    -------
    Tensor of the shape, dtype and device of ``images`` (a new tensor).
    """
    return torch.where(mask[:, None, None, None], images.flip(-1), images)


def crops_at(images: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor, size: int) -> torch.Tensor:
    """``size x size`` windows of the images at per-image offsets ``(dy, dx)`` (top-left corners).

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w)
    dy, dx : int64 Tensor of shape (n,)
        Offsets in ``0 .. h - size`` and ``0 .. w - size``.
    size : int
        Side of the windows, at most ``min(h, w)``.

    Returns
    -------
    Tensor of shape (n, c, size, size), dtype and device of ``images``.
    """
    windows = images.unfold(2, size, 1).unfold(3, size, 1)  # a view: (n, c, h - size + 1, w - size + 1, size, size)
    return windows[torch.arange(len(images), device=images.device), :, dy, dx]  # gathered: (n, c, size, size)


def shifted_crops(images: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor,
                  padding: int = CROP_PADDING) -> torch.Tensor:
    """``h x w`` windows of the images reflection-padded by ``padding``, at offsets ``(dy, dx)``.

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w), h == w
    dy, dx : int64 Tensor of shape (n,)
        Offsets into the padded image, in ``0 .. 2 * padding``; ``padding`` is no shift.
    padding : int
        Pixels added on each side, less than ``h`` and ``w``.

    Returns
    -------
    Tensor of the shape, dtype and device of ``images``.
    """
    padded = F.pad(images, (padding,) * 4, mode="reflect")
    return crops_at(padded, dy, dx, images.shape[-1])


def augment(images: torch.Tensor, generator: torch.Generator, padding: int = CROP_PADDING,
            crop_size: int | None = None) -> torch.Tensor:
    """Random horizontal flip (probability 1/2) then random crop of a whole batch.

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w), h == w
    generator : torch.Generator
        On the device of ``images``; the only source of randomness.
    padding : int
        Reflection padding of the crop when ``crop_size`` is None or ``h``;
        shifts are then uniform in ``-padding .. padding``.
    crop_size : int or None
        Side of a random crop inside the unpadded image (offsets uniform in
        ``0 .. h - crop_size``), as ten-crop testing needs; None or ``h`` keeps the size.

    Returns
    -------
    Tensor of shape (n, c, s, s) with s = ``crop_size`` or ``h``; dtype and device of ``images``.
    """
    n, device, side = len(images), images.device, images.shape[-1]
    flipped = flip_where(images, torch.rand(n, generator=generator, device=device) < 0.5)
    if crop_size is None or crop_size == side:
        dy, dx = torch.randint(0, 2 * padding + 1, (2, n), generator=generator, device=device)
        return shifted_crops(flipped, dy, dx, padding)
    dy, dx = torch.randint(0, side - crop_size + 1, (2, n), generator=generator, device=device)
    return crops_at(flipped, dy, dx, crop_size)


def centre_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """The central ``size x size`` window of each image (a view; rounded towards the top left)."""
    top, left = (images.shape[-2] - size) // 2, (images.shape[-1] - size) // 2
    return images[..., top:top + size, left:left + size]


def ten_crops(images: torch.Tensor, size: int) -> torch.Tensor:
    """The ten crops of ten-crop testing: four corners and the centre, and their mirrors.

    Parameters
    ----------
    images : Tensor of shape (n, c, h, w)
    size : int
        Side of the crops, at most ``min(h, w)``.

    Returns
    -------
    Tensor of shape (10, n, c, size, size): top-left, top-right, bottom-left,
    bottom-right and centre crops, then the same five mirrored left-right.
    """
    h, w = images.shape[-2:]
    corners = [images[..., top:top + size, left:left + size] for top in (0, h - size) for left in (0, w - size)]
    five = torch.stack([*corners, centre_crop(images, size)])
    return torch.cat([five, five.flip(-1)])


def tta_views(images: torch.Tensor, tta: str, crop_size: int) -> torch.Tensor:
    """The test-time views of float images for ``tta`` (a key of :data:`TTA_VIEWS`).

    Parameters
    ----------
    images : float Tensor of shape (n, 1, 48, 48)
    tta : {"none", "flip", "ten_crop"}
        The centre crop alone, the centre crop and its mirror, or :func:`ten_crops`.
    crop_size : int
        Side of the views.

    Returns
    -------
    Tensor of shape (TTA_VIEWS[tta], n, 1, crop_size, crop_size).
    """
    if tta == "ten_crop":
        return ten_crops(images, crop_size)
    face = centre_crop(images, crop_size)
    return torch.stack([face, face.flip(-1)]) if tta == "flip" else face[None]
