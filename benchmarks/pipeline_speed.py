"""Face detectors on real photos shipped in installed packages, and frames/s of `live` on 640x480 video.

    python benchmarks/pipeline_speed.py [--frames 150] [--threads 1] [--detectors haar mtcnn]

Part 1 runs each detector on photos with a known number of faces (scikit-image's
astronaut and cameraman, matplotlib's Grace Hopper, a 2x2 group tiling, a grid of
20 LFW faces from scikit-image's lfw_subset upscaled 3x) and on photos without a
human face; a box whose centre lies in a face marked by eye finds it, any other box is false.
Part 2 times the whole `live` loop (read, detect every N frames, classify, draw, encode)
with the Haar detector and a tiny network (shallow_cnn, width 0.25).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pipeline.conftest import astronaut, cat, cv2, grace_hopper, group_photo, write_moving_photo_video  # noqa: E402


def photo_set() -> list[tuple[str, np.ndarray, list[tuple[int, int, int, int]]]]:
    """(name, BGR image, its human faces as x, y, w, h boxes, marked by eye) of photos shipped in installed packages."""
    from skimage import data

    def rgb(image):
        return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)

    faces = data.lfw_subset()[:20]  # the first 100 of lfw_subset are faces, 25x25 in [0, 1]
    cells = [cv2.copyMakeBorder(cv2.resize((face * 255).astype(np.uint8), (75, 75), interpolation=cv2.INTER_CUBIC),
                                20, 20, 20, 20, cv2.BORDER_CONSTANT, value=128) for face in faces]
    lfw_grid = np.vstack([np.hstack(cells[row * 5:row * 5 + 5]) for row in range(4)])
    lfw_boxes = [(col * 115 + 20, row * 115 + 20, 75, 75) for row in range(4) for col in range(5)]
    group_boxes = [(110, 42, 58, 58), (413, 53, 144, 123), (151, 362, 58, 58)]  # the photos' faces, tiled at 320x320
    return [("astronaut", astronaut(), [(177, 67, 93, 93)]), ("grace_hopper", grace_hopper(), [(149, 100, 231, 231)]),
            ("camera", data.camera(), [(190, 105, 75, 100)]), ("group 2x2", group_photo()[0], group_boxes),
            ("lfw grid 4x5", lfw_grid, lfw_boxes),
            ("chelsea (cat)", cat(), []), ("coffee", rgb(data.coffee()), []), ("rocket", rgb(data.rocket()), []),
            ("motorcycle", rgb(data.stereo_motorcycle()[0]), []), ("hubble", rgb(data.hubble_deep_field()), []),
            ("horse", (data.horse() * 255).astype(np.uint8), []), ("coins", data.coins(), []),
            ("retina", rgb(data.retina()), []), ("page", data.page(), [])]


def match(boxes: np.ndarray, truth: list) -> tuple[int, int]:
    """(faces found, false boxes): a box finds the first unmatched true face that holds its centre."""
    unmatched, false = list(truth), 0
    for x, y, w, h in boxes:
        cx, cy = x + w / 2, y + h / 2
        hit = next((face for face in unmatched if face[0] <= cx <= face[0] + face[2] and face[1] <= cy <= face[1] + face[3]), None)
        if hit is None:
            false += 1
        else:
            unmatched.remove(hit)
    return len(truth) - len(unmatched), false


def detector_table(names: list[str]) -> None:
    from fer_bench.pipeline import make_detector

    photos = photo_set()
    print(f"{'detector':<8} {'photo':<15} {'size':>9} {'faces':>5} {'found':>5} {'false':>5} {'wall ms':>8} {'CPU ms':>7}")
    for name in names:
        detector = make_detector(name)
        detector.detect(photos[0][1])  # warm-up
        totals = np.zeros(5)
        for title, image, truth in photos:
            wall, cpu = time.perf_counter(), time.process_time()
            boxes = detector.detect(image)
            wall, cpu = 1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu)
            found, false = match(boxes, truth)
            size = f"{image.shape[1]}x{image.shape[0]}"
            print(f"{name:<8} {title:<15} {size:>9} {len(truth):>5} {found:>5} {false:>5} {wall:8.1f} {cpu:7.1f}")
            totals += (len(truth), found, false, wall, cpu)
        print(f"{name:<8} {'TOTAL / mean':<15} {'':>9} {totals[0]:>5.0f} {totals[1]:>5.0f} {totals[2]:>5.0f} "
              f"{totals[3] / len(photos):8.1f} {totals[4] / len(photos):7.1f}")


def live_fps(frames: int, threads: int) -> None:
    import torch

    from fer_bench.datasets import make_synthetic
    from fer_bench.estimators.torch.classifier import TorchClassifier
    from fer_bench.pipeline import ExpressionClassifier, FacePipeline, ScaledDetector, make_detector
    from fer_bench.pipeline.live import run_live

    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    dataset = make_synthetic(n_per_class=10)
    model = TorchClassifier(architecture="shallow_cnn", width=0.25, epochs=1, batch_size=64, device="cpu",
                            augment=False).fit(dataset.images, dataset.labels)
    classifier = ExpressionClassifier(model)
    with tempfile.TemporaryDirectory() as folder:
        video = write_moving_photo_video(Path(folder) / "moving.mp4", frames=frames)
        print(f"\nlive: {frames} frames of 640x480 (2 faces), Haar + shallow_cnn(width 0.25), annotated video written, "
              f"{threads} torch/OpenCV thread(s); CPU fps = frames / CPU seconds of this process")
        for detect_width in (None, 320):
            detector = make_detector("haar", min_size=20 if detect_width else 30)
            pipeline = FacePipeline(classifier, ScaledDetector(detector, detect_width) if detect_width else detector)
            for every in (1, 5, 10):
                found = []
                analyze = pipeline.analyze
                pipeline.analyze = lambda frame: found.append(len(faces := analyze(frame))) or faces
                cpu = time.process_time()
                stats = run_live(str(video), pipeline, every=every, out=Path(folder) / "out.mp4", show=False)
                cpu = time.process_time() - cpu
                del pipeline.analyze
                print(f"--detect-width {detect_width or 'full':<4} --every {every:<3}: wall {stats.fps:6.1f} frames/s, "
                      f"CPU {stats.frames / cpu:6.1f} frames/s, {np.mean(found):.2f} faces per analysed frame")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--detectors", nargs="*", default=["haar", "mtcnn"])
    args = parser.parse_args()
    if args.detectors:
        detector_table(args.detectors)
    live_fps(args.frames, args.threads)


if __name__ == "__main__":
    main()
