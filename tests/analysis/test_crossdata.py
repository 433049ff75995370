import shutil

import pytest

from fer_bench.analysis.crossdata import cross_matrix, matrix_text, short_name

from .crossdata_runs import SHA_A, SHA_B, two_runs


def test_both_directions_fill_one_table(tmp_path):
    matrix = cross_matrix(two_runs(tmp_path))
    assert [row.name for row in matrix.rows] == ["a", "b"] and [column.name for column in matrix.columns] == ["a", "b"]
    a, b = matrix.rows
    own = matrix.cell("knn", a, a)
    assert own.own and own.models == 2 and own.n == 4 and own.accuracy == pytest.approx(0.625) and own.drop is None
    across = matrix.cell("knn", a, b)
    assert across.models == 2 and across.n == 3 and across.accuracy == pytest.approx(0.5)
    assert across.drop == pytest.approx(0.5 - 0.625)
    assert across.accuracy_ci[0] <= across.accuracy <= across.accuracy_ci[1]
    assert across.recall == {"Angry": pytest.approx(0.5), "Happy": pytest.approx(0.5)}
    assert (across.detector, across.no_face, across.absent) == ("haar", 1, ["Disgust"])
    back = matrix.cell("knn", b, a)
    assert back.accuracy == pytest.approx(0.5) and back.drop == pytest.approx(0.5 - 0.75) and back.detector is None
    text = matrix_text(matrix)
    assert "knn" in text and "50.0% [" in text


def test_one_run_has_its_row(tmp_path):
    run_a, _ = two_runs(tmp_path)
    matrix = cross_matrix([run_a])
    assert [row.sha256 for row in matrix.rows] == [SHA_A]
    assert [column.sha256 for column in matrix.columns] == [SHA_A, SHA_B]


def test_an_estimator_trained_twice_on_one_data_set_is_refused(tmp_path):
    run_a, _ = two_runs(tmp_path)
    shutil.copytree(run_a, tmp_path / "A2")
    with pytest.raises(ValueError, match="knn was trained on a .* in another run given too"):
        cross_matrix([run_a, tmp_path / "A2"])


def test_a_lost_predictions_file_leaves_its_model_out_and_the_cell_names_it(tmp_path):
    run_a, _ = two_runs(tmp_path)
    (run_a / "predictions" / "also-test" / "knn.b.npz").unlink()
    matrix = cross_matrix([run_a])
    a, b = matrix.columns
    cell = matrix.cell("knn", a, b)
    assert cell.models == 1 and cell.accuracy == pytest.approx(1 / 3)
    (failure,) = cell.failed
    assert failure.startswith("knn (seed 0): ") and "knn.b.npz: no such predictions file" in failure
    (run_a / "predictions" / "knn.seed1.npz").unlink()
    (run_a / "predictions" / "also-test" / "knn.seed1.b.npz").unlink()
    (run_a / "predictions" / "knn.npz").unlink()
    matrix = cross_matrix([run_a])
    assert matrix.cell("knn", a, a) is None and len(matrix.unscored["knn"][SHA_A][SHA_A]) == 2


@pytest.mark.parametrize("source, name", [("data/fer2013.csv.gz", "fer2013"), ("/x/jaffe", "jaffe"),
                                          ("/x/FER+ (FER+ folders, majority)", "FER+")])
def test_short_name(source, name):
    assert short_name(source) == name
