"""Batch-1 latency of inference: ONNX Runtime against PyTorch eager, for ResNet-9 and the shallow CNN, side by side.

Each network is built untrained (its weights do not change the arithmetic, so latency is the
same as a trained one's), wrapped as ``fer_bench export`` exports it
(:class:`fer_bench.deploy.torch_onnx.FacePredictor`: one 48x48 gray face in [0, 1] in,
probabilities out, float32 on the CPU), and written as ONNX. Then, in ``--rounds`` rounds
that alternate the two runtimes, each makes ``--calls`` timed calls on one face after
warm-up calls; the script prints each runtime's median seconds per face over all calls and
the median and range of the per-round ratios ONNX Runtime / PyTorch (below 1: ONNX Runtime
is faster). Both use ``--threads`` threads (default: all cores). Needs ``pip install
-e .[export]``; no data.

Usage::

    python -m benchmarks.bench_inference                         # 5 rounds of 200 calls per runtime
    python -m benchmarks.bench_inference --rounds 2 --calls 20   # a quick check that it runs
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

import numpy as np
import torch

from fer_bench.deploy.cost import timed_calls
from fer_bench.deploy.torch_onnx import FacePredictor, export_predictor
from fer_bench.estimators.torch.architectures import build_network
from fer_bench.estimators.torch.classifier import TorchClassifier
from fer_bench.estimators.torch.device import place
from fer_bench.estimators.torch.trainer import Recipe

ARCHITECTURES: tuple[str, ...] = ("resnet9", "shallow_cnn")
WARMUP_CALLS = 20


def predictor(architecture: str, width: float) -> FacePredictor:
    """The untrained network of ``architecture`` as a fitted classifier holds it (float32, eval mode, in the
    recipe's memory format) and fer_bench exports it (no test-time views)."""
    torch.manual_seed(0)
    recipe = Recipe.of(TorchClassifier(architecture=architecture, width=width))
    network = place(build_network(architecture, 7, width), torch.device("cpu"), recipe.channels_last)
    return FacePredictor(network.eval(), recipe, "none").eval()


def compare(architecture: str, width: float, calls: int, rounds: int, threads: int) -> dict[str, float]:
    """Per runtime the median seconds per face, and the median, lowest and highest per-round ratio ONNX/PyTorch."""
    import onnxruntime

    module = predictor(architecture, width)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        export_predictor(module, path)
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def eager(face: np.ndarray):
        with torch.inference_mode():
            return module(torch.from_numpy(face))

    name = session.get_inputs()[0].name
    face = np.random.default_rng(0).random((1, 1, 48, 48), dtype=np.float32)
    eager_all, onnx_all, ratios = [], [], []
    for _ in range(rounds):
        eager_seconds = timed_calls(eager, face, calls, WARMUP_CALLS)
        onnx_seconds = timed_calls(lambda x: session.run(None, {name: x}), face, calls, WARMUP_CALLS)
        eager_all += eager_seconds
        onnx_all += onnx_seconds
        ratios.append(statistics.median(onnx_seconds) / statistics.median(eager_seconds))
    return {"torch": statistics.median(eager_all), "onnxruntime": statistics.median(onnx_all),
            "ratio": statistics.median(ratios), "low": min(ratios), "high": max(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="timed calls per runtime and round (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds alternating the runtimes (default 5)")
    parser.add_argument("--width", type=float, default=1.0, help="channel multiplier of the networks (default 1)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads of both runtimes (default: all cores)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, {args.threads} threads, torch {torch.__version__}, "
          f"{args.rounds} rounds of {args.calls} batch-1 calls per runtime, untrained networks at width {args.width:g}")
    for architecture in ARCHITECTURES:
        result = compare(architecture, args.width, args.calls, args.rounds, args.threads)
        print(f"{architecture:<12} torch eager {1000 * result['torch']:.3f} ms/face, onnxruntime "
              f"{1000 * result['onnxruntime']:.3f} ms/face, ratio onnxruntime/torch {result['ratio']:.2f} "
              f"(rounds {result['low']:.2f}-{result['high']:.2f})")


if __name__ == "__main__":
    main()
