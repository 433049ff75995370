import pytest

from fer_bench.cli import build_parser, main

from .support import one_error_line


@pytest.mark.parametrize("command", ["predict", "evaluate", "study", "live", "serve"])
def test_every_command_that_loads_a_model_refuses_a_pickle_in_it(command, tiny_csv, tmp_path, capsys):
    import joblib

    from fer_bench.datasets import make_synthetic
    from fer_bench.estimators.classical.svm import PixelSVC
    from fer_bench.estimators.persistence import save_estimator
    from tests.estimators.planted_pickle import RunsCode

    folder = save_estimator(PixelSVC(kernel="linear").fit(*make_synthetic(n_per_class=3).split("Training")),
                            tmp_path / "model")
    marker = tmp_path / "code-ran"
    joblib.dump(RunsCode(marker), folder / "model.joblib")
    argv = {"predict": ["predict", "photo.png"], "evaluate": ["evaluate", "--data", str(tiny_csv)],
            "study": ["study", "resize", "--data", str(tiny_csv)], "live": ["live", "--source", "none.mp4"],
            "serve": ["serve", "--port", "8000"]}[command]
    assert main([*argv, "--model", str(folder)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{folder / 'model.joblib'}: a pickle file" in line and "--trust-model" in line
    assert not marker.exists()


def test_the_cli_default_min_group_size_is_the_group_metrics():
    from fer_bench.cli.options import DEFAULT_MIN_GROUP_SIZE
    from fer_bench.analysis.groups import DEFAULT_MIN_GROUP_SIZE as GROUP_METRICS_DEFAULT

    assert DEFAULT_MIN_GROUP_SIZE == GROUP_METRICS_DEFAULT


@pytest.mark.parametrize("argv, message", [
    (["run", "--seed", "-1"], "argument --seed: expected a seed from 0 to 4294967295, got '-1'"),
    (["run", "--seed", "100000000000000000000"], "argument --seed: expected a seed from 0 to 4294967295"),
    (["run", "--seed", "4294967296"], "argument --seed: expected a seed from 0 to 4294967295"),
    (["run", "--seed", "1.5"], "argument --seed: expected a seed from 0 to 4294967295, got '1.5'"),
    (["run", "--time-limit", "inf"], "argument --time-limit: expected a positive number of seconds, at most 1,728,000 "
                                     "(20 days), got 'inf'"),
    (["run", "--time-limit", "2600000"], "argument --time-limit: expected a positive number of seconds"),
    (["run", "--time-limit", "nan"], "argument --time-limit: expected a positive number of seconds"),
    (["run", "--time-limit", "0"], "argument --time-limit: expected a positive number of seconds"),
    (["run", "--time-limit", "0"], "argument --time-limit: expected a positive number of seconds"),
    (["run", "--time-limit", "-5"], "argument --time-limit: expected a positive number of seconds"),
    (["predict", "x.png", "--model", "m", "--margin", "1e9"],
     "argument --margin: expected a fraction of the face's side from 0 to 1, got '1e9'"),
    (["live", "--model", "m", "--margin", "nan"], "argument --margin: expected a fraction of the face's side"),
    (["serve", "--model", "m", "--margin", "inf"], "argument --margin: expected a fraction of the face's side"),
    (["predict", "x.png", "--model", "m", "--margin", "-0.1"], "argument --margin: expected a fraction"),
    (["serve", "--model", "m", "--port", "99999"], "argument --port: expected a TCP port from 1 to 65535, got '99999'"),
    (["serve", "--model", "m", "--port", "65536"], "argument --port: expected a TCP port from 1 to 65535"),
    (["serve", "--model", "m", "--port", "0"], "argument --port: expected a TCP port from 1 to 65535"),
    (["serve", "--model", "m", "--port", "-1"], "argument --port: expected a TCP port from 1 to 65535"),
])
def test_out_of_range_numbers_exit_2_at_parse_time_naming_the_option(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_status:
        main(argv)
    assert exit_status.value.code == 2 and message in capsys.readouterr().err


def test_the_range_ends_are_accepted():
    parser = build_parser()
    run = parser.parse_args(["run", "--seed", "4294967295", "--time-limit", "1728000"])
    assert (run.seed, run.time_limit) == (4294967295, 1728000.0)
    assert parser.parse_args(["run", "--seed", "0"]).seed == 0
    serve = parser.parse_args(["serve", "--model", "m", "--port", "65535", "--margin", "1"])
    assert (serve.port, serve.margin) == (65535, 1.0)
    assert parser.parse_args(["predict", "x.png", "--model", "m", "--margin", "0"]).margin == 0.0


def test_seeds_that_pass_the_largest_seed_exit_2_before_anything_is_written(tiny_csv, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "--data", str(tiny_csv), "--out", str(run_dir), "--seed", "4294967294",
                 "--seeds", "3", "--quiet"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "--seeds 3: the seeds 4294967294 .. 4294967296 pass 4294967295, the largest seed" in line
    assert not run_dir.exists()
