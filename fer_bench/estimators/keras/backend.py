"""Keras, imported when a model is built, trained or loaded, without TensorFlow's C++ start-up lines.

Nothing in :mod:`fer_bench.estimators.keras` imports Keras or TensorFlow at import time, so that
``python -m fer_bench list`` stays fast; every use goes through :func:`import_keras`. ``import keras``
inside this package is absolute: it gets the Keras package, not this one.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

NATIVE_LOG_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
                              r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] )")
"""TensorFlow's C++ start-up lines (absl INFO/WARNING, e.g. "oneDNN custom operations are on"),
which absl writes before its log level is read, so that ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them."""


def import_keras():
    """Import and return Keras without TensorFlow's C++ start-up log lines, unless the user set their level.

    ``TF_CPP_MIN_LOG_LEVEL`` defaults to 2 (errors only). TensorFlow writes some
    lines through absl before reading it; on the first import, standard error
    (file descriptor 2) is captured and written back without the lines of
    :data:`NATIVE_LOG_NOISE`. With ``TF_CPP_MIN_LOG_LEVEL`` set by the user
    nothing is filtered.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not quiet:
        import keras

        return keras
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import keras
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not NATIVE_LOG_NOISE.match(line)))
    return keras
