"""A :class:`~fer_bench.estimators.torch.classifier.TorchClassifier` as one float32 graph: ONNX by ``torch.onnx.export``.

The graph is the classifier's ``predict_proba`` on faces scaled to [0, 1]: its crop,
its resize to the network's input (DDAMFN's 112x112, bilinear as in training), its
test-time augmentation (the mean of the views' softmax) and a snapshot ensemble's
mean are all inside it, so that the card's ``[input]`` is the plain 48x48 face.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..estimators.torch.augment import TTA_VIEWS, tta_views
from ..estimators.torch.trainer import Recipe, network_input

LAYOUT = "nchw"
OPSET = 18
"""The ONNX opset written (ONNX Runtime 1.18 and later run it)."""


class FacePredictor(nn.Module):
    """``float32 (n, 1, 48, 48)`` faces in [0, 1] -> ``float32 (n, k)`` probabilities, as the classifier predicts.

    Parameters
    ----------
    network : nn.Module
        The classifier's ``model_`` (in eval mode), logits (n, k) of its input.
    recipe : Recipe
        Its crop size, input size and memory format.
    tta : str
        A key of :data:`~fer_bench.estimators.torch.augment.TTA_VIEWS`.
    """

    def __init__(self, network: nn.Module, recipe: Recipe, tta: str):
        super().__init__()
        self.network = network
        self.recipe = recipe
        self.tta = tta

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        views = tta_views(images, self.tta, self.recipe.crop_size)  # (v, n, 1, crop, crop)
        count = TTA_VIEWS[self.tta]
        logits = self.network(network_input(views.flatten(0, 1), self.recipe))
        return logits.float().softmax(dim=1).unflatten(0, (count, -1)).mean(dim=0)


def on_cpu_in_float32(estimator) -> None:
    """Move a fitted classifier to the CPU in float32 (no autocast), in place, so that its ``predict_proba`` is the
    float32 computation an exported graph makes."""
    estimator.set_params(device="cpu", precision="fp32")
    estimator.model_ = estimator.model_.to("cpu").float().eval()
    estimator.device_ = "cpu"


def face_predictor(estimator) -> FacePredictor:
    """The :class:`FacePredictor` of a fitted classifier (moved to the CPU in float32 by :func:`on_cpu_in_float32`)."""
    on_cpu_in_float32(estimator)
    return FacePredictor(estimator.model_, Recipe.of(estimator), estimator.tta).eval()


def export_onnx(estimator, path: Path) -> None:
    """Write the classifier's :class:`FacePredictor` to ``path`` as ONNX (see :func:`export_predictor`).

    Raises
    ------
    ImportError
        If ``onnx`` or ``onnxscript`` (which ``torch.onnx`` needs) is not installed.
    """
    export_predictor(face_predictor(estimator), path)


def export_predictor(predictor: nn.Module, path: Path) -> None:
    """Write a float32 module of faces (n, 1, 48, 48) to ``path`` as ONNX with a dynamic batch axis.

    Input ``faces`` float32 (batch, 1, 48, 48), output ``probabilities`` float32 (batch, k); one file
    with the weights inside it, opset :data:`OPSET`, by the ``torch.export`` (dynamo) exporter.

    Raises
    ------
    ImportError
        If ``onnx`` or ``onnxscript`` is not installed.
    """
    example = torch.rand(2, 1, 48, 48)
    with torch.no_grad():
        program = torch.onnx.export(predictor, (example,), input_names=["faces"], output_names=["probabilities"],
                                    dynamic_shapes=({0: torch.export.Dim("batch")},), opset_version=OPSET,
                                    dynamo=True, verbose=False)
    program.save(str(path), external_data=False)


def count_macs(predictor: nn.Module) -> int:
    """Multiply-accumulates of one face through ``predictor``: half the FLOPs that
    :class:`torch.utils.flop_counter.FlopCounterMode` counts (convolutions and matrix products)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.inference_mode():
        predictor(torch.rand(1, 1, 48, 48))
    return counter.get_total_flops() // 2
