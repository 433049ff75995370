"""Tiny synthetic data folders in each layout's exact file layout, for tests; never real faces.

Each image is noise, except where a face box is given: then the box is white
(255) on black, so that a crop of the right box is white and a crop of a wrong
one is not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

JAFFE_CODES = ("AN", "DI", "FE", "HA", "NE", "SA", "SU")


def noise(path: Path, size=(64, 64), mode: str = "L", seed: int = 0) -> Path:
    """A noise image of ``size`` (width, height) in ``mode`` at ``path`` (folders made)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0]), dtype=np.uint8)
    image = Image.fromarray(pixels, "L")
    image = image.convert("P") if mode == "P" else image.convert(mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def boxed(path: Path, size, box) -> Path:
    """A black RGB image of ``size`` (width, height) whose ``box`` (left, top, right, bottom) is white."""
    pixels = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    left, top, right, bottom = box
    pixels[top:bottom, left:right] = 255
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, "RGB").save(path)
    return path


def write_jaffe(root: Path, subjects=("KA", "KL", "KM"), takes: int = 2) -> list[Path]:
    """JAFFE's flat folder: ``<subject>.<code><take>.<n>.tiff``, every code ``takes`` times per subject; every
    fifth image a palette image, as 23 of the real 213 are; a README beside them."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("not an image\n")
    written, number = [], 1
    for subject in subjects:
        for code in JAFFE_CODES:
            for take in range(1, takes + 1):
                path = root / f"{subject}.{code}{take}.{number}.tiff"
                written.append(noise(path, (64, 64), "P" if number % 5 == 0 else "L", seed=number))
                number += 1
    return written


def write_ck_plus(root: Path, codes_by_subject: dict[str, list[int | None]], frames: int = 3) -> None:
    """CK+'s distribution: ``cohn-kanade-images/S<subject>/<sequence>/S<subject>_<sequence>_<frame>.png`` and, for
    each sequence whose code is not None, ``Emotion/.../S<subject>_<sequence>_<last frame>_emotion.txt`` holding
    the code as CK+ writes it (``   3.0000000e+00``)."""
    for subject, codes in codes_by_subject.items():
        for index, code in enumerate(codes, start=1):
            sequence = f"{index:03d}"
            for frame in range(1, frames + 1):
                noise(root / "cohn-kanade-images" / subject / sequence / f"{subject}_{sequence}_{frame:08d}.png",
                      (40, 30), "L", seed=frame + 10 * index)
            if code is not None:
                label = root / "Emotion" / subject / sequence / f"{subject}_{sequence}_{frames:08d}_emotion.txt"
                label.parent.mkdir(parents=True, exist_ok=True)
                label.write_text(f"   {code:.7e}\n")


def write_rafdb(root: Path, train_codes: list[int], test_codes: list[int]) -> list[str]:
    """RAF-DB basic: ``EmoLabel/list_patition_label.txt`` and ``Image/aligned/<name>_aligned.jpg`` (100x100)."""
    lines = [f"train_{i:05d}.jpg {code}" for i, code in enumerate(train_codes, start=1)]
    lines += [f"test_{i:04d}.jpg {code}" for i, code in enumerate(test_codes, start=1)]
    for number, line in enumerate(lines):
        noise(root / "Image" / "aligned" / line.split()[0].replace(".jpg", "_aligned.jpg"), (100, 100), "RGB", number)
    (root / "EmoLabel").mkdir(parents=True, exist_ok=True)
    (root / "EmoLabel" / "list_patition_label.txt").write_text("\n".join(lines) + "\n")
    return lines


AFFECTNET_HEADER = ("subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,"
                    "arousal")


def write_affectnet(root: Path, training: list[int], validation: list[int], size=(80, 60), box=(10, 5, 40, 30)
                    ) -> None:
    """AffectNet: ``Manually_Annotated_file_lists/{training,validation}.csv`` and
    ``Manually_Annotated_Images/<n>/<name>.jpg``, every face box ``box`` (x, y, width, height) white."""
    x, y, width, height = box
    for name, codes in (("training.csv", training), ("validation.csv", validation)):
        rows = [AFFECTNET_HEADER]
        for index, code in enumerate(codes):
            relative = f"{index % 3}/{name[0]}{index:04d}.jpg"
            boxed(root / "Manually_Annotated_Images" / relative, size, (x, y, x + width, y + height))
            rows.append(f"{relative},{x},{y},{width},{height},1.0;2.0;3.0;4.0,{code},0.5,-0.25")
        (root / "Manually_Annotated_file_lists").mkdir(parents=True, exist_ok=True)
        (root / "Manually_Annotated_file_lists" / name).write_text("\n".join(rows) + "\n")


def write_expw(root: Path, faces: list[tuple[str, int, tuple[int, int, int, int], int]], size=(90, 70)) -> None:
    """ExpW: ``label/label.lst`` lines ``image face_id top left right bottom confidence code`` and
    ``image/origin/<image>``; ``faces`` are ``(image, face id, (left, top, right, bottom), code)``, each box white."""
    lines = []
    for image, face_id, (left, top, right, bottom), code in faces:
        path = root / "image" / "origin" / image
        pixels = np.asarray(Image.open(path).convert("RGB")).copy() if path.is_file() else \
            np.zeros((size[1], size[0], 3), dtype=np.uint8)
        pixels[top:bottom, left:right] = 255
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels, "RGB").save(path, format="PNG")
        lines.append(f"{image} {face_id} {top} {left} {right} {bottom} 0.93 {code}")
    (root / "label").mkdir(parents=True, exist_ok=True)
    (root / "label" / "label.lst").write_text("\n".join(lines) + "\n")
