"""MTCNN face detector (P-Net, R-Net, O-Net) with the weights shipped in ``facenet-pytorch``.

Source: Zhang, Zhang, Li and Qiao, "Joint Face Detection and Alignment using
Multi-task Cascaded Convolutional Networks", IEEE SPL 2016. The layer names and
shapes follow facenet-pytorch's port of the original Caffe models, so its
``pnet.pt``, ``rnet.pt`` and ``onet.pt`` state dicts load as they are; only those
files are read (facenet-pytorch's own code needs torchvision and old pins), so
``pip install --no-deps facenet-pytorch`` is enough.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from ._opencv import import_cv2 as _cv2
from .channels import to_bgr

WEIGHTS_PACKAGE = "facenet_pytorch"


def weights_folder() -> Path:
    """Return facenet-pytorch's ``data/`` folder without importing the package.

    Raises
    ------
    ImportError
        If facenet-pytorch is not installed or its wheel lacks the weight files.
    """
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the mtcnn detector needs the weights of facenet-pytorch: "
                          "pip install --no-deps facenet-pytorch")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    missing = [name for name in ("pnet.pt", "rnet.pt", "onet.pt") if not (folder / name).is_file()]
    if missing:
        raise ImportError(f"{folder}: facenet-pytorch's weight files {', '.join(missing)} are missing")
    return folder


def _networks():
    """Build P-Net, R-Net and O-Net (module-level classes would import torch at import time)."""
    from torch import nn

    def conv(c_in, c_out, k, name, layers):
        layers[f"conv{name}"] = nn.Conv2d(c_in, c_out, kernel_size=k)
        layers[f"prelu{name}"] = nn.PReLU(c_out)

    class PNet(nn.Module):
        """12x12 proposal net, fully convolutional: (n, 3, h, w) -> box offsets (n, 4, h', w'), face prob (n, h', w')."""

        def __init__(self):
            super().__init__()
            layers = {}
            conv(3, 10, 3, "1", layers)
            layers["pool1"] = nn.MaxPool2d(2, 2, ceil_mode=True)
            conv(10, 16, 3, "2", layers)
            conv(16, 32, 3, "3", layers)
            for key, layer in layers.items():
                self.add_module(key, layer)
            self.conv4_1 = nn.Conv2d(32, 2, kernel_size=1)
            self.conv4_2 = nn.Conv2d(32, 4, kernel_size=1)

        def forward(self, x):
            x = self.prelu3(self.conv3(self.prelu2(self.conv2(self.pool1(self.prelu1(self.conv1(x)))))))
            return self.conv4_2(x), self.conv4_1(x).softmax(dim=1)[:, 1]

    class RNet(nn.Module):
        """24x24 refinement net: (n, 3, 24, 24) -> box offsets (n, 4), face prob (n,)."""

        def __init__(self):
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 28, 3), nn.PReLU(28)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(28, 48, 3), nn.PReLU(48)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3, self.prelu3 = nn.Conv2d(48, 64, 2), nn.PReLU(64)
            self.dense4, self.prelu4 = nn.Linear(576, 128), nn.PReLU(128)
            self.dense5_1, self.dense5_2 = nn.Linear(128, 2), nn.Linear(128, 4)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.prelu3(self.conv3(x)).permute(0, 3, 2, 1).flatten(1)  # Caffe's (w, h) order
            x = self.prelu4(self.dense4(x))
            return self.dense5_2(x), self.dense5_1(x).softmax(dim=1)[:, 1]

    class ONet(nn.Module):
        """48x48 output net: (n, 3, 48, 48) -> box offsets (n, 4), face prob (n,) (landmarks unused)."""

        def __init__(self):
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 32, 3), nn.PReLU(32)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(32, 64, 3), nn.PReLU(64)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3, self.prelu3 = nn.Conv2d(64, 64, 3), nn.PReLU(64)
            self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv4, self.prelu4 = nn.Conv2d(64, 128, 2), nn.PReLU(128)
            self.dense5, self.prelu5 = nn.Linear(1152, 256), nn.PReLU(256)
            self.dense6_1, self.dense6_2, self.dense6_3 = nn.Linear(256, 2), nn.Linear(256, 4), nn.Linear(256, 10)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.pool3(self.prelu3(self.conv3(x)))
            x = self.prelu4(self.conv4(x)).permute(0, 3, 2, 1).flatten(1)
            x = self.prelu5(self.dense5(x))
            return self.dense6_2(x), self.dense6_1(x).softmax(dim=1)[:, 1]

    return PNet(), RNet(), ONet()


def _nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, by_min: bool = False) -> np.ndarray:
    """Greedy non-maximum suppression of ``x1, y1, x2, y2`` boxes; overlap over union (or over the smaller box)."""
    order = np.argsort(-scores, kind="stable")
    areas = (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)
    keep = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(best)
        width = np.maximum(0.0, np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0]) + 1)
        height = np.maximum(0.0, np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1]) + 1)
        overlap = width * height
        denominator = np.minimum(areas[best], areas[rest]) if by_min else areas[best] + areas[rest] - overlap
        order = rest[overlap / denominator <= threshold]
    return np.asarray(keep, dtype=np.int64)


def _square(boxes: np.ndarray) -> np.ndarray:
    """Grow ``x1, y1, x2, y2`` boxes to squares about their centres."""
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    out = boxes.copy()
    out[:, 0] = boxes[:, 0] + (boxes[:, 2] - boxes[:, 0] - side) / 2
    out[:, 1] = boxes[:, 1] + (boxes[:, 3] - boxes[:, 1] - side) / 2
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _refine(boxes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Apply regression ``offsets`` (fractions of the box's size) to ``x1, y1, x2, y2`` boxes."""
    size = np.stack([boxes[:, 2] - boxes[:, 0] + 1, boxes[:, 3] - boxes[:, 1] + 1] * 2, axis=1)
    return boxes + offsets * size


