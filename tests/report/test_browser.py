"""The report as a browser shows it: headless Chromium (installed by ``.ci/run``
from Debian's ``chromium`` package) renders it offline without console errors,
and the screenshot is not blank."""

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from fer_bench.report import render_report

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (CI installs Debian's chromium)")


def _screenshot(page, tmp_path, size="1280,2000"):
    """Screenshot a local page; return (pixels as uint8 (h, w, 3), console lines)."""
    shot = tmp_path / "shot.png"
    completed = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", f"--window-size={size}", f"--screenshot={shot}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.is_file(), completed.stderr[-2000:]
    console = [line for line in completed.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    return np.asarray(Image.open(shot).convert("RGB")), console


def test_the_console_check_catches_a_script_error(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>throw new Error("planted")</script>')
    _, console = _screenshot(page, tmp_path, size="400,300")
    assert any("planted" in line for line in console)


def test_report_renders_offline_without_console_errors(run_dir, tmp_path):
    pixels, console = _screenshot(render_report(run_dir), tmp_path)
    assert console == []
    assert pixels.shape == (2000, 1280, 3)
    assert pixels.std() > 20  # text, tables and figures, not a blank page
    top = pixels[:400]
    assert (np.abs(top.astype(int) - [255, 235, 233]).sum(axis=2) < 12).mean() > 0.02  # the synthetic-data notice
