import json
import os

import pytest

from fer_bench.cli import main
from fer_bench.cli.errors import error_line
from fer_bench.datasets import DataError
from fer_bench.results import ResultsStore, RunManifest, RunRecord

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


def _hand_edited_run(run_dir, damage):
    """A run folder whose results.json a careless hand has edited: an accuracy made text, or nested 10,000 deep."""
    record = RunRecord(name="knn", family="classical", framework="sklearn", source="test", seed=0,
                       metrics={"accuracy": "x"})
    ResultsStore(run_dir).save(RunManifest(), [record])
    if damage == "nested":
        (run_dir / "results.json").write_text("[" * 10_000 + "]" * 10_000)
    return run_dir


@pytest.mark.parametrize("damage, message", [
    ("accuracy", "record knn (seed 0): metrics.accuracy is 'x', expected a number from 0 to 1"),
    ("nested", "nested too deeply to be a fer_bench file; the file is corrupt"),
])
@pytest.mark.parametrize("command", ["report", "compare", "run --resume"])
def test_a_hand_edited_results_file_is_one_error_line_naming_it_and_the_field(tmp_path, capsys, command, damage,
                                                                               message):
    edited = _hand_edited_run(tmp_path / "edited", damage)
    ResultsStore(tmp_path / "valid").save(RunManifest(), [])
    argv = {"report": ["report", str(edited)], "compare": ["compare", str(tmp_path / "valid"), str(edited)],
            "run --resume": ["run", "--resume", str(edited), "--quiet"]}[command]
    assert main(argv) == 2
    assert one_error_line(capsys.readouterr().err) == f"error: {edited / 'results.json'}: {message}"
