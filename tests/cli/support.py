"""Helpers of the command line's tests."""

import subprocess
import sys


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "fer_bench", *args], capture_output=True, text=True)


def one_error_line(err):
    """The single ``error:`` line of stderr (asserting there is exactly one)."""
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    return lines[0]
