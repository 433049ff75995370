import numpy as np
import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.folds import (CK_PLUS_SUBJECT_PATTERN, LOSO, check_subject_disjoint, make_folds,
                                      subjects_from_csv, subjects_from_pattern, validation_rows)


def ck_files(n_subjects=9, sequences=6, frames=3, n_classes=6):
    files, labels = [], []
    for subject in range(1, n_subjects + 1):
        for sequence in range(1, sequences + 1):
            label = (subject + sequence) % n_classes
            for frame in range(1, frames + 1):
                files.append(f"c{label}/S{subject:03d}_{sequence:03d}_{frame:08d}.png")
                labels.append(label)
    return np.array(files), np.array(labels, dtype=np.int64)


def test_subject_folds_are_disjoint_stratified_and_cover_every_face():
    files, labels = ck_files()
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    folds = make_folds(labels, subjects, 3, seed=0, kind="subject")
    assert np.array_equal(np.sort(np.concatenate(folds)), np.arange(len(files)))
    fold_subjects = [set(subjects[rows]) for rows in folds]
    assert all(not a & b for i, a in enumerate(fold_subjects) for b in fold_subjects[i + 1:])
    check_subject_disjoint(folds, subjects, files)
    for rows in folds:  # every class in every test fold, near its overall share
        shares = np.bincount(labels[rows], minlength=6) / len(rows)
        assert np.all(shares > 0) and np.abs(shares - 1 / 6).max() < 0.1


def test_a_subject_in_two_folds_fails_the_check():
    files, labels = ck_files()
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    folds = make_folds(labels, subjects, 3, seed=0, kind="subject")
    moved = [np.append(folds[0], folds[1][0]), folds[1][1:], folds[2]]
    with pytest.raises(ValueError, match=f"subject {subjects[folds[1][0]]} is in fold"):
        check_subject_disjoint(moved, subjects, files)


def test_random_split_differs_from_the_grouped_split_and_mixes_subjects():
    files, labels = ck_files()
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    grouped = make_folds(labels, subjects, 3, seed=0, kind="subject")
    random = make_folds(labels, subjects, 3, seed=0, kind="random")
    assert np.array_equal(np.sort(np.concatenate(random)), np.arange(len(files)))
    assert any(not np.array_equal(a, b) for a, b in zip(grouped, random))
    with pytest.raises(ValueError, match="is in fold"):
        check_subject_disjoint(random, subjects)


def test_same_seed_same_folds():
    files, labels = ck_files()
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    for kind in ("subject", "random"):
        first, second = (make_folds(labels, subjects, 3, seed=4, kind=kind) for _ in range(2))
        assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_validation_part_is_subject_disjoint_from_the_training_rest():
    files, labels = ck_files()
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    test = make_folds(labels, subjects, 3, seed=0)[0]
    train = np.setdiff1d(np.arange(len(files)), test)
    held = validation_rows(train, labels, subjects, seed=0)
    assert len(held) and set(held) <= set(train)
    assert not set(subjects[held]) & set(subjects[np.setdiff1d(train, held)])


def test_too_few_images_per_class_names_the_class_folder():
    files, labels = ck_files(n_subjects=3, sequences=1, frames=1, n_classes=3)
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    with pytest.raises(DataError, match=r"ck/anger: 1 images, but --folds 3 needs at least 3 per class"):
        make_folds(labels, subjects, 3, class_names=("anger", "fear", "happy"), source="ck")


def test_file_name_that_the_pattern_does_not_match_is_named():
    files = np.array(["happy/S001_001_00000001.png", "happy/IMG_0042.png"])
    with pytest.raises(DataError, match=r"IMG_0042.png: file name does not match --subject-pattern .*1 of 2"):
        subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN, "ck")
    with pytest.raises(ValueError, match="not a regular expression"):
        subjects_from_pattern(files, "S(")


def test_subjects_csv_by_relative_path_or_bare_name(tmp_path):
    files = np.array(["happy/a.png", "sad/b.png"])
    table = tmp_path / "subjects.csv"
    table.write_text("file,subject\nhappy/a.png,7\nb.png,9\n")
    assert list(subjects_from_csv(table, files)) == ["7", "9"]


def test_leave_one_subject_out_makes_one_fold_per_subject_in_sorted_order():
    files, labels = ck_files(n_subjects=5)
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    folds = make_folds(labels, subjects, LOSO, seed=3, kind="subject")
    assert [set(subjects[rows]) for rows in folds] == [{"001"}, {"002"}, {"003"}, {"004"}, {"005"}]
    assert np.array_equal(np.sort(np.concatenate(folds)), np.arange(len(files)))
    check_subject_disjoint(folds, subjects, files)
    train = np.setdiff1d(np.arange(len(files)), folds[0])  # the rest's validation part: other subjects, disjoint
    held = validation_rows(train, labels, subjects, seed=0, kind="subject")
    rest = np.setdiff1d(train, held)
    assert len(held) and not set(subjects[held]) & set(subjects[rest]) and "001" not in set(subjects[held])


def test_leave_one_subject_out_by_picture_makes_as_many_folds_as_subjects():
    files, labels = ck_files(n_subjects=4)
    subjects = subjects_from_pattern(files, CK_PLUS_SUBJECT_PATTERN)
    folds = make_folds(labels, subjects, LOSO, seed=0, kind="random")
    assert len(folds) == 4 and np.array_equal(np.sort(np.concatenate(folds)), np.arange(len(files)))
    assert any(len(set(subjects[rows])) > 1 for rows in folds)  # pictures, not subjects


def test_leave_one_subject_out_needs_two_subjects():
    with pytest.raises(DataError, match="1 subject; --folds loso needs at least 2"):
        make_folds(np.zeros(4, dtype=np.int64), np.array(["a"] * 4), LOSO, source="d")
