"""The documented plugin example runs as written, so the documentation cannot rot; the README stays short
and opens with its two commands."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PLUGIN_PAGE = ROOT / "docs" / "estimators.md"  # "Writing an estimator plugin"


def plugin_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", PLUGIN_PAGE.read_text(), re.DOTALL)
    (block,) = [block for block in blocks if block.startswith("# hog_logreg.py")]
    return block


def test_documented_plugin_runs_as_written(tmp_path):
    plugin = tmp_path / "hog_logreg.py"
    plugin.write_text(plugin_example())
    run_dir = tmp_path / "run"
    result = subprocess.run([sys.executable, "-m", "fer_bench", "run", "hog_logreg", "--plugin", str(plugin),
                             "--out", str(run_dir), "--quiet"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (record,) = json.loads((run_dir / "results.json").read_text())["records"]
    assert record["name"] == "hog_logreg" and record["status"] == "ok"
    assert record["metrics"]["accuracy"] > 1 / 7


def test_readme_opens_with_the_two_commands():
    text = README.read_text()
    commands = re.search(r"```bash\n(.*?)```", text, re.DOTALL).group(1)
    assert "python -m fer_bench run all" in commands
    assert "python -m pytest" in commands


def test_readme_stays_under_10_kb():
    assert len(README.read_bytes()) < 10_000, "move the new text to a page under docs/ and link it"
