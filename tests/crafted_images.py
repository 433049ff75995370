"""Image files built for tests of the image readers: decompression bombs and 16-bit faces."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bomb_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit grayscale PNG of ``width`` x ``height`` pixels that compresses to a few hundred KB.

    Built row block by row block, so the test never holds the decoded image
    (a 20000x20000 one is 400 MB as 8-bit pixels, 1.2 GB as BGR).
    """
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte "none", then the packed bits
    compressor = zlib.compressobj(1)
    block = row * 500
    data = b"".join(compressor.compress(block) for _ in range(height // 500))
    data += compressor.compress(row * (height % 500)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, grayscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def gradient16(side: int = 48) -> np.ndarray:
    """A 16-bit horizontal gradient 0..65535, ``uint16 (side, side)``."""
    return np.tile(np.linspace(0, 65535, side).round().astype(np.uint16), (side, 1))


def png_bytes(array: np.ndarray) -> bytes:
    """``array`` saved as a PNG by Pillow (uint16 becomes a 16-bit grayscale PNG)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()
