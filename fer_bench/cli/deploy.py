"""``export`` and ``cost``: models out of a run, as ONNX files with cards, and the cost of running them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .inputs import load_data
from .options import positive_int

EXPORT_FORMATS: tuple[str, ...] = ("onnx",)


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``export`` and ``cost`` parsers, on ``commands``."""
    export = commands.add_parser(
        "export", help="write a saved model as model.onnx with its model card, checked against the original",
        description="Convert RUN_DIR/models/NAME to ONNX (PyTorch, Keras, or scikit-learn steps that have a "
                    "converter), run it with ONNX Runtime against the original on PrivateTest, and write "
                    "DIR/model.onnx and DIR/NAME.toml only if the two agree.")
    export.set_defaults(handler=command_export)
    export.add_argument("model", metavar="MODEL_DIR", help="a saved model, RUN_DIR/models/NAME")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="onnx", help="onnx (the default and only one)")
    export.add_argument("--out", required=True, metavar="DIR", help="folder of model.onnx and NAME.toml")
    export.add_argument("--data", metavar="PATH",
                        help="check parity on this data's PrivateTest (any layout `run --data` reads); default: "
                             "the embedded synthetic set's")
    _add_trust_option(export)

    cost = commands.add_parser(
        "cost", help="parameters, MACs, size, latency and throughput of a run's saved models, per runtime",
        description="Measure every saved model of RUN_DIR on the CPU with its own runtime and with ONNX Runtime "
                    "(where installed and the model exports); write RUN_DIR/cost.json and rebuild the report "
                    "(its cost table and the cost columns of results.csv).")
    cost.set_defaults(handler=command_cost)
    cost.add_argument("run_dir", metavar="RUN_DIR")
    cost.add_argument("--calls", type=positive_int, default=100, metavar="N",
                      help="timed batch-1 calls per model and runtime (default: 100)")
    cost.add_argument("--batch", type=positive_int, default=64, metavar="N",
                      help="faces per call of the throughput measurement (default: 64)")
    _add_trust_option(cost)
    return [export, cost]


def _add_trust_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-model", action="store_true",
                        help="load model folders even if they hold pickle files, types or classes outside "
                             "fer_bench's own: these can run any code; only for folders you trust")


def command_export(args) -> int:
    from ..datasets import make_synthetic
    from ..deploy import export_model

    if args.data is not None:
        faces, _ = load_data(args.data).split("PrivateTest")
        checked_on = f"PrivateTest of {Path(args.data).name} ({len(faces):,} faces)"
    else:
        faces, _ = make_synthetic().split("PrivateTest")
        checked_on = f"synthetic ({len(faces):,} faces)"
    if not len(faces):
        raise ValueError(f"--data {args.data}: holds no PrivateTest faces to check the export on")
    exported = export_model(args.model, args.out, faces, checked_on, trust=args.trust_model)
    print(exported.parity.text(), file=sys.stderr)
    print(exported.model_path)
    print(exported.card_path)
    return 0


def command_cost(args) -> int:
    from ..deploy import measure_run, write_cost
    from ..report import render_report

    table = measure_run(args.run_dir, args.calls, args.batch, args.trust_model,
                        progress=lambda line: print(line, file=sys.stderr))
    for row in table.rows:
        latency = "" if row.latency_median_seconds is None else f"{1000 * row.latency_median_seconds:9.3f} ms/face"
        throughput = "" if row.throughput_images_per_second is None else f"{row.throughput_images_per_second:10,.0f} images/s"
        print(f"{row.name:<16} {row.runtime:<13} {latency} {throughput} {row.note or ''}".rstrip())
    print(write_cost(args.run_dir, table))
    print(render_report(args.run_dir))
    return 0
