"""Models out of a run: ONNX files with their cards, checked against the originals, and the cost of inference.

- :mod:`.onnx_export`: :func:`export_model`, a saved model as ``model.onnx`` and its card, moved into
  place only after the parity check; :func:`convert`, the ONNX writer of any exportable estimator;
- :mod:`.torch_onnx`, :mod:`.keras_onnx`, :mod:`.sklearn_onnx`: the writers of each framework;
- :mod:`.parity`: ONNX Runtime's probabilities against the original's, and the tolerances;
- :mod:`.card`: the card's TOML (format version 1);
- :mod:`.cost`: :func:`measure_run`, parameters, MACs, size, latency and throughput per model and runtime;
- :mod:`.onnx_macs`: multiply-accumulates per face counted on an ONNX graph;
- :mod:`.cost_file`: ``RUN_DIR/cost.json``, which the report reads.

The public API is re-exported here and imported on first use: the report reads
``cost.json`` without loading PyTorch, ONNX or TensorFlow.
"""

from .._lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "onnx_export": ("ExportRefused", "Exported", "convert", "export_model"),
    "parity": ("MAX_ABS_DIFFERENCE", "MIN_ARGMAX_AGREEMENT", "Parity", "ParityError"),
    "card": ("CARD_VERSION", "card_text"),
    "cost": ("measure_run",),
    "cost_file": ("COST_FILE", "CostRow", "CostTable", "read_cost", "write_cost"),
})
