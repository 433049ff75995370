import pytest

from fer_bench.cli import main

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
            "serve": ["serve", "--port", "0"]}[command]
    assert main([*argv, "--model", str(folder)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{folder / 'model.joblib'}: a pickle file" in line and "--trust-model" in line
    assert not marker.exists()


def test_the_cli_default_min_group_size_is_the_group_metrics():
    from fer_bench.cli.options import DEFAULT_MIN_GROUP_SIZE
    from fer_bench.metrics_groups import DEFAULT_MIN_GROUP_SIZE as GROUP_METRICS_DEFAULT

    assert DEFAULT_MIN_GROUP_SIZE == GROUP_METRICS_DEFAULT