class MTCNNDetector:
    """Three-stage MTCNN face detector, on the CPU, one image at a time.

    Parameters
    ----------
    min_size : int
        Smallest face searched for, in pixels.
    thresholds : tuple of 3 floats
        Face-probability thresholds of P-Net, R-Net and O-Net (facenet-pytorch's defaults).
    pyramid_factor : float
        Ratio between successive image scales (< 1).

    Raises
    ------
    ImportError
        If facenet-pytorch (for its weight files) or torch is not installed.
    ValueError
        If ``min_size`` < 12 (P-Net's window) or ``pyramid_factor`` is not in (0, 1).
    """

    def __init__(self, min_size: int = 20, thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7),
                 pyramid_factor: float = 0.709):
        import torch

        if min_size < 12 or not 0 < pyramid_factor < 1:
            raise ValueError(f"mtcnn needs --min-size >= 12 and a pyramid factor in (0, 1), got {min_size}, {pyramid_factor}")
        self.min_size = min_size
        self.thresholds = tuple(thresholds)
        self.pyramid_factor = pyramid_factor
        folder = weights_folder()
        self._nets = _networks()
        for net, name in zip(self._nets, ("pnet.pt", "rnet.pt", "onet.pt")):
            net.load_state_dict(torch.load(folder / name, map_location="cpu", weights_only=True))
            net.eval()

    def _crops(self, rgb: np.ndarray, boxes: np.ndarray, size: int):
        """Cut ``boxes`` out of ``rgb`` (zero-padded outside it), resized to ``size``; normalized (n, 3, size, size)."""
        import torch

        cv2 = _cv2()
        height, width = rgb.shape[:2]
        crops = np.zeros((len(boxes), size, size, 3), dtype=np.float32)
        for index, (x1, y1, x2, y2) in enumerate(boxes.astype(np.int64)):
            box_w, box_h = x2 - x1 + 1, y2 - y1 + 1
            if box_w < 1 or box_h < 1:
                continue
            patch = np.zeros((box_h, box_w, 3), dtype=np.uint8)
            sx1, sy1, sx2, sy2 = max(x1, 0), max(y1, 0), min(x2 + 1, width), min(y2 + 1, height)
            if sx2 > sx1 and sy2 > sy1:
                patch[sy1 - y1:sy2 - y1, sx1 - x1:sx2 - x1] = rgb[sy1:sy2, sx1:sx2]
            crops[index] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)
        return torch.from_numpy((crops - 127.5) / 128.0).permute(0, 3, 1, 2)

    def _stage(self, net, rgb, boxes, size, threshold, nms):
        """Score and refine candidate ``boxes`` with R-Net or O-Net; keep those over ``threshold``, then NMS."""
        import torch

        with torch.inference_mode():
            offsets, probs = net(self._crops(rgb, boxes, size))
        keep = probs.numpy() > threshold
        boxes = _refine(boxes[keep], offsets.numpy()[keep])
        scores = probs.numpy()[keep]
        order = _nms(boxes, scores, 0.7, by_min=nms == "min")
        return boxes[order], scores[order]

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Return face boxes ``int64 (k, 4)`` as ``x, y, w, h``, most confident first."""
        import torch

        cv2 = _cv2()
        rgb = cv2.cvtColor(to_bgr(image), cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        pnet, rnet, onet = self._nets
        candidates = []
        scale = 12.0 / self.min_size
        while min(height, width) * scale >= 12:
            scaled = cv2.resize(rgb, (int(width * scale + 1), int(height * scale + 1)), interpolation=cv2.INTER_AREA)
            tensor = torch.from_numpy((scaled.astype(np.float32) - 127.5) / 128.0).permute(2, 0, 1)[None]
            with torch.inference_mode():
                offsets, probs = pnet(tensor)
            probs, offsets = probs[0].numpy(), offsets[0].numpy()
            rows, cols = np.nonzero(probs >= self.thresholds[0])
            if rows.size:
                # a P-Net cell at (row, col) sees a 12x12 window at stride 2 of the scaled image
                boxes = np.stack([np.floor((2 * cols + 1) / scale), np.floor((2 * rows + 1) / scale),
                                  np.floor((2 * cols + 12) / scale), np.floor((2 * rows + 12) / scale)], axis=1)
                scores = probs[rows, cols]
                keep = _nms(boxes, scores, 0.5)
                candidates.append((boxes[keep], scores[keep], offsets[:, rows, cols].T[keep]))
            scale *= self.pyramid_factor
        if not candidates:
            return np.zeros((0, 4), dtype=np.int64)
        boxes, scores, offsets = (np.concatenate(parts) for parts in zip(*candidates))
        keep = _nms(boxes, scores, 0.7)
        boxes = _square(_refine(boxes[keep], offsets[keep]))
        boxes, _ = self._stage(rnet, rgb, np.trunc(boxes), 24, self.thresholds[1], "union")
        if len(boxes):
            boxes, scores = self._stage(onet, rgb, np.trunc(_square(boxes)), 48, self.thresholds[2], "min")
        if not len(boxes):
            return np.zeros((0, 4), dtype=np.int64)
        x1, y1 = np.clip(boxes[:, 0], 0, width - 1), np.clip(boxes[:, 1], 0, height - 1)
        x2, y2 = np.clip(boxes[:, 2], 0, width - 1), np.clip(boxes[:, 3], 0, height - 1)
        return np.round(np.stack([x1, y1, x2 - x1 + 1, y2 - y1 + 1], axis=1)).astype(np.int64)
