"""FER+ label modes as Microsoft's reference code derives them (fer_bench.datasets.ferplus_modes)."""

import csv

import numpy as np
import pytest

from fer_bench.datasets.ferplus import label_votes, read_ferplus_votes
from fer_bench.datasets.ferplus_modes import MODE_DROP_REASONS, mode_targets
from fer_bench.labels import FERPLUS_CLASSES

#            neutral happy surprise sad anger disgust fear contempt unknown NF
VOTES = np.array([
    [6, 0, 0, 1, 3, 0, 0, 0, 0, 0],   # single vote dropped: neutral 6 of 9, majority; 6/9 + 3/9 in the top classes
    [4, 0, 0, 4, 2, 0, 0, 0, 0, 0],   # no class over half: no majority; neutral and sadness tie, 80%: taken together
    [1, 0, 0, 0, 0, 0, 0, 0, 9, 0],   # unknown on top
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 10],  # not a face
    [3, 3, 2, 2, 0, 0, 0, 0, 0, 0],   # 3 + 3 = 60% < 75%, then a tie of two more: four classes, too spread
    [5, 0, 0, 0, 0, 0, 0, 0, 3, 2],   # neutral first, then unknown: unknown left out, neutral 5 of 10 is not over half
    [0, 0, 0, 0, 0, 0, 0, 7, 3, 0],   # contempt (kept: only unknown and NF are dropped)
    [9, 1, 0, 0, 0, 0, 0, 0, 0, 0],   # a row FER+ removed (no image name)
])
NAMED = np.array([True] * 7 + [False])


def test_majority_keeps_the_class_of_over_half_the_votes_after_single_votes_are_dropped():
    labels, distributions, dropped = mode_targets(VOTES, NAMED, "majority")
    assert labels.tolist() == [0, -1, -1, -1, -1, -1, 7, -1]
    np.testing.assert_array_equal(distributions[0], np.eye(8)[0])
    assert dropped == {"no image": 1, "no majority": 3, "too spread": 0, "unknown": 1, "not a face": 1}
    assert list(dropped) == list(MODE_DROP_REASONS)


@pytest.mark.parametrize("mode", ["probability", "crossentropy"])
def test_the_distribution_modes_keep_up_to_three_top_classes_and_their_vote_shares(mode):
    labels, distributions, dropped = mode_targets(VOTES, NAMED, mode)
    assert labels.tolist() == [0, 0, -1, -1, -1, -1, 7, -1]
    np.testing.assert_allclose(distributions[0], [6 / 9, 0, 0, 0, 3 / 9, 0, 0, 0])
    np.testing.assert_allclose(distributions[1], [0.5, 0, 0, 0.5, 0, 0, 0, 0])
    assert dropped == {"no image": 1, "no majority": 0, "too spread": 2, "unknown": 1, "not a face": 1}


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode='plurality': expected one of majority, probability, crossentropy"):
        mode_targets(VOTES, NAMED, "plurality")


# Faces kept per split and class on the real fer2013new.csv, counted by an independent row-by-row script that
# follows the reference's _process_data and load_folders (Training in the mode, PublicTest and PrivateTest in
# majority, as its test and validation readers), keeping every top class but unknown and NF.
MAJORITY = {"Training": [8740, 7287, 3149, 3014, 2100, 119, 532, 119],
            "PublicTest": [1182, 865, 415, 351, 287, 24, 62, 13],
            "PrivateTest": [1090, 893, 396, 384, 273, 18, 83, 16]}
DISTRIBUTION_TRAINING = [10122, 7503, 3524, 3430, 2407, 169, 641, 160]


def test_the_real_ferplus_file_gives_the_reference_counts(ferplus_csv):
    with open(ferplus_csv, newline="") as stream:
        rows = list(csv.reader(stream))[1:]
    votes = np.array([[int(value) for value in row[2:12]] for row in rows])
    named, usage = np.array([bool(row[1].strip()) for row in rows]), np.array([row[0] for row in rows])
    for mode in ("majority", "probability", "crossentropy"):
        labels, _, _ = mode_targets(votes, named, mode)
        for split, expected in MAJORITY.items():
            if mode != "majority":  # the test splits take majority labels whatever the training mode
                if split != "Training":
                    continue
                expected = DISTRIBUTION_TRAINING
            kept = labels[(usage == split) & (labels >= 0)]
            assert np.bincount(kept, minlength=len(FERPLUS_CLASSES)).tolist() == expected, (mode, split)


def test_label_votes_targets_training_in_the_mode_and_the_test_splits_by_majority():
    usage = np.array(["Training", "PublicTest", *["Training"] * 6])
    labels, targets, dropped = label_votes(VOTES, NAMED, usage, "crossentropy")
    assert labels.tolist() == [0, -1, -1, -1, -1, -1, 7, -1]  # row 2 has no majority, in PublicTest
    assert targets.dtype == np.float32 and targets.shape == (8, 8)
    np.testing.assert_allclose(targets[0], [6 / 9, 0, 0, 0, 3 / 9, 0, 0, 0], rtol=1e-6)
    np.testing.assert_array_equal(targets[6], np.eye(8)[7])  # unknown after contempt is left out
    assert dropped == {"no image": 1, "no majority": 1, "too spread": 2, "unknown": 1, "not a face": 1}
    assert label_votes(VOTES, NAMED, usage, "majority")[1] is None


def test_label_votes_of_the_real_file_keep_the_reference_counts(ferplus_csv):
    votes, usage, named = read_ferplus_votes(ferplus_csv)
    labels, targets, _ = label_votes(votes, named, usage, "probability")
    expected = {**MAJORITY, "Training": DISTRIBUTION_TRAINING}
    for split, counts in expected.items():
        kept = labels[(usage == split) & (labels >= 0)]
        assert np.bincount(kept, minlength=len(FERPLUS_CLASSES)).tolist() == counts, split
    kept = labels >= 0
    np.testing.assert_allclose(targets[kept].sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(targets[kept].argmax(axis=1), labels[kept])
