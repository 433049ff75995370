"""The self-contained HTML report of a run, rebuilt from the results store alone.

Imports neither PyTorch nor TensorFlow, so ``fer_bench report RUN_DIR`` takes seconds.
"""

from .compare import compare_runs, format_comparison, write_comparison_html
from .render import render_report

__all__ = ["compare_runs", "format_comparison", "render_report", "write_comparison_html"]
