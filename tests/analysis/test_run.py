import numpy as np
import pytest

from fer_bench.labels import FER2013_CLASSES
from fer_bench.analysis.run import GALLERY_SIZE, analyse_run, class_names_of
from fer_bench.results import ResultsStore, RunManifest, RunRecord

from ..report.conftest import FIVE_CLASSES


@pytest.fixture(scope="module")
def analysis(run_dir):
    return analyse_run(ResultsStore(run_dir))


def test_results_are_ranked_by_privatetest_accuracy(analysis):
    own = [result for result in analysis.results if result.class_names == analysis.run_classes]
    accuracies = [result.record.metrics["accuracy"] for result in own]
    assert accuracies == sorted(accuracies, reverse=True)
    assert analysis.results[len(own):] and analysis.results[-1].name == "five_class_cnn"  # other classes after
    assert [result.rank for result in analysis.results] == list(range(1, 7))
    assert {record.status for record in analysis.unfinished} == {"failed", "timed_out"}


def test_intervals_contain_the_point_estimates(analysis):
    for result in analysis.results:
        metrics = result.record.metrics
        assert result.accuracy_ci[0] <= metrics["accuracy"] <= result.accuracy_ci[1]
        assert result.macro_f1_ci[0] <= metrics["macro_f1"] <= result.macro_f1_ci[1]


def test_only_estimators_on_the_same_faces_and_classes_are_tested_together(analysis):
    (group,) = analysis.groups
    assert [member.name for member in group.members] == [result.name for result in analysis.results
                                                         if result.name != "five_class_cnn"]
    assert group.n_pairs == 10
    np.testing.assert_allclose(group.p_holm, group.p_holm.T)


def test_versus_best(analysis):
    by_name = {result.name: result for result in analysis.results}
    assert by_name["tiny_cnn"].versus_best == "best"
    assert by_name["tiny_cnn_twin"].versus_best == "tie" and by_name["tiny_cnn_twin"].p_versus_best >= 0.05
    assert by_name["svc_rbf"].versus_best == "worse" and by_name["svc_rbf"].p_versus_best < 0.05
    assert by_name["five_class_cnn"].versus_best is None


def test_calibration_only_with_probabilities(analysis):
    calibrated = {result.name for result in analysis.results if result.calibration}
    assert calibrated == {"tiny_cnn", "mini_xception"}


def test_gallery_shows_the_most_confident_mistakes_first(analysis):
    best = analysis.best
    predictions = best.predictions
    assert len(best.gallery) == GALLERY_SIZE
    assert all(predictions["y_true"][index] != predictions["y_pred"][index] for index in best.gallery)
    confidence = predictions["scores"][best.gallery].max(axis=1)
    assert np.all(np.diff(confidence) <= 0)


def test_gallery_without_probabilities_is_spread_over_the_mistakes(analysis):
    svc = next(result for result in analysis.results if result.name == "svc_rbf")
    mistakes = np.flatnonzero(svc.predictions["y_true"] != svc.predictions["y_pred"])
    assert svc.gallery[0] == mistakes[0] and svc.gallery[-1] == mistakes[-1]
    assert len(set(svc.gallery)) == GALLERY_SIZE


def test_class_names_come_from_the_record_then_the_manifest():
    five = RunRecord(name="a", family="network", framework="torch", source="", class_names=FIVE_CLASSES)
    assert class_names_of(five, RunManifest(class_names=list(FER2013_CLASSES))) == FIVE_CLASSES
    seven = RunRecord(name="b", family="network", framework="torch", source="",
                      metrics={"confusion_matrix": [[0] * 7] * 7})
    assert class_names_of(seven, RunManifest()) == list(FER2013_CLASSES)
    assert class_names_of(seven, RunManifest(class_names=["x"] * 7)) == ["x"] * 7
