"""Training throughput: the seeds' data pipeline against fer_bench's TorchClassifier, side by side.

The same ResNet-9 (same width, batch size and number of optimiser steps, Adam
with a one-cycle learning rate, cross-entropy) is trained two ways in one
process, alternately, and the images/s of each and their ratio are printed:

(a) the seeds' way: a ``torch.utils.data.DataLoader`` (shuffled, the default
    single process) over a ``Dataset`` of PIL images that applies, per face,
    ``Grayscale``, ``RandomCrop(48, padding=4)``, ``RandomHorizontalFlip`` and
    ``ToTensor``; float32, default (contiguous) memory format;
(b) :class:`fer_bench.estimators.torch.classifier.TorchClassifier`: uint8 faces
    resident on the device, flip and crop of whole batches, channels-last,
    bf16 autocast where the CPU has native bf16 (``--precision fp32`` turns it
    off, to see what the data path and memory format alone give).

The per-face transforms are torchvision's when torchvision is installed;
otherwise (fer_bench does not depend on it) they are re-implemented here with
PIL and NumPy the way torchvision does them: zero padding of 4 pixels, a crop
offset drawn uniformly in 0..8 per axis with ``torch.randint``, a flip with
probability 1/2 from ``torch.rand``, and ``ToTensor``'s division by 255.

Each side is warmed up (two steps) before it is timed; the timing covers data
loading (on a GPU: the copy of each batch to it), augmentation, forward,
backward and optimiser steps. The device is synchronised before every clock
read (``torch.cuda.synchronize``): CUDA kernels run asynchronously. Random
faces are used: throughput does not depend on pixel values.

Usage::

    python -m benchmarks.bench_training                      # ResNet-9 at width 0.5, 16 steps of 128
    python -m benchmarks.bench_training --width 1 --steps 8 --repeats 3
    python -m benchmarks.bench_training --precision fp32          # without bf16 autocast
    python -m benchmarks.bench_training --device cpu              # the CPU even where CUDA is available
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from fer_bench.estimators.torch.architectures import build_network
from fer_bench.estimators.torch.classifier import TorchClassifier
from fer_bench.estimators.torch.device import PRECISIONS, native_bf16_cpu

N_CLASSES = 7
PADDING = 4
SIDE = 48
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
"""``auto``: CUDA when available, else the CPU."""


def resolve_device(name: str) -> torch.device:
    """The torch device of ``--device``: ``auto`` is CUDA when available, else the CPU.

    Raises
    ------
    ValueError
        If ``name`` is ``cuda`` and no CUDA device is available, or ``name`` is not one of :data:`DEVICES`.
    """
    if name not in DEVICES:
        raise ValueError(f"--device {name!r}: expected one of {', '.join(DEVICES)}")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available to this torch build")
    return torch.device(name)


def clock(device: torch.device) -> float:
    """``time.perf_counter()`` after the device's queued work is done (``torch.cuda.synchronize`` on CUDA)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def seed_transform():
    """The seeds' per-face transform: torchvision's if installed, else an equivalent PIL + NumPy one."""
    try:
        from torchvision import transforms
    except ImportError:
        return _pil_transform, "PIL + NumPy re-implementation of torchvision's transforms (torchvision not installed)"
    pipeline = transforms.Compose([transforms.Grayscale(), transforms.RandomCrop(SIDE, padding=PADDING),
                                   transforms.RandomHorizontalFlip(), transforms.ToTensor()])
    return pipeline, f"torchvision {__import__('torchvision').__version__} transforms"


def _pil_transform(image: Image.Image) -> torch.Tensor:
    """Grayscale, RandomCrop(48, padding=4) with zero fill, RandomHorizontalFlip, ToTensor, as torchvision does."""
    image = image.convert("L")
    padded = Image.new("L", (SIDE + 2 * PADDING, SIDE + 2 * PADDING), 0)
    padded.paste(image, (PADDING, PADDING))
    top = int(torch.randint(0, 2 * PADDING + 1, size=(1,)).item())
    left = int(torch.randint(0, 2 * PADDING + 1, size=(1,)).item())
    image = padded.crop((left, top, left + SIDE, top + SIDE))
    if torch.rand(1) < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).unsqueeze(0).float().div(255.0)


