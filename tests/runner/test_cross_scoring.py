import numpy as np
import pytest

from fer_bench.labels import FER2013_CLASSES
from fer_bench.results import CrossTarget, ResultsStore, RunRecord
from fer_bench.runner.cross_scoring import model_labels, predict_targets, score_targets
from fer_bench.runner.targets import TargetFaces


def _target(class_names, labels, **info):
    labels = np.asarray(labels, dtype=np.int64)
    counts = {name: int(np.sum(labels == index)) for index, name in enumerate(class_names)}
    return TargetFaces(CrossTarget(name="ck", spec="ck", path="/ck", sha256="c" * 64, scope="folder",
                                   class_names=list(class_names), counts=counts, **info),
                       np.zeros((len(labels), 48, 48), dtype=np.uint8), labels)


def _record():
    return RunRecord(name="knn", family="classical", framework="sklearn", source="seed", seed=0)


def test_classes_are_matched_by_meaning():
    labels = model_labels(["anger", "contempt", "Happiness", "NEUTRAL", "Sad"], FER2013_CLASSES)
    assert labels.tolist() == [0, -1, 3, 6, 4]
    assert model_labels(["Angry", "Neutral"], ("anger", "happy")).tolist() == [0, -1]


def test_a_target_s_extra_classes_are_left_out_and_the_model_s_missing_ones_named(tmp_path):
    target = _target(["anger", "contempt", "happy"], [0, 0, 1, 2, 2, 2], excluded={"neutral": 4}, detector="haar",
                     no_face=2)
    record, store = _record(), ResultsStore(tmp_path / "run")
    predicted = [(np.array([0, 6, 5, 3, 3, 6]), 0.25)]
    score_targets(record, predicted, [target], FER2013_CLASSES, store, "knn")
    (score,) = record.cross_scores
    assert score.status == "ok" and score.left_out == {"neutral": 4, "contempt": 1}
    assert score.absent == ["Disgust", "Fear", "Sad", "Surprise", "Neutral"]
    assert score.metrics["n"] == 5 and score.metrics["accuracy"] == pytest.approx(3 / 5)
    assert score.metrics["per_class"]["Happy"]["recall"] == pytest.approx(2 / 3)
    assert score.metrics["macro_f1_present"] > score.metrics["macro_f1"]
    assert (score.detector, score.no_face, score.predict_seconds) == ("haar", 2, 0.25)
    arrays = store.load_cross_predictions(score.predictions_file)
    assert arrays["y_true"].tolist() == [0, 0, 3, 3, 3] and arrays["y_pred"].tolist() == [0, 6, 3, 3, 6]


def test_no_class_in_common_is_a_failed_score_that_says_so(tmp_path):
    record = _record()
    score_targets(record, [(np.array([0, 1]), 0.1)], [_target(["contempt", "pride"], [0, 1])], FER2013_CLASSES,
                  ResultsStore(tmp_path / "run"), "knn")
    (score,) = record.cross_scores
    assert score.status == "failed" and "no face of ck is of a class of knn's" in score.error
    assert score.predictions_file is None and score.left_out == {"contempt": 1, "pride": 1}


def test_predictions_outside_the_model_s_classes_fail_the_score_not_the_run(tmp_path):
    record = _record()
    score_targets(record, [(np.array([9, 0]), 0.1)], [_target(["Angry", "Happy"], [0, 1])], FER2013_CLASSES,
                  ResultsStore(tmp_path / "run"), "knn")
    assert record.cross_scores[0].status == "failed" and "cannot be scored" in record.cross_scores[0].error


def test_a_failed_fit_has_no_scores(tmp_path):
    record = _record()
    record.status = "failed"
    score_targets(record, [], [_target(["Angry"], [0])], FER2013_CLASSES, ResultsStore(tmp_path / "run"), "knn")
    assert record.cross_scores == []


def test_predict_targets_times_each_target():
    class Constant:
        def predict(self, images):
            return np.full(len(images), 3)

    (labels, seconds), = predict_targets(Constant(), [np.zeros((4, 48, 48), dtype=np.uint8)])
    assert labels.dtype == np.int64 and labels.tolist() == [3, 3, 3, 3] and seconds >= 0
