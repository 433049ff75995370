"""benchmarks/bench_training.py: device choice, clock synchronisation and a tiny run on the CPU."""

import pytest
import torch

from benchmarks import bench_training


def test_device_defaults_to_cuda_where_available(monkeypatch):
    assert bench_training.build_parser().parse_args([]).device == "auto"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert bench_training.resolve_device("auto") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert bench_training.resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="no CUDA device"):
        bench_training.resolve_device("cuda")


def test_a_cuda_clock_read_waits_for_the_device(monkeypatch):
    synchronised = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: synchronised.append(device))
    bench_training.clock(torch.device("cuda"))
    bench_training.clock(torch.device("cpu"))
    assert synchronised == [torch.device("cuda")]


def test_a_tiny_run_on_the_cpu(capsys):
    bench_training.main(["--device", "cpu", "--width", "0.125", "--batch-size", "4", "--steps", "1", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "CPU," in out and "speed-up" in out
