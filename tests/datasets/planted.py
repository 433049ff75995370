"""A tiny data set with planted duplicates, leaks and blank faces, shared by the audit, runner and CLI tests."""

from __future__ import annotations

import numpy as np

from fer_bench.datasets import FERDataset

N_TRAIN, N_PUBLIC, N_PRIVATE = 30, 10, 10
PUB, PRIV = N_TRAIN, N_TRAIN + N_PUBLIC  # first row of each test split


def random_faces(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unrelated faces: random 6x6 block patterns plus noise, pixels 30..220 (no clipping under a few levels' shift)."""
    blocks = np.kron(rng.integers(40, 210, size=(n, 6, 6)), np.ones((1, 8, 8), dtype=np.int64))
    return (blocks + rng.integers(-10, 11, size=blocks.shape)).astype(np.uint8)


def planted_dataset() -> FERDataset:
    """Rows 0..29 Training, 30..39 PublicTest, 40..49 PrivateTest, with these findings planted:

    - Training exact groups: [3, 5] same label, [6, 7] different labels;
    - Training/PrivateTest exact: [10, 40] same label, [11, 41] different labels;
    - Training/PublicTest exact: [12, 30]; PublicTest/PrivateTest exact: [32, 45];
    - near duplicates: 42 = 13 brighter by 3 levels, 43 = 14 with +-1 noise, 31 = 15 darker by 2;
    - blank faces: 20 (constant 128 plus +-1 noise), 44 (constant 50).
    """
    rng = np.random.default_rng(7)
    n = N_TRAIN + N_PUBLIC + N_PRIVATE
    images = random_faces(n, rng)
    labels = np.arange(n, dtype=np.int64) % 7
    usage = np.array(["Training"] * N_TRAIN + ["PublicTest"] * N_PUBLIC + ["PrivateTest"] * N_PRIVATE)

    def copy(dst: int, src: int, label_offset: int = 0) -> None:
        images[dst] = images[src]
        labels[dst] = (labels[src] + label_offset) % 7

    copy(5, 3)
    copy(7, 6, 1)
    copy(40, 10)
    copy(41, 11, 2)
    copy(30, 12)
    copy(45, 32)
    images[42] = images[13] + 3
    images[43] = (images[14] + rng.integers(-1, 2, size=(48, 48))).astype(np.uint8)
    images[31] = images[15] - 2
    images[20] = 128 + rng.integers(-1, 2, size=(48, 48))
    images[44] = 50
    ids = np.array([f"face{row}" for row in range(n)])
    return FERDataset(images=images, labels=labels, usage=usage, source="planted", sha256="ab" * 32, ids=ids)


def write_fer_csv(path, dataset: FERDataset) -> None:
    """Write ``dataset`` as a ``fer2013.csv`` (``emotion,pixels,Usage``)."""
    lines = ["emotion,pixels,Usage"] + [f"{label},{' '.join(map(str, face.ravel()))},{usage}"
                                       for face, label, usage in zip(dataset.images, dataset.labels, dataset.usage)]
    path.write_text("\n".join(lines) + "\n")
