import gzip
import json
import os
import subprocess
import sys

import pytest

from fer_bench.cli import main

from .support import one_error_line


def test_data_info_prints_counts_and_sha256(tiny_csv, capsys):
    assert main(["data", "info", str(tiny_csv)]) == 0
    out = capsys.readouterr().out
    assert "PrivateTest" in out and "Neutral" in out
    from fer_bench.datasets import file_sha256
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


def test_data_audit_text_states_the_findings_and_the_threshold(planted_csv, capsys):
    assert main(["data", "audit", str(planted_csv)]) == 0
    out = capsys.readouterr().out
    assert "PrivateTest faces with a copy in Training: 2 faces (1 with the same label)" in out
    assert "within Training: 4 faces in 2 groups, 1 groups with different labels" in out
    assert "Hamming distance <= 4 of 64 bits" in out
    assert "Leaked PrivateTest faces (exact or near copy in Training): 4 of 10 (2 exact, 2 near only)" in out
    assert "Blank faces (pixel std < 2): 2" in out
    assert main(["data", "audit", str(planted_csv), "--near-threshold", "0", "--blank-std", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "Hamming distance <= 0 of 64 bits" in out and "Blank faces (pixel std < 0.5): 1" in out


def test_data_audit_json_has_pairs_and_row_ids(planted_csv, capsys):
    assert main(["data", "audit", str(planted_csv), "--json"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["exact_groups"][0] == [3, 5] and raw["blank_rows"] == [20, 44]
    assert sorted(tuple(pair[:2]) for pair in raw["near_pairs"]) == [(31, 15), (42, 13), (43, 14)]
    assert raw["leak_rows"]["PrivateTest"] == {"exact": [40, 41], "near_only": [42, 43]}
    assert raw["row_ids"]["40"] == "planted.csv:42"  # data row 40 (0-based) is on line 42, after the header
    assert raw["sha256"] and raw["near_threshold"] == 4


def test_data_audit_bad_threshold_exits_2(planted_csv, capsys):
    assert main(["data", "audit", str(planted_csv), "--near-threshold", "99"]) == 2
    assert "near_threshold" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["info", "audit"])
def test_a_data_file_whose_name_is_not_utf8_is_read(command, tiny_csv, tmp_path):
    data = tmp_path / os.fsdecode(b"caf\xe9.csv")
    data.write_bytes(tiny_csv.read_bytes())
    result = subprocess.run([sys.executable, "-m", "fer_bench", "data", command, str(data)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert command == "audit" or b"source:  " + os.fsencode(data) in result.stdout


def test_a_file_name_with_a_line_break_is_escaped_in_the_one_error_line(tmp_path, capsys):
    data = tmp_path / "two\nlines.csv"
    data.write_text("")
    assert main(["data", "info", str(data)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == (f"error: {tmp_path}/two\\nlines.csv: file is empty; expected a header such as "
                    "'emotion,pixels,Usage' and rows")


def test_a_cr_csv_with_a_last_lf_gives_the_whole_reason(tmp_path, capsys):
    data = tmp_path / "mac.csv"
    data.write_bytes(b"emotion,pixels,Usage,extra\r0," + b" ".join([b"7"] * 2304) + b",Training,x\r\n")
    assert main(["data", "info", str(data)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {data}: unknown column(s) extra: FER-2013 files have only the columns emotion")


def test_kaggle_s_fer2013_tar_gz_is_read_as_the_csv_inside(tiny_csv, tmp_path, capsys):
    import tarfile

    from fer_bench.datasets import file_sha256

    archive = tmp_path / "fer2013.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tiny_csv, "fer2013/fer2013.csv")
    assert main(["data", "info", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"source:  {archive}" in out and file_sha256(archive) in out and "PrivateTest" in out
