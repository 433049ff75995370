"""Reading a face folder for `run --data-folder`: images/s of a cold load (parallel decode) and seconds of a cached one.

    python benchmarks/bench_folder.py [--images 5000] [--size 96] [--jobs 1 2] [--keep DIR]

Writes a generated CK+-style folder (drawn faces as RGB PNGs of --size pixels,
S<subject>_<sequence>_<frame>.png; never real data) and reads it with
:func:`fer_bench.datasets.class_folder.read_face_folder`: cold (decoding every
image, once per --jobs value, into a fresh cache) and then cached (the .npz
keyed by the folder's listing). Prints both side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fer_bench.datasets.class_folder import read_face_folder  # noqa: E402
from fer_bench.datasets.synthetic_folder import write_synthetic_folder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000, help="about this many images (7 sequences x 3 frames per subject)")
    parser.add_argument("--size", type=int, default=96, help="side of the written images in pixels")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="joblib workers of the cold loads")
    parser.add_argument("--keep", metavar="DIR", help="write the folder here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(args.keep) if args.keep else Path(scratch) / "faces"
        started = time.perf_counter()
        files = write_synthetic_folder(root, n_subjects=max(1, round(args.images / 21)), size=args.size)
        print(f"{len(files):,} images of {args.size}x{args.size} written in {time.perf_counter() - started:.1f} s; "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
        print(f"{'workers':>7} {'cold load':>12} {'images/s':>10} {'cached load':>12} {'speed-up':>9}")
        for jobs in args.jobs:
            cache = Path(scratch) / f"cache-{jobs}"
            started = time.perf_counter()
            read_face_folder(root, cache_dir=cache, n_jobs=jobs)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            read_face_folder(root, cache_dir=cache, n_jobs=jobs)
            cached = time.perf_counter() - started
            print(f"{jobs:>7} {cold:>10.2f} s {len(files) / cold:>10,.0f} {cached:>10.3f} s {cold / cached:>8.0f}x")


if __name__ == "__main__":
    main()
