"""``run --seeds``, ``--budget-minutes``, ``--epochs`` and ``--steps-from``: bad values exit non-zero with one line."""

import json

import pytest

from fer_bench.cli import main

from .support import one_error_line, run_cli


@pytest.mark.parametrize("options, message", [
    (["--seeds", "0"], "argument --seeds: expected a positive integer, got '0'"),
    (["--seeds", "-2"], "argument --seeds: expected a positive integer, got '-2'"),
    (["--budget-minutes", "0"], "argument --budget-minutes: expected a positive number, got '0'"),
    (["--budget-minutes", "-1.5"], "argument --budget-minutes: expected a positive number, got '-1.5'"),
    (["--epochs", "0"], "argument --epochs: expected a positive integer, got '0'"),
])
def test_bad_counts_exit_2_naming_the_argument(options, message, tiny_csv, tmp_path):
    result = run_cli("run", "svc_linear", "--data", str(tiny_csv), "--out", str(tmp_path / "run"), *options)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()


def test_an_unknown_budget_key_of_a_profile_file_is_one_line_naming_it(tiny_csv, tmp_path, capsys):
    profile = tmp_path / "mine.toml"
    profile.write_text('name = "mine"\n[budget]\nkind = "time"\nminutes = 1\nseconds = 30\n')
    assert main(["run", "svc_linear", "--data", str(tiny_csv), "--profile", str(profile),
                 "--out", str(tmp_path / "run")]) == 2
    assert "[budget]: unknown key(s) 'seconds'" in one_error_line(capsys.readouterr().err)


def test_a_budget_too_short_for_one_step_fails_the_network_naming_time_budget(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "shallow_cnn", "--data", str(tiny_csv), "--out", str(run_dir), "--budget-minutes", "1e-7",
                 "--quiet"]) == 1
    (record,) = json.loads((run_dir / "results.json").read_text())["records"]
    assert record["status"] == "failed" and "too short for a single step after the warm-up" in record["error"]
    assert "shallow_cnn" in one_error_line(capsys.readouterr().err)


def test_seeds_and_a_budget_reach_the_records_and_resume_extends_the_seeds(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "svc_linear", "shallow_cnn", "--data", str(tiny_csv), "--out", str(run_dir), "--seeds", "2",
                 "--epochs", "1", "--quiet"]) == 0
    raw = json.loads((run_dir / "results.json").read_text())
    assert [(record["name"], record["seed"]) for record in raw["records"]] == [
        ("svc_linear", 0), ("svc_linear", 1), ("shallow_cnn", 0), ("shallow_cnn", 1)]
    assert raw["records"][2]["budget"]["used"]["epochs_run"] == 1
    assert main(["run", "--resume", str(run_dir), "--seeds", "3", "--epochs", "1", "--quiet"]) == 0
    raw = json.loads((run_dir / "results.json").read_text())
    assert raw["manifest"]["seeds"] == [0, 1, 2] and len(raw["records"]) == 6
    assert main(["run", "knn", "--steps-from", str(run_dir), "--epochs", "2", "--data", str(tiny_csv),
                 "--out", str(tmp_path / "other")]) == 2
    assert "--steps-from repeats an earlier run's planned steps" in capsys.readouterr().err
