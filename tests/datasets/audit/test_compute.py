"""The audit finds the planted exact groups, near pairs, leakage and blank faces exactly, and nothing else;
measured counts on the real FER-2013."""

from __future__ import annotations

import numpy as np
import pytest

from fer_bench.datasets import audit as audit_module
from fer_bench.datasets import FERDataset
from fer_bench.datasets.audit import audit_dataset, blank_mask

from ..planted import PRIV, random_faces


def test_exact_groups_and_label_conflicts(audit):
    assert [group.tolist() for group in audit.exact_groups] == [[3, 5], [6, 7], [10, 40], [11, 41], [12, 30], [32, 45]]
    assert [group.tolist() for group in audit.conflict_groups] == [[6, 7], [11, 41]]
    exact = audit.counts["exact"]
    assert (exact["groups"], exact["faces"], exact["redundant_faces"]) == (6, 12, 6)
    assert (exact["conflict_groups"], exact["conflict_faces"]) == (2, 4)
    training = exact["within"]["Training"]
    assert (training["groups"], training["faces"], training["conflict_groups"]) == (2, 4, 1)
    assert training["per_class"] == {"Angry": 1, "Disgust": 0, "Fear": 0, "Happy": 2, "Sad": 0, "Surprise": 0, "Neutral": 1}
    for split in ("PublicTest", "PrivateTest"):
        assert exact["within"][split]["groups"] == exact["within"][split]["faces"] == 0



def test_cross_split_copies(audit):
    assert audit.counts["exact"]["across"] == {
        "PublicTest faces with a copy in Training": {"faces": 1, "same_label": 1},
        "PrivateTest faces with a copy in Training": {"faces": 2, "same_label": 1},
        "PrivateTest faces with a copy in PublicTest": {"faces": 1, "same_label": 1},
    }



def test_leakage_exact_and_near(audit):
    assert audit.leak_rows["PrivateTest"]["exact"].tolist() == [40, 41]
    assert audit.leak_rows["PrivateTest"]["near_only"].tolist() == [42, 43]
    assert audit.leak_rows["PublicTest"]["exact"].tolist() == [30]
    assert audit.leak_rows["PublicTest"]["near_only"].tolist() == [31]
    pairs = audit.near_pairs
    assert sorted(map(tuple, pairs[:, :2].tolist())) == [(31, 15), (42, 13), (43, 14)]
    assert np.all(pairs[:, 2] <= audit.near_threshold)
    assert pairs[pairs[:, 0] == 42, 2].tolist() == [0]  # a uniform brightness shift leaves phash unchanged
    private = audit.counts["leak"]["PrivateTest"]
    assert (private["exact"], private["exact_same_label"], private["near_pairs"], private["near_only"], private["any"]) \
        == (2, 1, 2, 2, 4)
    assert sum(private["near_histogram"]) == 2  # no unrelated pair within 8 bits
    assert len(private["near_histogram"]) == 9
    assert sum(n["exact"] + n["near_only"] for n in private["per_class"].values()) == 4
    public = audit.counts["leak"]["PublicTest"]
    assert (public["exact"], public["near_only"], public["any"], sum(public["near_histogram"])) == (1, 1, 2, 1)



def test_blank_faces(planted, audit):
    assert audit.blank_rows.tolist() == [20, 44]
    assert audit.counts["blank"]["faces"] == 2
    assert audit.counts["blank"]["per_split"] == {"Training": 1, "PublicTest": 0, "PrivateTest": 1}
    assert np.flatnonzero(blank_mask(planted)).tolist() == [20, 44]
    assert np.flatnonzero(blank_mask(planted, split="PrivateTest")).tolist() == [44 - PRIV]
    assert np.flatnonzero(blank_mask(planted, blank_std=0.5)).tolist() == [44]  # 20 has std ~0.8



def test_clean_data_has_no_findings():
    rng = np.random.default_rng(1)
    usage = np.array(["Training"] * 20 + ["PrivateTest"] * 5)
    clean = FERDataset(images=random_faces(25, rng), labels=np.zeros(25, dtype=np.int64), usage=usage, sha256="c" * 64)
    result = audit_dataset(clean, near_threshold=8)
    assert result.exact_groups == [] and result.conflict_groups == []
    assert result.near_pairs.shape == (0, 3) and result.blank_rows.size == 0
    assert result.counts["leak"]["PrivateTest"]["near_histogram"] == [0] * 9
    assert result.row_ids == {}



def test_row_ids_name_every_finding(audit):
    assert audit.row_ids[41] == "face41" and audit.row_ids[20] == "face20" and audit.row_ids[13] == "face13"
    assert 0 not in audit.row_ids  # row 0 is in no finding



@pytest.mark.parametrize("kwargs", [{"near_threshold": -1}, {"near_threshold": 65}, {"near_threshold": 2.5},
                                    {"blank_std": -1.0}, {"blank_std": float("nan")}])
def test_bad_thresholds_raise(planted, kwargs):
    with pytest.raises(ValueError):
        audit_dataset(planted, **kwargs)



def test_real_fer2013_counts(fer2013_original_csv):
    from fer_bench.datasets import load_dataset

    dataset = load_dataset(fer2013_original_csv)
    result = audit_dataset(dataset)
    exact = result.counts["exact"]
    assert exact["across"]["PrivateTest faces with a copy in Training"] == {"faces": 288, "same_label": 279}
    assert exact["across"]["PublicTest faces with a copy in Training"] == {"faces": 280, "same_label": 273}
    assert exact["within"]["Training"]["faces"] == 2271 and exact["within"]["Training"]["groups"] == 1035
    assert result.counts["blank"]["faces"] == 13
    # phash within 4 bits, exact copies excluded (measured on the original file; the copy re-encoded by the
    # image-folder export has the same exact copies and 352, 288 and 440 here)
    assert result.counts["leak"]["PrivateTest"]["near_pairs"] == 356
    assert result.counts["leak"]["PublicTest"]["near_pairs"] == 290
    assert audit_module.test_leak_mask(dataset, result, "PrivateTest").sum() == 443
