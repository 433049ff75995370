import json

from fer_bench.cli import main

from .support import one_error_line


def test_an_out_that_is_a_file_is_one_error_line_naming_it(tiny_csv, tmp_path, capsys):
    out = tmp_path / "taken"
    out.write_text("")
    assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(out), "--quiet"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {out}: ") and "--debug" in line


def test_a_results_file_whose_manifest_is_a_list_is_one_error_line(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps({"manifest": [], "records": []}))
    for argv in (["report", str(tmp_path)], ["run", "--resume", str(tmp_path)]):
        assert main(argv) == 2
        line = one_error_line(capsys.readouterr().err)
        assert f"{tmp_path / 'results.json'}: not a fer_bench results file" in line
