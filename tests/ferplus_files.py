"""FER+ label files built for tests: fer2013new.csv rows of votes, and a small fer2013.csv with its FER+ twin."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from fer_bench.datasets.ferplus import VOTE_COLUMNS

HEADER = "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF"
SPLITS = ("Training", "PublicTest", "PrivateTest")

FER2013_LABEL_OF_FERPLUS = np.array([6, 3, 5, 4, 0, 1, 2, 6])
"""FER-2013 label of a face per FER+ label (neutral 6, happiness 3, surprise 5, sadness 4, anger 0, disgust 1,
fear 2; contempt, which FER-2013 lacks, as neutral)."""


def one_hot_votes(column: int, votes: int = 10) -> list[int]:
    """A fer2013new.csv row's ten vote counts with all ``votes`` in ``column`` (an index of VOTE_COLUMNS)."""
    row = [0] * len(VOTE_COLUMNS)
    row[column] = votes
    return row


def write_ferplus(path: Path, usage, votes, header: str = HEADER, compress: bool = False) -> Path:
    """A fer2013new.csv at ``path``: one row per face, image names fer0000000.png, ...; gzip-compressed on request."""
    lines = [header] + [f"{split},fer{i:07d}.png,{','.join(map(str, row))}"
                        for i, (split, row) in enumerate(zip(usage, votes))]
    text = "\n".join(lines) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    return path


def write_fer2013_and_ferplus(folder: Path) -> tuple[Path, Path]:
    """A fer2013.csv of 8 faces per FER+ class in Training and 2 in each test split, and its fer2013new.csv.

    The votes are one-hot; the last 3 Training rows are not-a-face (dropped by FER+, so the later rows' row
    numbers differ from their positions among the kept faces). Each face carries a class cue (its top 8 rows
    of pixels) that a classifier learns. Returns ``(fer2013.csv, fer2013new.csv)``.
    """
    rng = np.random.default_rng(0)
    usage = np.repeat(SPLITS, [8 * 8 + 3, 8 * 2, 8 * 2])
    ferplus_label = np.concatenate([np.r_[np.arange(64) % 8, [-1, -1, -1]], np.arange(16) % 8, np.arange(16) % 8])
    images = rng.integers(0, 256, (len(usage), 48, 48), dtype=np.uint8)
    for image, label in zip(images, ferplus_label):
        image[:8] = 30 * (label + 1)
    rows = [f"{FER2013_LABEL_OF_FERPLUS[label]},{' '.join(map(str, image.ravel()))},{split}"
            for image, label, split in zip(images, ferplus_label, usage)]
    fer_path = folder / "fer2013.csv"
    fer_path.write_text("\n".join(["emotion,pixels,Usage", *rows]) + "\n")
    votes = [one_hot_votes(label) if label >= 0 else one_hot_votes(9) for label in ferplus_label]
    return fer_path, write_ferplus(folder / "fer2013new.csv", usage, votes)
