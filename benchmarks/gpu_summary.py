"""The one JSON file of ``benchmarks/gpu.sh``: bench_training's output and the ``full`` run's timings, side by side.

Reads what the script's steps left (bench_training's printed lines, the run
directory's ``results.json``, and each step's exit status and seconds) and
writes them as one JSON object, atomically. A step that failed or timed out is
recorded with its exit status; numbers that were not measured are null, never
estimated.

Usage::

    python -m benchmarks.gpu_summary --out gpu.json --bench bench_training.txt --run RUN_DIR \\
        --step bench_training 0 95.2 --step run_full 124 410.0 [--dry-run]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from fer_bench._io import atomic_write_json
from fer_bench.results import ResultsStore
from fer_bench.timing import machine_info

MEDIAN_LINE = re.compile(r"median: \(a\) seeds' pipeline ([\d.]+) images/s, \(b\) fer_bench ([\d.]+) images/s, "
                         r"speed-up ([\d.]+)x")
TIMEOUT_STATUSES = (124, 137)
"""Exit statuses of ``timeout`` (the step ran past its limit)."""


def bench_training_numbers(text: str) -> dict[str, Any]:
    """bench_training's median images/s of both sides and their ratio (None where its output has no median line)."""
    found = MEDIAN_LINE.search(text)
    seed, fer, ratio = (float(value) for value in found.groups()) if found else (None, None, None)
    return {"seed_loop_images_per_second": seed, "fer_bench_images_per_second": fer, "speed_up": ratio,
            "output": text.strip().splitlines()}


def full_run_numbers(run_dir: Path) -> dict[str, Any]:
    """Per estimator of the run: status, device, synchronised fit and predict seconds, images/s, accuracies."""
    store = ResultsStore(run_dir)
    if not store.exists():
        return {"run_dir": str(run_dir), "estimators": [], "note": "no results.json: the run wrote nothing"}
    manifest, records = store.load()
    estimators = []
    for record in records:
        metrics, deduplicated = record.metrics, record.metrics_deduplicated
        estimators.append({
            "name": record.name, "status": record.status, "device": record.device, "epochs": len(record.history),
            "train_images": record.train_images, "fit_seconds": record.fit_seconds,
            "predict_seconds": record.predict_seconds, "fit_images_per_second": record.fit_images_per_second,
            "predict_images_per_second": record.predict_images_per_second, "peak_memory_mib": record.peak_memory_mib,
            "privatetest_accuracy": metrics.get("accuracy"), "privatetest_macro_f1": metrics.get("macro_f1"),
            "dedup_accuracy": deduplicated.get("accuracy"),
            "error": record.error.strip().splitlines()[-1] if record.error else None})
    return {"run_dir": str(run_dir), "profile": manifest.profile.name if manifest.profile else None,
            "data_sha256": manifest.data.sha256,
            "time_limit_s": manifest.execution.time_limit if manifest.execution else None,
            "wall_seconds": manifest.wall_seconds, "complete": manifest.complete, "estimators": estimators}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, metavar="FILE.json")
    parser.add_argument("--bench", required=True, metavar="TEXT", help="bench_training's output (stdout and stderr)")
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="the full-profile run directory")
    parser.add_argument("--step", nargs=3, action="append", default=[], metavar=("NAME", "STATUS", "SECONDS"),
                        help="a step of gpu.sh: its exit status and wall seconds (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="the CPU check of the script: nothing measured")
    args = parser.parse_args(argv)

    bench = Path(args.bench)
    steps = {name: {"exit_status": int(status), "seconds": float(seconds),
                    "timed_out": int(status) in TIMEOUT_STATUSES} for name, status, seconds in args.step}
    summary = {
        "measured": not args.dry_run,
        "note": ("dry run on CPU with tiny settings: checks gpu.sh, measures nothing" if args.dry_run else
                 "measured by benchmarks/gpu.sh on the machine below"),
        "machine": machine_info(),
        "steps": steps,
        "bench_training": bench_training_numbers(bench.read_text() if bench.is_file() else ""),
        "full_profile": full_run_numbers(Path(args.run)),
    }
    atomic_write_json(Path(args.out), summary)
    print(args.out)


if __name__ == "__main__":
    main()
