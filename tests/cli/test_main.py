import json
import os
import shlex
import signal
import time

import pytest

import fer_bench.runner.benchmark as benchmark
import fer_bench.runner.crossval as crossval
from fer_bench.cli import main
from fer_bench.datasets.synthetic_folder import write_synthetic_folder

from .support import one_error_line


@pytest.mark.parametrize("command", [[], ["run"], ["report"], ["compare"], ["track"], ["list"], ["data"],
                                     ["data", "info"], ["data", "audit"], ["predict"], ["live"], ["serve"], ["study"],
                                     ["study", "resize"], ["evaluate"], ["export"], ["cost"], ["crossdata"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    assert "usage:" in capsys.readouterr().out


@pytest.mark.parametrize("code, kind", [("raise RuntimeError('boom')", "RuntimeError"),
                                        ("import os\nos.no_such_function()", "AttributeError")])
def test_a_failing_plugin_is_one_error_line_and_debug_shows_the_traceback(code, kind, tmp_path, capsys):
    plugin = tmp_path / "bad_plugin.py"
    plugin.write_text(code + "\n")
    assert main(["list", "--plugin", str(plugin)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"--plugin {plugin}: importing it failed: {kind}" in line
    assert main(["--debug", "list", "--plugin", str(plugin)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and kind in err and err.strip().splitlines()[-1].startswith("error: --plugin")


class SigtermReachedTheTest(Exception):
    """What SIGTERM raises in a test where main() does not handle it (instead of ending the test process)."""


@pytest.fixture
def sigterm_guard():
    def guard(signum, frame):
        raise SigtermReachedTheTest("SIGTERM was not handled by main()")

    previous = signal.signal(signal.SIGTERM, guard)
    yield
    signal.signal(signal.SIGTERM, previous)


def stop_by(stop):
    """A stand-in for a command's work that Ctrl-C (KeyboardInterrupt) or a real SIGTERM to this process stops."""
    def stopped(*args, **kwargs):
        if stop == "ctrl-c":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)  # the signal's handler raises in here
        raise AssertionError("SIGTERM did not stop the command")

    return stopped


def stopped_main(argv, capsys):
    """main's status and stderr lines; a stop that escapes main fails the test, not the test session."""
    try:
        status = main(argv)
    except (KeyboardInterrupt, SigtermReachedTheTest) as error:
        pytest.fail(f"{type(error).__name__} escaped main(), as a traceback")
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return status, err.strip().splitlines()


STOPS = pytest.mark.parametrize("stop, status, word", [("ctrl-c", 130, "interrupted"),
                                                       ("sigterm", 143, "terminated (SIGTERM)")])


@STOPS
def test_data_audit_and_evaluate_stop_in_one_line(stop, status, word, tiny_csv, tmp_path, monkeypatch, capsys,
                                                  sigterm_guard):
    monkeypatch.setattr("fer_bench.datasets.audit.cached_audit", stop_by(stop))
    monkeypatch.setattr("fer_bench.estimators.load_estimator", stop_by(stop))
    for argv in (["data", "audit", str(tiny_csv)],
                 ["evaluate", "--model", str(tmp_path / "model"), "--data", str(tiny_csv)]):
        assert stopped_main(argv, capsys) == (status, [f"{word}: stopped before it finished; no file was left "
                                                       "half-written"])


@STOPS
def test_a_stopped_run_says_what_it_kept_and_how_to_complete_it(stop, status, word, tiny_csv, tmp_path, monkeypatch,
                                                                capsys, sigterm_guard):
    real = benchmark.run_task
    monkeypatch.setattr(benchmark, "run_task", lambda task, data: (stop_by(stop) if task.name == "knn" else real)(
        task, data))
    run_dir = tmp_path / "run"
    quoted = shlex.quote(str(run_dir))
    assert stopped_main(["run", "svc_linear", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--quiet"],
                        capsys) == (status, [
        f"{word}: what finished is in {run_dir / 'results.json'}; its report: python -m fer_bench report {quoted}",
        f"complete the run with: python -m fer_bench run --resume {quoted}"])
    assert [record["name"] for record in json.loads((run_dir / "results.json").read_text())["records"]] == ["svc_linear"]


@STOPS
def test_a_stopped_folder_run_says_which_folds_it_kept(stop, status, word, tmp_path, monkeypatch, capsys, sigterm_guard):
    folder = tmp_path / "ck"
    write_synthetic_folder(folder, n_subjects=6, sequences=7, frames=2, size=56, seed=3)
    real, folds = crossval.run_benchmark, []

    def second_fold_stops(*args, **kwargs):
        folds.append(args)
        return (real if len(folds) == 1 else stop_by(stop))(*args, **kwargs)

    monkeypatch.setattr(crossval, "run_benchmark", second_fold_stops)
    out = tmp_path / "run"
    got, lines = stopped_main(["run", "svc_linear", "--data-folder", str(folder), "--folds", "3", "--out", str(out),
                               "--quiet", "--save-models", "none"], capsys)
    assert got == status
    assert lines[-2:] == [f"{word}: 1 of 3 fold runs finished, each kept in {out / 'folds'}/<split>-<fold>/ (its "
                          "results.json; python -m fer_bench report shows one)",
                          f"{out / 'crossval.json'} and its page need every fold: run again with another --out"]
    assert json.loads((out / "folds" / "subject-01" / "results.json").read_text())["manifest"]["complete"] is True
