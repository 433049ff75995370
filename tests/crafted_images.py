"""Image files built for tests of the image readers: decompression bombs, 16-bit faces and a CK+-like folder."""

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


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG file that declares ``width x height`` pixels (one row of data): a decompression bomb's header."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
            + _chunk(b"IEND", b""))


def gradient16(side: int = 48) -> np.ndarray:
    """A 16-bit horizontal gradient 0..65535, ``uint16 (side, side)``."""
    return np.tile(np.linspace(0, 65535, side).round().astype(np.uint16), (side, 1))


def png_bytes(array: np.ndarray) -> bytes:
    """``array`` saved as a PNG by Pillow (uint16 becomes a 16-bit grayscale PNG)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


CK_PLUS_COUNTS = {"anger": 3, "contempt": 2, "happy": 4, "sadness": 2, "surprise": 1}


def write_ck_plus_like(root):
    """CK+-like folders: faces of varying size, RGB and grayscale, PNG and JPEG, one nested subject folder."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for folder, count in CK_PLUS_COUNTS.items():
        for i in range(count):
            size = (30 + 17 * i, 40 + 11 * i)
            mode, suffix = ("RGB", "jpg") if i % 2 else ("L", "png")
            shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
            path = root / folder / ("S005" if i == 2 else "") / f"face{i}.{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(path)
    (root / "README.txt").write_text("not an image")
    return root
