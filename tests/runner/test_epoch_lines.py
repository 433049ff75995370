"""A network's training can be watched: a line per epoch on output that is not a terminal, and in RUN_DIR/logs/."""

import subprocess
import sys

PROFILE = """
name = "tiny"
[data]
Training = 140
PublicTest = 70
PrivateTest = 70
[networks]
epochs = 3
batch_size = 32
width = 0.125
"""


def run(tmp_path, *extra, name="shallow_cnn", stream="stdout"):
    profile = tmp_path / "tiny.toml"
    profile.write_text(PROFILE)
    out = tmp_path / (("quiet" if extra else "loud") + name)
    result = subprocess.run([sys.executable, "-m", "fer_bench", "run", name, "--profile", str(profile),
                             "--out", str(out), "--save-models", "none", *extra],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return getattr(result, stream), (out / "logs" / f"{name}.log").read_text().splitlines()


def test_epoch_lines_reach_output_that_is_not_a_terminal_and_the_log_file(tmp_path):
    stdout, logged = run(tmp_path)
    lines = [line for line in stdout.splitlines() if line.startswith("shallow_cnn epoch ")]
    assert [line.split(":")[0] for line in lines] == [f"shallow_cnn epoch {i}/3" for i in (1, 2, 3)]
    assert all("PublicTest accuracy" in line and "images/s" in line and "left" in line for line in lines)
    assert [line.split(" ", 1)[1] for line in logged] == lines


def test_quiet_silences_the_lines_but_keeps_the_log(tmp_path):
    stdout, logged = run(tmp_path, "--quiet")
    assert "epoch" not in stdout and len(logged) == 3


def test_watching_a_fit_is_not_recorded_as_a_setting_of_the_model(tmp_path):
    import json

    run(tmp_path)
    (record,) = json.loads((tmp_path / "loudshallow_cnn" / "results.json").read_text())["records"]
    assert record["params"]["verbose"] is False


def test_a_long_classical_fit_shows_its_progress_too(tmp_path):
    stderr, logged = run(tmp_path, name="svc_rbf", stream="stderr")
    lines = [line for line in stderr.splitlines() if line.startswith("SVM (rbf kernel, pixels): ")]
    assert lines[0].startswith("SVM (rbf kernel, pixels): 1/21 class pairs fitted")
    assert lines[-1].startswith("SVM (rbf kernel, pixels): 21/21 class pairs fitted")
    assert [line.split(" ", 1)[1] for line in logged] == lines
    quiet, logged_quietly = run(tmp_path, "--quiet", name="svc_rbf", stream="stderr")
    assert "class pairs fitted" not in quiet and len(logged_quietly) == len(lines)
