"""Fixtures of the pipeline tests: real photos shipped in installed packages and a tiny saved network."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2", reason="the pipeline needs opencv-python-headless<5")


def astronaut() -> np.ndarray:
    """scikit-image's astronaut (Eileen Collins), BGR 512x512, one face at about (177, 67, 93, 93)."""
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def grace_hopper() -> np.ndarray:
    """matplotlib's sample photo of Grace Hopper, BGR 600x512, one face."""
    import matplotlib.cbook

    return cv2.imread(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))


def cat() -> np.ndarray:
    """scikit-image's Chelsea the cat, BGR 300x451: no human face."""
    from skimage import data

    return cv2.cvtColor(data.chelsea(), cv2.COLOR_RGB2BGR)


def group_photo(tile: int = 320) -> tuple[np.ndarray, int]:
    """A 2x2 tiling of real photos (astronaut, Grace Hopper, mirrored astronaut, cat); returns (BGR image, faces in it)."""
    photos = [astronaut(), grace_hopper(), astronaut()[:, ::-1], cat()]
    tiles = [cv2.resize(photo, (tile, tile), interpolation=cv2.INTER_AREA) for photo in photos]
    return np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:])]), 3


@pytest.fixture(scope="session")
def photos(tmp_path_factory) -> dict[str, Path]:
    """Photo files: colour PNG and JPEG, a grayscale PNG, a no-face photo, the group photo, a corrupt file."""
    folder = tmp_path_factory.mktemp("photos")
    files = {"astronaut": folder / "astronaut.png", "astronaut_gray": folder / "astronaut_gray.png",
             "hopper": folder / "hopper.jpg", "cat": folder / "cat.jpg", "group": folder / "group.jpg",
             "corrupt": folder / "corrupt.jpg"}
    cv2.imwrite(str(files["astronaut"]), astronaut())
    cv2.imwrite(str(files["astronaut_gray"]), cv2.cvtColor(astronaut(), cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(files["hopper"]), grace_hopper())
    cv2.imwrite(str(files["cat"]), cat())
    cv2.imwrite(str(files["group"]), group_photo()[0])
    files["corrupt"].write_bytes(files["hopper"].read_bytes()[:200])  # a truncated JPEG
    return files


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny network (shallow_cnn, width 0.25, 1 epoch on synthetic faces) saved as RUN_DIR/models/tiny,
    beside a results.json whose manifest names the seven FER-2013 classes in lower case."""
    from fer_bench.datasets import make_synthetic
    from fer_bench.estimators.persistence import save_estimator
    from fer_bench.estimators.torch.classifier import TorchClassifier
    from fer_bench.labels import FER2013_CLASSES

    run_dir = tmp_path_factory.mktemp("run")
    dataset = make_synthetic(n_per_class=10)
    model = TorchClassifier(architecture="shallow_cnn", width=0.25, epochs=1, batch_size=64, device="cpu",
                            augment=False).fit(dataset.images, dataset.labels)
    (run_dir / "results.json").write_text(json.dumps(
        {"manifest": {"class_names": [name.lower() for name in FER2013_CLASSES]}, "records": []}))
    return save_estimator(model, run_dir / "models" / "tiny")


def write_moving_photo_video(path: Path, frames: int = 30, size: tuple[int, int] = (640, 480), fps: float = 30.0) -> Path:
    """Write an MPEG-4 video of two real portraits (astronaut, Grace Hopper: heads and shoulders, faces about
    90 and 160 px at 640x480) sliding up and down on gray, as two people before a webcam."""
    width, height = size
    side = min(280, height - 40, width // 2 - 20)
    portraits = (astronaut()[:300, 75:375], grace_hopper()[40:440, 60:460])
    people = [cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA) for photo in portraits]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    travel = height - side - 40
    for index in range(frames):
        frame = np.full((height, width, 3), 90, dtype=np.uint8)
        shift = int(index * travel / max(1, frames - 1))
        frame[20 + shift:20 + shift + side, 10:10 + side] = people[0]
        frame[20 + travel - shift:20 + travel - shift + side, width - 10 - side:width - 10] = people[1]
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture(scope="session")
def video(tmp_path_factory) -> Path:
    """A 24-frame 640x480 video with two real faces moving."""
    return write_moving_photo_video(tmp_path_factory.mktemp("video") / "moving.mp4", frames=24)
