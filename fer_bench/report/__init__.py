"""The self-contained HTML report of a run, rebuilt from the results store alone.

Imports neither PyTorch nor TensorFlow, so ``fer_bench report RUN_DIR`` takes seconds.
"""

from .render import render_report

__all__ = ["render_report"]
