"""The stored runs the report's tests use serve the analyses too (:mod:`tests.report.conftest`)."""

from ..report.conftest import run_dir, smoke_runs  # noqa: F401 (fixtures)
