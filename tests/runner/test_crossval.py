import numpy as np

from fer_bench.datasets.class_folder import read_face_folder
from fer_bench.datasets.folds import CK_PLUS_SUBJECT_PATTERN, make_folds, subjects_from_pattern
from fer_bench.datasets.synthetic_folder import write_synthetic_folder
from fer_bench.runner.crossval import fold_dataset


def test_fold_dataset_roles_test_fold_last_and_validation_by_subject(tmp_path):
    write_synthetic_folder(tmp_path / "ck", n_subjects=8, sequences=7, frames=2, size=48, seed=2)
    faces = read_face_folder(tmp_path / "ck", use_cache=False, n_jobs=1)
    subjects = subjects_from_pattern(faces.files, CK_PLUS_SUBJECT_PATTERN)
    test = make_folds(faces.labels, subjects, 4, seed=0)[1]
    dataset, rows = fold_dataset(faces, subjects, test, "subject", 2, 4, seed=0)
    assert np.array_equal(rows[dataset.usage == "PrivateTest"], test)  # the test fold, in order, last
    assert np.array_equal(dataset.split("PrivateTest")[1], faces.labels[test])
    by_role = {role: set(subjects[rows[dataset.usage == role]]) for role in ("Training", "PublicTest", "PrivateTest")}
    assert by_role["PublicTest"] and not by_role["PublicTest"] & by_role["Training"]
    assert not by_role["PrivateTest"] & (by_role["Training"] | by_role["PublicTest"])
    assert sorted(rows) == list(range(len(faces.labels))) and list(dataset.ids) == list(faces.files[rows])
    other, _ = fold_dataset(faces, subjects, test, "random", 2, 4, seed=0)
    assert other.sha256 != dataset.sha256  # each fold's audit is cached apart