class FaceDataset(torch.utils.data.Dataset):
    """PIL faces and labels, transformed one at a time (the seeds' ``Dataset``)."""

    def __init__(self, faces: np.ndarray, labels: np.ndarray, transform):
        self.images = [Image.fromarray(face) for face in faces]
        self.labels = labels
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        return self.transform(self.images[index]), int(self.labels[index])


def seed_loop(faces: np.ndarray, labels: np.ndarray, width: float, batch_size: int, transform,
              device: torch.device) -> float:
    """Train ResNet-9 over the faces once the seeds' way on ``device``; return images/s (after two warm-up steps)."""
    torch.manual_seed(0)
    network = build_network("resnet9", N_CLASSES, width).to(device)
    loader = torch.utils.data.DataLoader(FaceDataset(faces, labels, transform), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(network.parameters(), lr=0.008, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.008, total_steps=len(loader))
    network.train()
    images_seen, start = 0, None
    for step, (images, targets) in enumerate(loader):
        if step == 2:  # warm-up done (first oneDNN or cuDNN primitives, allocator)
            images_seen, start = 0, clock(device)
        images, targets = images.to(device), targets.to(device)
        loss = F.cross_entropy(network(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        images_seen += len(targets)
    return images_seen / (clock(device) - start)


def fer_bench_loop(faces: np.ndarray, labels: np.ndarray, width: float, batch_size: int, precision: str,
                   device: torch.device) -> float:
    """Train ResNet-9 over the faces once with TorchClassifier on ``device`` (after a two-step warm-up fit);
    return images/s (TorchClassifier synchronises the device around each epoch's clock reads)."""
    settings = {"architecture": "resnet9", "width": width, "epochs": 1, "batch_size": batch_size,
                "device": str(device), "precision": precision}
    TorchClassifier(**settings).fit(faces[:2 * batch_size], labels[:2 * batch_size])  # warm-up
    model = TorchClassifier(**settings).fit(faces[2 * batch_size:], labels[2 * batch_size:])
    return model.history_[0]["images_per_second"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=float, default=0.5, help="ResNet-9 channel multiplier (default 0.5, the quick profile's)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=16, help="timed optimiser steps per run (two more warm up)")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each side; the median is reported")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto", help="TorchClassifier's precision (default auto)")
    parser.add_argument("--device", choices=DEVICES, default="auto",
                        help="where both sides train: auto (CUDA when available, default), cpu or cuda")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device)
    except ValueError as error:
        parser.error(str(error))

    rng = np.random.default_rng(0)
    n = (args.steps + 2) * args.batch_size
    faces = rng.integers(0, 256, (n, SIDE, SIDE), dtype=np.uint8)
    labels = rng.integers(0, N_CLASSES, n)
    transform, transform_name = seed_transform()
    where = (f"CUDA {torch.cuda.get_device_name(device)}" if device.type == "cuda"
             else f"CPU, {torch.get_num_threads()} threads")
    print(f"ResNet-9 width {args.width}, batch {args.batch_size}, {args.steps} timed steps, {where}, "
          f"torch {torch.__version__}")
    print(f"(a) seeds' pipeline: DataLoader + per-face {transform_name}, float32, contiguous")
    bf16 = args.precision == "auto" and (device.type == "cuda" or native_bf16_cpu())
    print(f"(b) fer_bench TorchClassifier: resident uint8, batched flip and crop, channels-last, "
          f"{'bf16 autocast' if bf16 else 'float32'}")
    seed_rates, fer_rates = [], []
    for repeat in range(1, args.repeats + 1):
        seed_rates.append(seed_loop(faces, labels, args.width, args.batch_size, transform, device))
        fer_rates.append(fer_bench_loop(faces, labels, args.width, args.batch_size, args.precision, device))
        print(f"  run {repeat}: (a) {seed_rates[-1]:.1f} images/s, (b) {fer_rates[-1]:.1f} images/s, "
              f"ratio {fer_rates[-1] / seed_rates[-1]:.2f}x")
    seed_rate, fer_rate = statistics.median(seed_rates), statistics.median(fer_rates)
    print(f"median: (a) seeds' pipeline {seed_rate:.1f} images/s, (b) fer_bench {fer_rate:.1f} images/s, "
          f"speed-up {fer_rate / seed_rate:.2f}x")


if __name__ == "__main__":
    main()
