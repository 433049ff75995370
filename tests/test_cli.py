import gzip
import json
import subprocess
import sys

import numpy as np
import pytest

from fer_bench.cli import main


def write_fer_csv(path, rows):
    lines = ["emotion,pixels,Usage"] + [f"{label},{' '.join(map(str, pixels))},{usage}" for label, pixels, usage in rows]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def tiny_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows = [(i % 7, rng.integers(0, 256, 2304), usage) for usage in ("Training", "PublicTest", "PrivateTest") for i in range(14)]
    path = tmp_path / "fer2013.csv"
    write_fer_csv(path, rows)
    return path


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "fer_bench", *args], capture_output=True, text=True)


def test_help_and_list_do_not_import_heavy_frameworks():
    code = ("import sys, runpy; sys.argv = ['fer_bench', 'list']\n"
            "try:\n    runpy.run_module('fer_bench', run_name='__main__')\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
            "heavy = [m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules]\nassert not heavy, heavy")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in ("svc_linear", "svc_poly", "svc_rbf", "knn", "keras_cnn", "shallow_cnn", "deep_cnn", "resnet9"):
        assert name in result.stdout


@pytest.mark.parametrize("command", [[], ["run"], ["report"], ["list"], ["data"], ["data", "info"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_data_info_prints_counts_and_sha256(tiny_csv, capsys):
    assert main(["data", "info", str(tiny_csv)]) == 0
    out = capsys.readouterr().out
    assert "PrivateTest" in out and "Neutral" in out
    from fer_bench.datasets._dataset import file_sha256
    assert file_sha256(tiny_csv) in out


@pytest.mark.parametrize("content, expected", [
    (None, "does not exist|no such file|not found"),
    ("", "empty"),
    ("emotion,Usage\n0,Training\n", "pixels"),
])
def test_bad_data_exits_non_zero_naming_the_file(tmp_path, content, expected, capsys):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    assert main(["data", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err
    import re
    assert re.search(expected, err, re.IGNORECASE), err


def test_unreadable_gzip_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(gzip.compress(b"emotion,pixels,Usage\n0,1 2 3,Training\n" * 50)[:60])
    assert main(["data", "info", str(path)]) == 2
    assert "broken.csv.gz" in capsys.readouterr().err


def test_unknown_estimator_and_profile_exit_2(capsys):
    assert main(["run", "no_such_model"]) == 2
    assert "no estimator named 'no_such_model'" in capsys.readouterr().err
    assert main(["run", "svc_rbf", "--profile", "enormous"]) == 2
    assert "--profile" in capsys.readouterr().err


def test_run_then_report_rebuild(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "svc_linear", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    report = run_dir / "report.html"
    assert report.is_file()
    first = report.read_text()
    report.unlink()
    assert main(["report", str(run_dir)]) == 0
    assert report.read_text().count("svc_linear") == first.count("svc_linear") > 0
    results = json.loads((run_dir / "results.json").read_text())
    assert results["manifest"]["command"].startswith("python -m fer_bench run svc_linear knn")


def test_report_of_a_missing_run_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "results.json" in capsys.readouterr().err


def test_run_without_data_uses_the_synthetic_set(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "svc_linear", "--quiet"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().err
    (run_dir,) = (tmp_path / "reports").iterdir()
    assert run_dir.name.endswith("-smoke")
    assert json.loads((run_dir / "results.json").read_text())["manifest"]["data"]["synthetic"] is True
