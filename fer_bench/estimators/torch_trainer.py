"""Fast training of the PyTorch networks of :mod:`fer_bench.estimators.torch_nets`.

:class:`TorchClassifier` runs the seeds' recipe by default: Adam, a one-cycle
learning rate peaking at 0.008 (stepped per batch), batches of 256, 20 epochs,
random horizontal flips and random 48x48 crops of the face padded by 4 pixels.
Options cover the published FER-2013 recipes: AdamW, label smoothing, early
stopping on PublicTest, training on smaller random crops with ten-crop testing,
flip testing, and faces upsampled to a network's input size (DDAMFN's 112x112).

For speed the whole training set stays one ``uint8`` tensor on the device (the
GPU when there is one); each batch is indexed, converted to float and augmented
as a whole (a vectorised flip and a gather of shifted windows, no per-image
Python loop), in channels-last memory format and, on CUDA and on CPUs with
native bf16 arithmetic, under bf16 autocast (fp16 with loss scaling on GPUs
without bf16).

This module imports PyTorch at import time, and so holds the torch-backed layer
classes of the networks (:class:`Residual`, :class:`Scale`, :class:`FeatEx`);
``torch_nets`` imports it only when an estimator or a network is built.
"""

from __future__ import annotations

import functools
import pickle
import time
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d
from torch import nn
from tqdm.auto import tqdm

from ..timing import synchronize_device
from ._input import IMAGE_SIZE, as_faces, encode_labels
from .persistence import read_config, write_config
from .torch_nets import build_network

CROP_PADDING = 4
"""Pixels of reflection padding around a face before its random 48x48 crop."""

EVAL_BATCH_SIZE = 256
"""Images (faces times test-time views) per forward pass when predicting; memory only, results do not depend on it."""

TTA_VIEWS: dict[str, int] = {"none": 1, "flip": 2, "ten_crop": 10}
"""Test-time augmentation and its views per face: none, the mean with the mirror image, or the mean of ten crops."""

PRECISIONS: tuple[str, ...] = ("auto", "fp32")
"""``auto``: bf16 autocast on CUDA and on CPUs with native bf16 arithmetic; ``fp32``: float32 everywhere."""

OPTIMIZERS: tuple[str, ...] = ("adam", "adamw")
"""Adam with L2 ``weight_decay`` (the seeds') or AdamW with decoupled weight decay."""


class Residual(nn.Module):
    """``x + body(x)``, the body being ``layers`` in order (Myrtle.ai's residual block)."""

    def __init__(self, *layers: nn.Module):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class FeatEx(nn.Module):
    """DeXpression's Parallel Feature Extraction block (Burkert et al., 2015).

    Two paths over the same input, concatenated along channels: a 1x1
    convolution (``reduce`` channels) then a 3x3 convolution (``wide``
    channels), and a 3x3 max pooling (stride 1) then a 1x1 convolution
    (``pooled`` channels); every convolution keeps height and width and is
    followed by BatchNorm2d (not in the paper, see
    :func:`~fer_bench.estimators.torch_nets.dexpression`) and ReLU.

    Parameters
    ----------
    c_in, reduce, wide, pooled : int
        Channels of the input, of the 1x1 reduction, of the 3x3 convolution and of the pooled path.
        The output has ``wide + pooled`` channels.
    """

    def __init__(self, c_in: int, reduce: int, wide: int, pooled: int):
        super().__init__()
        self.convolution = nn.Sequential(nn.Conv2d(c_in, reduce, 1), nn.BatchNorm2d(reduce), nn.ReLU(inplace=True),
                                         nn.Conv2d(reduce, wide, 3, padding=1), nn.BatchNorm2d(wide), nn.ReLU(inplace=True))
        self.pooling = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(c_in, pooled, 1),
                                     nn.BatchNorm2d(pooled), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.convolution(x), self.pooling(x)], dim=1)


class Scale(nn.Module):
    """Multiply by a fixed ``factor`` (Myrtle.ai's 0.125 on ResNet-9's logits)."""

    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor

    def extra_repr(self) -> str:
        return f"factor={self.factor}"


