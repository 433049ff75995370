import json
import os

import pytest

from fer_bench.cli import main
from fer_bench.cli.errors import error_line
from fer_bench.datasets import DataError

from .support import one_error_line


def test_an_out_that_is_a_file_is_one_error_line_naming_it(tiny_csv, tmp_path, capsys):
    out = tmp_path / "taken"
    out.write_text("")
    assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(out), "--quiet"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == f"error: {out}: it is a file, not a folder; choose another --out"
    assert out.read_text() == ""


def test_an_out_that_is_a_dangling_link_is_named_with_its_target(tiny_csv, tmp_path, capsys):
    out = tmp_path / "link"
    out.symlink_to(tmp_path / "gone")
    assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(out), "--quiet"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {out}: it is a link to {tmp_path / 'gone'}, which does not exist")


@pytest.mark.parametrize("error, line", [
    (DataError("/data/a\nb.csv: row 2 (line 3): bad pixels"), "error: /data/a\\nb.csv: row 2 (line 3): bad pixels"),
    (FileNotFoundError("x\r\ny.csv: no such file"), "error: x\\r\\ny.csv: no such file"),
    (ValueError("--profile 'p': \x1b[31mred\x1b[0m"), "error: --profile 'p': \\x1b[31mred\\x1b[0m"),
    (FileNotFoundError(2, "No such file or directory", "a\nb"), "error: a\\nb: No such file or directory"),
    (DataError(os.fsdecode(b"caf\xe9.csv") + ": file is empty"), "error: caf\\xe9.csv: file is empty"),
    (ValueError("line\u2028separator\ttab"), "error: line\\u2028separator\\ttab"),
    (RuntimeError("first line\nsecond line"), "error: RuntimeError: first line"),
])
def test_an_error_line_is_one_line_with_control_characters_escaped(error, line):
    assert error_line(error) == line


def test_a_results_file_whose_manifest_is_a_list_is_one_error_line(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps({"manifest": [], "records": []}))
    for argv in (["report", str(tmp_path)], ["run", "--resume", str(tmp_path)]):
        assert main(argv) == 2
        line = one_error_line(capsys.readouterr().err)
        assert f"{tmp_path / 'results.json'}: not a fer_bench results file" in line
