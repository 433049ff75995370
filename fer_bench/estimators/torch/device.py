"""Where and in what precision a PyTorch network runs: the device, its memory format, autocast and loss scaling.

With ``precision="auto"`` the networks train and predict under bf16 autocast on
CUDA (fp16 with loss scaling on GPUs without bf16) and on CPUs with native bf16
arithmetic; weights and the loss stay float32.
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from pathlib import Path

import torch
from torch import nn

PRECISIONS: tuple[str, ...] = ("auto", "fp32")
"""``auto``: bf16 autocast on CUDA and on CPUs with native bf16 arithmetic; ``fp32``: float32 everywhere."""


def resolve_device(device: str) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; any other string as a torch device."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def place(network: nn.Module, device: torch.device, channels_last: bool) -> nn.Module:
    """Move ``network`` to ``device``, in channels-last memory format where ``channels_last``; returns it."""
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    return network.to(device, memory_format=memory_format)


@functools.cache
def native_bf16_cpu() -> bool:
    """Whether the CPU has native bf16 arithmetic (AVX512-BF16 or AMX flags in Linux's /proc/cpuinfo).

    Elsewhere (no /proc/cpuinfo) False: emulated bf16 would be slower than float32.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def autocast(device: torch.device, precision: str = "auto") -> AbstractContextManager:
    """Autocast for ``precision`` (one of :data:`PRECISIONS`): with ``auto``, bf16 (fp16 where bf16 is
    unsupported) on CUDA and bf16 on CPUs with native bf16; disabled otherwise and with ``fp32``."""
    if precision == "auto" and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    if precision == "auto" and device.type == "cpu" and native_bf16_cpu():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return torch.autocast(device.type, enabled=False)


def grad_scaler(device: torch.device, precision: str = "auto") -> torch.amp.GradScaler:
    """Loss scaling where :func:`autocast` runs in fp16 (CUDA without bf16); a pass-through scaler elsewhere."""
    fp16 = precision == "auto" and device.type == "cuda" and not torch.cuda.is_bf16_supported()
    return torch.amp.GradScaler(device.type, enabled=fp16)
