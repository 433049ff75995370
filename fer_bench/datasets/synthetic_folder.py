"""A generated class folder in CK+'s layout, for tests and benchmarks: ``ROOT/<class>/S<subject>_<sequence>_<frame>.png``.

Each sequence of a subject shows one expression; its frames are one drawn face
(:mod:`fer_bench.datasets.synthetic`) with a little fresh noise each, so the
frames of a sequence are near copies, as CK+'s consecutive frames are. It is
never real data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from ..labels import CK_PLUS_TO_FER2013, FER2013_CLASSES
from .synthetic import _render

CK_PLUS_CLASSES: tuple[str, ...] = ("anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise")
"""CK+'s seven expression folders (Lucey et al., 2010)."""


def write_synthetic_folder(root: str | Path, n_subjects: int = 10, sequences: int = 7, frames: int = 3,
                           classes: Sequence[str] = CK_PLUS_CLASSES, size: int = 64, colour: bool = True,
                           seed: int = 0) -> list[Path]:
    """Write drawn faces as ``root/<class>/S%03d_%03d_%08d.png`` (subject, sequence, frame).

    Parameters
    ----------
    root : path
        Created if missing.
    n_subjects, sequences, frames : int
        Subjects, sequences per subject (sequence ``j`` of every subject shows
        class ``(subject + j) % len(classes)``, so every class has subjects)
        and frames per sequence.
    classes : sequence of str
        Folder names; CK+ names are drawn as their FER-2013 expression
        (``contempt`` as Neutral), other names by their position.
    size : int
        Side of the written images in pixels (faces are drawn at 48 and resized).
    colour : bool
        Write RGB (gray copied to three channels) instead of grayscale.
    seed : int

    Returns
    -------
    list of Path
        The files written, in writing order.
    """
    root = Path(root)
    rng = np.random.default_rng(seed)
    drawn = [FER2013_CLASSES.index(CK_PLUS_TO_FER2013.get(name) or "Neutral") if name in CK_PLUS_TO_FER2013
             else position % len(FER2013_CLASSES) for position, name in enumerate(classes)]
    written = []
    for subject in range(1, n_subjects + 1):
        for sequence in range(1, sequences + 1):
            label = (subject + sequence) % len(classes)
            face = _render(rng, np.array([drawn[label]], dtype=np.int64))[0].astype(np.int16)
            folder = root / classes[label]
            folder.mkdir(parents=True, exist_ok=True)
            for frame in range(1, frames + 1):
                pixels = np.clip(face + rng.integers(-2, 3, size=face.shape), 0, 255).astype(np.uint8)
                image = Image.fromarray(pixels, "L").resize((size, size), Image.Resampling.BILINEAR)
                path = folder / f"S{subject:03d}_{sequence:03d}_{frame:08d}.png"
                (image.convert("RGB") if colour else image).save(path)
                written.append(path)
    return written