def flip_where(images: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mirror left-right the images where ``mask`` is True.

    Parameters
    ----------
    images : Tensor of shape (n, c, h, w)
    mask : bool Tensor of shape (n,)

    Returns
    -------
    Tensor of the shape, dtype and device of ``images`` (a new tensor).
    """
    return torch.where(mask[:, None, None, None], images.flip(-1), images)


def crops_at(images: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor, size: int) -> torch.Tensor:
    """``size x size`` windows of the images at per-image offsets ``(dy, dx)`` (top-left corners).

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w)
    dy, dx : int64 Tensor of shape (n,)
        Offsets in ``0 .. h - size`` and ``0 .. w - size``.
    size : int
        Side of the windows, at most ``min(h, w)``.

    Returns
    -------
    Tensor of shape (n, c, size, size), dtype and device of ``images``.
    """
    windows = images.unfold(2, size, 1).unfold(3, size, 1)  # a view: (n, c, h - size + 1, w - size + 1, size, size)
    return windows[torch.arange(len(images), device=images.device), :, dy, dx]  # gathered: (n, c, size, size)


def shifted_crops(images: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor,
                  padding: int = CROP_PADDING) -> torch.Tensor:
    """``h x w`` windows of the images reflection-padded by ``padding``, at offsets ``(dy, dx)``.

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w), h == w
    dy, dx : int64 Tensor of shape (n,)
        Offsets into the padded image, in ``0 .. 2 * padding``; ``padding`` is no shift.
    padding : int
        Pixels added on each side, less than ``h`` and ``w``.

    Returns
    -------
    Tensor of the shape, dtype and device of ``images``.
    """
    padded = F.pad(images, (padding,) * 4, mode="reflect")
    return crops_at(padded, dy, dx, images.shape[-1])


def augment(images: torch.Tensor, generator: torch.Generator, padding: int = CROP_PADDING,
            crop_size: int | None = None) -> torch.Tensor:
    """Random horizontal flip (probability 1/2) then random crop of a whole batch.

    Parameters
    ----------
    images : float Tensor of shape (n, c, h, w), h == w
    generator : torch.Generator
        On the device of ``images``; the only source of randomness.
    padding : int
        Reflection padding of the crop when ``crop_size`` is None or ``h``;
        shifts are then uniform in ``-padding .. padding``.
    crop_size : int or None
        Side of a random crop inside the unpadded image (offsets uniform in
        ``0 .. h - crop_size``), as ten-crop testing needs; None or ``h`` keeps the size.

    Returns
    -------
    Tensor of shape (n, c, s, s) with s = ``crop_size`` or ``h``; dtype and device of ``images``.
    """
    n, device, side = len(images), images.device, images.shape[-1]
    flipped = flip_where(images, torch.rand(n, generator=generator, device=device) < 0.5)
    if crop_size is None or crop_size == side:
        dy, dx = torch.randint(0, 2 * padding + 1, (2, n), generator=generator, device=device)
        return shifted_crops(flipped, dy, dx, padding)
    dy, dx = torch.randint(0, side - crop_size + 1, (2, n), generator=generator, device=device)
    return crops_at(flipped, dy, dx, crop_size)


def centre_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """The central ``size x size`` window of each image (a view; rounded towards the top left)."""
    top, left = (images.shape[-2] - size) // 2, (images.shape[-1] - size) // 2
    return images[..., top:top + size, left:left + size]


def ten_crops(images: torch.Tensor, size: int) -> torch.Tensor:
    """The ten crops of ten-crop testing: four corners and the centre, and their mirrors.

    Parameters
    ----------
    images : Tensor of shape (n, c, h, w)
    size : int
        Side of the crops, at most ``min(h, w)``.

    Returns
    -------
    Tensor of shape (10, n, c, size, size): top-left, top-right, bottom-left,
    bottom-right and centre crops, then the same five mirrored left-right.
    """
    h, w = images.shape[-2:]
    corners = [images[..., top:top + size, left:left + size] for top in (0, h - size) for left in (0, w - size)]
    five = torch.stack([*corners, centre_crop(images, size)])
    return torch.cat([five, five.flip(-1)])


def to_images(faces: torch.Tensor) -> torch.Tensor:
    """uint8 faces (n, 48, 48) -> float32 network input (n, 1, 48, 48) in [0, 1], same device."""
    return faces.unsqueeze(1).float().div_(255.0)


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


def _autocast(device: torch.device, precision: str = "auto") -> AbstractContextManager:
    """Autocast for ``precision``: with ``auto``, bf16 (fp16 where bf16 is unsupported) on CUDA
    and bf16 on CPUs with native bf16; disabled otherwise and with ``fp32``."""
    if precision == "auto" and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    if precision == "auto" and device.type == "cpu" and native_bf16_cpu():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return torch.autocast(device.type, enabled=False)


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """A :mod:`~fer_bench.estimators.torch_nets` network trained with the seeds' recipe or a variant.

    Adam with L2 ``weight_decay`` (or AdamW), ``OneCycleLR`` up to ``max_lr`` and
    down over ``epochs * ceil(n / batch_size)`` steps, cross-entropy with optional
    label smoothing (plus the network's own auxiliary loss, e.g. DDAMFN's
    attention loss), pixels scaled to [0, 1], random horizontal flip and random
    crop as augmentation: a 48x48 crop of the face reflection-padded by 4, or,
    with ``crop_size`` below 48, a random ``crop_size`` crop inside the face (the
    ten-crop recipe of published FER-2013 results, e.g. Khaireddin and Chen
    2021, 40x40 crops). With validation data (PublicTest) the weights of the
    epoch with the best PublicTest accuracy are kept, and ``patience`` stops
    training early; PrivateTest is never seen in ``fit``.

    On CPU with an integer ``random_state`` two fits give identical weights and
    predictions (initial weights, shuffling and augmentation all come from it).

    Parameters
    ----------
    architecture : str
        A name of :data:`~fer_bench.estimators.torch_nets.ARCHITECTURES`.
    epochs : int
        Passes over the training faces, at least 1 (the one-cycle schedule spans them all).
    batch_size : int
        Faces per optimiser step (the last batch of an epoch may be smaller).
    max_lr : float
        Peak learning rate of the one-cycle schedule.
    weight_decay : float
        Adam's L2 penalty, or AdamW's decoupled decay.
    width : float
        Channel multiplier of the network (1.0 is the published layout).
    label_smoothing : float
        Of the cross-entropy, in [0, 1).
    augment : bool
        Random flip and crop of training faces.
    tta : {"none", "flip", "ten_crop"}
        Test-time augmentation: predict the face (its centre crop when
        ``crop_size < 48``), the mean probabilities of the face and its mirror
        image, or the mean over the ten crops of :func:`ten_crops`.
    crop_size : int
        Side of the crops the network sees, 48 (whole faces) or less (random
        crops in training, centre or ten crops at test time).
    input_size : int or None
        Side the (cropped) faces are resized to, bilinearly, before the network
        (DDAMFN's 112); None feeds them as they are.
    optimizer : {"adam", "adamw"}
    patience : int or None
        Stop when PublicTest accuracy has not improved for this many epochs
        (needs validation data); None trains all ``epochs``.
    precision : {"auto", "fp32"}
        ``auto``: bf16 autocast (weights and the loss stay float32) on CUDA
        (fp16 with loss scaling where bf16 is unsupported) and on CPUs with
        native bf16 arithmetic (AVX512-BF16, AMX), float32 elsewhere;
        ``fp32``: float32 everywhere.
    device : str
        ``"auto"`` (CUDA when available, else CPU) or a torch device string.
    channels_last : bool
        Channels-last memory format for the network and its inputs.
    compile : bool
        Train through ``torch.compile`` (prediction runs eagerly).
    random_state : int or None
        Seed of initial weights, shuffling and augmentation; None draws one.
    verbose : bool
        Progress bar over batches and one line per epoch with images/s.

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
        Sorted labels seen in ``fit``.
    model_ : torch.nn.Module
        The trained network, in eval mode, on ``device_``.
    history_ : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss`` (mean training loss,
        auxiliary loss included), ``public_accuracy`` (None without validation
        data; of one view, the face or its centre crop, without ``tta``, so that
        scoring every epoch stays cheap), ``seconds`` (training wall time, device-synchronised,
        evaluation excluded), ``images_per_second``.
    best_epoch_ : int
        Epoch whose weights were kept (the last one trained without validation data).
    n_params_ : int
        Parameters (weights) of the network.
    device_ : str
        Where the network lives, e.g. ``"cpu"`` or ``"cuda"``.
    """

    def __init__(self, architecture: str = "resnet9", epochs: int = 20, batch_size: int = 256,
                 max_lr: float = 0.008, weight_decay: float = 1e-4, width: float = 1.0,
                 label_smoothing: float = 0.0, augment: bool = True, tta: str = "none",
                 crop_size: int = IMAGE_SIZE, input_size: int | None = None, optimizer: str = "adam",
                 patience: int | None = None, precision: str = "auto", device: str = "auto", channels_last: bool = True,
                 compile: bool = False, random_state: int | None = 0, verbose: bool = False):
        self.architecture = architecture
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_lr = max_lr
        self.weight_decay = weight_decay
        self.width = width
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.tta = tta
        self.crop_size = crop_size
        self.input_size = input_size
        self.optimizer = optimizer
        self.patience = patience
        self.precision = precision
        self.device = device
        self.channels_last = channels_last
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    def _check_settings(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs={self.epochs} and batch_size={self.batch_size} must be at least 1")
        if self.tta not in TTA_VIEWS:
            raise ValueError(f"tta={self.tta!r}: expected one of {', '.join(TTA_VIEWS)}")
        if not 8 <= self.crop_size <= IMAGE_SIZE:
            raise ValueError(f"crop_size={self.crop_size}: expected 8 .. {IMAGE_SIZE}")
        if self.tta == "ten_crop" and self.crop_size == IMAGE_SIZE:
            raise ValueError(f"tta='ten_crop' needs crop_size below {IMAGE_SIZE} (e.g. 40 or 44): "
                             "the network must be trained on crops of the size it is tested on")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.optimizer!r}: expected one of {', '.join(OPTIMIZERS)}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r}: expected one of {', '.join(PRECISIONS)}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience={self.patience}: expected None or at least 1")

    def _network_side(self) -> int:
        """Height and width of the network's input."""
        return self.input_size or self.crop_size

    def _torch_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def _place(self, network: nn.Module, device: torch.device) -> nn.Module:
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        return network.to(device, memory_format=memory_format)

    def _network_input(self, images: torch.Tensor) -> torch.Tensor:
        """(Cropped) float images -> the network's input: resized to ``input_size``, in the memory format."""
        if self.input_size is not None and self.input_size != images.shape[-1]:
            images = F.interpolate(images, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        return images.contiguous(memory_format=torch.channels_last) if self.channels_last else images.contiguous()

    def _optimizer(self, network: nn.Module) -> torch.optim.Optimizer:
        kind = torch.optim.AdamW if self.optimizer == "adamw" else torch.optim.Adam
        return kind(network.parameters(), lr=self.max_lr, weight_decay=self.weight_decay)

    def fit(self, X, y, validation_data=None) -> "TorchClassifier":
        """Train on faces ``X`` with labels ``y``, selecting the epoch on ``validation_data``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)
            Pixels in 0..255, ideally ``uint8``.
        y : array of shape (n,) or (n, 1)
            Class labels of any kind (integers, strings); ``classes_`` maps them to outputs.
        validation_data : tuple (X_val, y_val) or None
            PublicTest faces and labels, scored after every epoch.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If X or y are malformed (see :func:`as_faces` and :func:`encode_labels`),
            ``epochs`` or ``batch_size`` is below 1, ``tta``,
            ``crop_size``, ``optimizer`` or ``patience`` is invalid, or
            ``architecture`` is unknown.
        """
        faces = as_faces(X)
        classes, y_index = encode_labels(y, len(faces))
        self._check_settings()
        if validation_data is not None:
            val_faces = as_faces(validation_data[0])
            val_labels = column_or_1d(validation_data[1], warn=False)
        device = self._torch_device()
        seed = self.random_state if self.random_state is not None else int(np.random.SeedSequence().generate_state(1)[0])

        with torch.random.fork_rng(devices=[]):  # seeded initial weights, global RNG left as found
            torch.manual_seed(seed)
            network = self._place(build_network(self.architecture, len(classes), self.width, self._network_side()), device)
        generator = torch.Generator(device=device).manual_seed(seed)
        train_faces = torch.from_numpy(faces).to(device)  # the whole set, uint8, resident
        train_labels = torch.from_numpy(y_index.astype(np.int64)).to(device)
        n = len(faces)
        batch_size = min(self.batch_size, n)
        steps_per_epoch = -(-n // batch_size)
        optimizer = self._optimizer(network)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=self.max_lr,
                                                       total_steps=self.epochs * steps_per_epoch)
        autocast = _autocast(device, self.precision)
        fp16 = self.precision == "auto" and device.type == "cuda" and not torch.cuda.is_bf16_supported()
        scaler = torch.amp.GradScaler(device.type, enabled=fp16)  # loss scaling for fp16 only
        forward = torch.compile(network) if self.compile else network

        history, best_accuracy, best_state, best_epoch = [], -1.0, None, None
        for epoch in range(1, self.epochs + 1):
            network.train()
            synchronize_device()
            start = time.perf_counter()
            order = torch.randperm(n, generator=generator, device=device)
            loss_sum = torch.zeros((), device=device)
            batches = tqdm(range(0, n, batch_size), desc=f"{self.architecture} epoch {epoch}/{self.epochs}",
                           unit="batch", leave=False, disable=not self.verbose)
            for first in batches:
                index = order[first:first + batch_size]
                images = to_images(train_faces[index])
                if self.augment:
                    images = augment(images, generator, crop_size=self.crop_size)
                elif self.crop_size != IMAGE_SIZE:
                    images = centre_crop(images, self.crop_size)
                with autocast:
                    output = forward(self._network_input(images))
                logits, auxiliary = output if isinstance(output, tuple) else (output, None)
                loss = F.cross_entropy(logits.float(), train_labels[index], label_smoothing=self.label_smoothing)
                if auxiliary is not None:  # a network's own loss term, already weighted (DDAMFN's attention loss)
                    loss = loss + auxiliary.float()
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                schedule.step()
                loss_sum += loss.detach() * len(index)
            train_loss = loss_sum.item() / n  # .item() waits for the device
            synchronize_device()
            seconds = time.perf_counter() - start

            public_accuracy = None
            if validation_data is not None:
                network.eval()
                proba = self._proba(network, device, val_faces, tta="none")  # one view: cheap enough for every epoch
                public_accuracy = float(np.mean(classes[proba.argmax(axis=1)] == val_labels))
                if public_accuracy > best_accuracy:
                    best_accuracy, best_epoch = public_accuracy, epoch
                    best_state = {key: value.detach().clone() for key, value in network.state_dict().items()}
            history.append({"epoch": epoch, "train_loss": train_loss, "public_accuracy": public_accuracy,
                            "seconds": seconds, "images_per_second": n / seconds})
            if self.verbose:
                public = "" if public_accuracy is None else f", PublicTest accuracy {public_accuracy:.4f}"
                tqdm.write(f"{self.architecture} epoch {epoch}/{self.epochs}: loss {train_loss:.4f}{public}, "
                           f"{seconds:.1f} s, {n / seconds:.0f} images/s")
            if self.patience is not None and best_epoch is not None and epoch - best_epoch >= self.patience:
                break  # early stopping: no PublicTest improvement for `patience` epochs

        if best_state is not None:
            network.load_state_dict(best_state)
        self._set_fitted(network, device, classes, history, best_epoch or len(history))
        return self

    def _set_fitted(self, network: nn.Module, device: torch.device, classes: np.ndarray,
                    history: list[dict], best_epoch: int) -> None:
        self.model_ = network.eval()
        self.device_ = str(device)
        self.classes_ = classes
        self.n_features_in_ = IMAGE_SIZE * IMAGE_SIZE
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.n_params_ = sum(parameter.numel() for parameter in network.parameters())

    def _views(self, images: torch.Tensor, tta: str) -> torch.Tensor:
        """The test-time views of float images (n, 1, 48, 48): (v, n, 1, s, s), s = ``crop_size``."""
        if tta == "ten_crop":
            return ten_crops(images, self.crop_size)
        face = centre_crop(images, self.crop_size)
        return torch.stack([face, face.flip(-1)]) if tta == "flip" else face[None]

    def _proba(self, network: nn.Module, device: torch.device, faces: np.ndarray, tta: str | None = None) -> np.ndarray:
        """Softmax outputs of ``network`` (in eval mode) on uint8 faces, averaged over the views of
        ``tta`` (default: the ``tta`` parameter): float64 (n, k)."""
        tta = self.tta if tta is None else tta
        chunks, step = [], max(1, EVAL_BATCH_SIZE // {"none": 1, "flip": 2, "ten_crop": 10}[tta])
        with torch.inference_mode(), _autocast(device, self.precision):
            for first in range(0, len(faces), step):
                views = self._views(to_images(torch.from_numpy(faces[first:first + step]).to(device)), tta)
                v, n = views.shape[:2]
                logits = network(self._network_input(views.flatten(0, 1)))
                chunks.append(logits.float().softmax(dim=1).unflatten(0, (v, n)).mean(dim=0).cpu())
        return torch.cat(chunks).numpy().astype(np.float64)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of faces X, columns ordered as ``classes_``.

        Parameters
        ----------
        X : array of shape (n, 48, 48) or (n, 2304)

        Returns
        -------
        ndarray of float64 of shape (n, k); rows sum to 1.
        """
        check_is_fitted(self)
        return self._proba(self.model_, torch.device(self.device_), as_faces(X))

    def predict(self, X) -> np.ndarray:
        """Most probable label of each face, shape (n,), of the labels' type (``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def save(self, directory) -> None:
        """Write ``model.pt`` (the state dict, CPU tensors) and ``config.json`` to ``directory``.

        ``config.json`` holds ``params``, ``architecture``, ``classes``,
        ``n_params``, ``best_epoch`` and ``history``. The directory is created
        if needed.
        """
        check_is_fitted(self)
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        torch.save({key: value.cpu() for key, value in self.model_.state_dict().items()}, directory / "model.pt")
        config = {"params": self.get_params(deep=False), "architecture": self.architecture,
                  "classes": self.classes_.tolist(), "n_params": self.n_params_,
                  "best_epoch": self.best_epoch_, "history": self.history_}
        write_config(directory, config)

    @classmethod
    def load(cls, directory, device: str | None = None) -> "TorchClassifier":
        """Rebuild a classifier written by :meth:`save`, ready to predict.

        The state dict is read with ``torch.load(..., weights_only=True)``: tensors only, no pickled code.

        Parameters
        ----------
        directory : path
        device : str or None
            Overrides the saved ``device`` parameter (e.g. ``"cpu"`` for a model trained with ``"cuda"``).

        Raises
        ------
        FileNotFoundError
            If ``model.pt`` or ``config.json`` is missing.
        ValueError
            If ``model.pt`` is truncated or corrupt, or its weights are not those of the
            network ``config.json`` describes (naming the file).
        """
        directory = Path(directory)
        config = read_config(directory)
        params = dict(config["params"], **({} if device is None else {"device": device}))
        classifier = cls(**params)
        classes = np.asarray(config["classes"])
        network = build_network(classifier.architecture, len(classes), classifier.width, classifier._network_side())
        weights = directory / "model.pt"
        if not weights.is_file():
            raise FileNotFoundError(f"{weights}: no such file; the saved network has no weights")
        try:
            state = torch.load(weights, map_location="cpu", weights_only=True)
        except (RuntimeError, EOFError, pickle.UnpicklingError) as error:
            raise ValueError(f"{weights}: not a readable PyTorch state dict, truncated or corrupt "
                             f"({str(error).splitlines()[0].split('. ')[0]})") from error
        try:
            network.load_state_dict(state)
        except (RuntimeError, TypeError, AttributeError) as error:
            raise ValueError(f"{weights}: the weights do not fit the {classifier.architecture} network of "
                             f"{len(classes)} classes that config.json describes (another architecture?)") from error
        torch_device = classifier._torch_device()
        classifier._set_fitted(classifier._place(network, torch_device), torch_device, classes,
                               config["history"], config["best_epoch"])
        return classifier
