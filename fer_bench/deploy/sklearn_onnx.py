"""A classical estimator as ONNX through skl2onnx, where every step of it has a converter; else one refusal line.

fer_bench's classical estimators are a feature step and a classifier
(:mod:`fer_bench.estimators.classical`). They are exported as the scikit-learn
objects they hold: pixels in [0, 1] (the card's range: :class:`FlattenPixels` adds
nothing), :class:`~sklearn.preprocessing.StandardScaler`, the
:class:`~sklearn.decomposition.PCA` inside :class:`CappedPCA`, and a liblinear SVM
(:class:`~sklearn.multiclass.OneVsRestClassifier` of :class:`~sklearn.svm.LinearSVC`,
converted as the one multi-class ``LinearSVC`` of the same coefficients: its raw scores,
as logits) or k-nearest neighbours (vote shares). HOG, the visual words of BoVW, the
one-vs-one pairs of fer_bench's libsvm SVMs and the Newton solver's SVM have no
converter: exporting them is refused, naming the step. Any other scikit-learn estimator
or pipeline (a plugin's) is converted as it is, or refused the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

LAYOUT = "nchw"
OPSETS = {"": 17, "ai.onnx.ml": 3}
"""The ONNX opsets written (ONNX Runtime 1.18 and later run them)."""
PIXELS = 48 * 48


class NoConverterError(ValueError):
    """A step of the estimator has no ONNX converter; the message names it."""


def sklearn_steps(estimator) -> list[tuple[str, object]]:
    """The scikit-learn objects that compute the estimator's scores from pixel rows in [0, 1], as (name, object).

    Raises
    ------
    NoConverterError
        Naming the first step that is fer_bench's own computation with no converter.
    """
    from ..estimators.classical.features import CappedPCA, FlattenPixels
    from ..estimators.classical.knn import GridSearchKNN
    from ..estimators.classical.svm import PixelSVC

    kind = type(estimator).__name__
    if isinstance(estimator, (PixelSVC, GridSearchKNN)):
        steps = []
        for name, step in estimator.features_.steps:
            if isinstance(step, CappedPCA):
                steps.append((name, step.pca_))
            elif not isinstance(step, FlattenPixels):  # pixels in [0, 1] are the card's input
                steps.append((name, step))
        if isinstance(estimator, GridSearchKNN):
            return steps + [("knn", estimator.best_estimator_)]
        if not hasattr(estimator, "model_"):
            raise NoConverterError(f"{kind}: its step 'svm' (fer_bench's one-vs-one {estimator.kernel}-kernel SVM, "
                                   f"solver={estimator.solver!r}) has no ONNX converter")
        return steps + [("svm", one_linear_svc(estimator.model_))]
    if type(estimator).__module__.startswith("fer_bench."):
        raise NoConverterError(f"{kind}: fer_bench's own estimator (its features and classifier) has no ONNX converter")
    if isinstance(estimator, Pipeline):
        return list(estimator.steps)
    return [(kind, estimator)]


def one_linear_svc(model):
    """A :class:`~sklearn.multiclass.OneVsRestClassifier` of k binary :class:`~sklearn.svm.LinearSVC` (k > 2) as the
    one multi-class ``LinearSVC`` of the same coefficients, whose converter gives its raw scores; any other model
    as it is (skl2onnx's one-vs-rest converter does not give a binary LinearSVC's raw scores)."""
    estimators = getattr(model, "estimators_", [])
    if not isinstance(model, OneVsRestClassifier) or len(estimators) < 3 or not all(
            type(binary) is LinearSVC for binary in estimators):
        return model
    single = LinearSVC()
    single.coef_ = np.vstack([binary.coef_ for binary in estimators])
    single.intercept_ = np.concatenate([binary.intercept_ for binary in estimators])
    single.classes_ = model.classes_
    single.n_features_in_ = single.coef_.shape[1]
    return single


def check_converters(steps: list[tuple[str, object]], owner: str) -> None:
    """Raise :class:`NoConverterError` naming the first step skl2onnx has no converter for."""
    from skl2onnx import supported_converters

    known = set(supported_converters(from_sklearn=True))
    for name, step in steps:
        if type(step).__name__ not in known or not type(step).__module__.startswith("sklearn."):
            raise NoConverterError(f"{owner}: its step {name!r} ({type(step).__module__}.{type(step).__name__}) "
                                   "has no ONNX converter")


def export_onnx(estimator, path: Path) -> str:
    """Write the estimator to ``path`` as ONNX: input ``faces`` float32 (batch, 1, 48, 48) in [0, 1], one output
    (batch, k): scores (``logits``) of a classifier without ``predict_proba``, else ``probabilities``.

    Returns
    -------
    str
        The output's kind, ``"logits"`` or ``"probabilities"``.

    Raises
    ------
    NoConverterError
        If a step has no converter (naming it).
    ImportError
        If skl2onnx is not installed.
    """
    import onnx
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    steps = sklearn_steps(estimator)
    check_converters(steps, type(estimator).__name__)
    final = steps[-1][1]
    scores = not callable(getattr(final, "predict_proba", None))  # then the converter's "probabilities" are scores
    options = {id(final): {"raw_scores": True} if scores else {"zipmap": False}}
    model = convert_sklearn(Pipeline(steps) if len(steps) > 1 else final,
                            initial_types=[("rows", FloatTensorType([None, PIXELS]))], options=options,
                            target_opset=OPSETS)
    graph = model.graph
    flatten = onnx.helper.make_node("Flatten", ["faces"], ["rows"], axis=1, name="faces_to_rows")
    nodes = [flatten, *graph.node]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.input[:]
    graph.input.append(onnx.helper.make_tensor_value_info("faces", onnx.TensorProto.FLOAT, ["batch", 1, 48, 48]))
    kept = [output for output in graph.output if output.name == "probabilities"]  # the label output is left out
    del graph.output[:]
    graph.output.extend(kept)
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return "logits" if scores else "probabilities"
