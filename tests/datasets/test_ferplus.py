import dataclasses

import numpy as np
import pytest

from fer_bench.datasets import DataError, FERDataset, describe_dataset, stratified_subset
from fer_bench.datasets.ferplus import DROP_REASONS, apply_ferplus_labels, ferplus_labels, read_ferplus_votes
from fer_bench.datasets.known_files import content_md5
from fer_bench.labels import FERPLUS_CLASSES
from fer_bench.analysis.metrics import classification_metrics

from ..ferplus_files import (FER2013_LABEL_OF_FERPLUS, HEADER, SPLITS, one_hot_votes, write_fer2013_and_ferplus,
                             write_ferplus)


@pytest.fixture
def fer2013():
    """48 faces in fer2013.csv order: 16 per split, face i labelled as FER+ label i % 8 maps onto FER-2013."""
    usage = np.repeat(SPLITS, 16)
    images = np.random.default_rng(0).integers(0, 256, (len(usage), 48, 48), dtype=np.uint8)
    return FERDataset(images=images, labels=FER2013_LABEL_OF_FERPLUS[np.arange(len(usage)) % 8], usage=usage,
                      source="fer2013.csv", sha256="0" * 64)


def test_plurality_labels_and_drop_reasons():
    votes = np.array([
        [6, 0, 0, 1, 3, 0, 0, 0, 0, 0],   # neutral
        [0, 0, 0, 0, 0, 0, 0, 4, 3, 3],   # contempt wins with 4 of 10
        [4, 0, 0, 4, 2, 0, 0, 0, 0, 0],   # tie neutral/sadness: dropped, not neutral
        [1, 0, 0, 0, 0, 0, 0, 0, 9, 0],   # unknown
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 10],  # not a face
        [3, 0, 0, 0, 0, 0, 0, 0, 3, 4],   # NF wins
        [5, 0, 0, 0, 0, 0, 0, 0, 5, 0],   # tie with unknown
        [0] * 10,                         # no votes
    ])
    labels, dropped = ferplus_labels(votes)
    assert labels.tolist() == [0, 7, -1, -1, -1, -1, -1, -1]
    assert labels.dtype == np.int64
    assert dropped == {"unknown": 1, "not a face": 2, "tie": 2, "no votes": 1}
    assert list(dropped) == list(DROP_REASONS)


@pytest.mark.parametrize("compress", [False, True])
def test_apply_relabels_with_eight_classes_and_drops_rows(fer2013, tmp_path, compress):
    label_of_row = np.arange(len(fer2013)) % 8
    votes = [one_hot_votes(label) for label in label_of_row]
    votes[3] = one_hot_votes(8)   # unknown
    votes[20] = one_hot_votes(9)  # not a face
    votes[40] = [5, 5, 0, 0, 0, 0, 0, 0, 0, 0]
    path = write_ferplus(tmp_path / "fer2013new.csv", fer2013.usage, votes, compress=compress)

    lines = np.array([f"fer2013.csv:{row + 2}" for row in range(len(fer2013))])
    relabelled, dropped = apply_ferplus_labels(dataclasses.replace(fer2013, ids=lines), path, "plurality")

    keep = np.setdiff1d(np.arange(len(fer2013)), [3, 20, 40])
    np.testing.assert_array_equal(relabelled.ids, lines[keep])  # each kept face still names its own line
    assert relabelled.class_names == FERPLUS_CLASSES
    assert dropped == {"unknown": 1, "not a face": 1, "tie": 1, "no votes": 0}
    np.testing.assert_array_equal(relabelled.images, fer2013.images[keep])
    np.testing.assert_array_equal(relabelled.labels, label_of_row[keep])
    np.testing.assert_array_equal(relabelled.usage, fer2013.usage[keep])
    assert relabelled.sha256 != fer2013.sha256 and len(relabelled.sha256) == 64
    assert "FER+" in relabelled.source


def test_eight_classes_flow_through_subsets_counts_and_metrics(fer2013, tmp_path):
    votes = [one_hot_votes(i % 8) for i in range(len(fer2013))]
    relabelled, _ = apply_ferplus_labels(fer2013, write_ferplus(tmp_path / "new.csv", fer2013.usage, votes))
    subset = stratified_subset(relabelled, {"Training": 8}, seed=0)
    assert sorted(subset.split("Training")[1].tolist()) == list(range(8))
    assert set(subset.counts()["Training"]) == set(FERPLUS_CLASSES)
    assert "7 Contempt" in describe_dataset(relabelled)
    y_true = relabelled.split("PrivateTest")[1]
    metrics = classification_metrics(y_true, y_true, relabelled.class_names)
    assert metrics["accuracy"] == 1.0 and len(metrics["confusion_matrix"]) == 8


def test_header_columns_are_matched_case_insensitively_in_any_order(tmp_path):
    header = "NF,unknown,Contempt,Fear,Disgust,Anger,Sadness,Surprise,Happiness,Neutral,Image name,Usage"
    path = tmp_path / "new.csv"
    path.write_text(f"{header}\n0,0,0,0,0,0,0,0,2,8,fer0.png,Training\n0,10,0,0,0,0,0,0,0,0,,PublicTest\n")
    votes, usage, named = read_ferplus_votes(path)
    assert votes.tolist() == [[8, 2, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 10, 0]]
    assert usage.tolist() == ["Training", "PublicTest"] and named.tolist() == [True, False]


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_cr_only_and_other_line_ends_are_read(tmp_path, ending):
    path = write_ferplus(tmp_path / "fer2013new.csv", SPLITS, [one_hot_votes(0), one_hot_votes(1), one_hot_votes(2)])
    path.write_bytes(path.read_bytes().replace(b"\n", ending.encode()))
    votes, usage, _ = read_ferplus_votes(path)
    assert votes.tolist() == [one_hot_votes(0), one_hot_votes(1), one_hot_votes(2)] and usage.tolist() == list(SPLITS)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(HEADER.replace(",contempt", "") + "\nTraining,a.png,1,0,0,0,0,0,0,0,0\n")
    with pytest.raises(DataError, match=r"new\.csv: missing column\(s\) contempt"):
        read_ferplus_votes(path)


@pytest.mark.parametrize("bad", ["2.5", "-1", "", "x"])
def test_non_integer_vote_names_file_row_and_column(tmp_path, bad):
    path = tmp_path / "new.csv"
    rows = ["Training,a.png,1,0,0,0,0,0,0,0,0,0", f"Training,b.png,1,0,0,{bad},0,0,0,0,0,0"]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(DataError, match=r"new\.csv: row 2 \(line 3\): the sadness votes must be a non-negative integer"):
        read_ferplus_votes(path)


def test_wrong_field_count_is_named(tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(f"{HEADER}\nTraining,a.png,1,0,0\n")
    with pytest.raises(DataError, match=r"row 1 \(line 2\): expected 12 fields"):
        read_ferplus_votes(path)


def test_row_count_mismatch_names_both_counts(fer2013, tmp_path):
    path = write_ferplus(tmp_path / "new.csv", fer2013.usage[:-1], [one_hot_votes(0)] * (len(fer2013) - 1))
    with pytest.raises(DataError, match=r"has 47 rows but fer2013\.csv has 48 faces"):
        apply_ferplus_labels(fer2013, path)


def test_usage_mismatch_names_the_first_row(fer2013, tmp_path):
    usage = fer2013.usage.copy()
    usage[[5, 9]] = "PrivateTest"
    path = write_ferplus(tmp_path / "new.csv", usage, [one_hot_votes(0)] * len(fer2013))
    with pytest.raises(DataError, match=r"row 6: Usage 'PrivateTest' but face 6 .* is Training"):
        apply_ferplus_labels(fer2013, path)


def test_image_folder_data_is_refused(fer2013, tmp_path):
    (tmp_path / "faces").mkdir()
    folder = dataclasses.replace(fer2013, source=str(tmp_path / "faces"),
                                 ids=np.array([f"f{i}.png" for i in range(len(fer2013))]))
    path = write_ferplus(tmp_path / "new.csv", fer2013.usage, [one_hot_votes(0)] * len(fer2013))
    with pytest.raises(DataError, match="image folder .*faces has no such order"):
        apply_ferplus_labels(folder, path)


@pytest.fixture
def fer2013_and_ferplus_files(tmp_path):
    return write_fer2013_and_ferplus(tmp_path)


def test_cli_data_info_with_ferplus_labels(fer2013_and_ferplus_files, capsys):
    from fer_bench.cli import main

    fer_path, new_path = fer2013_and_ferplus_files
    assert main(["data", "info", str(fer_path), "--labels", "ferplus", str(new_path)]) == 0
    captured = capsys.readouterr()
    assert "7 Contempt" in captured.out and "FER+ labels" in captured.out
    assert "(majority): 96 faces kept; dropped 0 no image, 0 no majority, 0 too spread, 0 unknown, 3 not a face" \
        in captured.err
    assert main(["data", "info", str(fer_path), "--labels", "affectnet", str(new_path)]) == 2
    assert "--labels 'affectnet': expected one of ferplus" in capsys.readouterr().err


def test_cli_run_with_ferplus_labels_scores_eight_classes(fer2013_and_ferplus_files, tmp_path, capsys):
    import json

    from fer_bench.cli import main

    fer_path, new_path = fer2013_and_ferplus_files
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "--data", str(fer_path), "--labels", "ferplus", str(new_path), "--out", str(run_dir),
                 "--quiet"]) == 0
    results = json.loads((run_dir / "results.json").read_text())
    assert results["manifest"]["class_names"] == list(FERPLUS_CLASSES)
    assert results["manifest"]["data"]["file"]["md5"] == content_md5(fer_path)  # the faces' file, not unknown
    record = results["records"][0]
    assert record["status"] == "ok" and len(record["metrics"]["confusion_matrix"]) == 8
    assert record["metrics"]["n"] == 16
    report = (run_dir / "report.html").read_text()
    assert "Contempt" in report and "Happiness" in report


def test_cli_resume_reads_a_ferplus_run_s_faces_and_votes_again_in_its_mode(fer2013_and_ferplus_files, tmp_path,
                                                                              capsys):
    import json

    from fer_bench.cli import main

    fer_path, new_path = fer2013_and_ferplus_files
    run_dir = tmp_path / "run"
    assert main(["run", "knn", "svc_linear", "--data", str(fer_path), "--labels", "ferplus", str(new_path),
                 "--ferplus-mode", "probability", "--out", str(run_dir), "--quiet", "--save-models", "none"]) == 0
    results = run_dir / "results.json"
    raw = json.loads(results.read_text())
    raw["records"], raw["manifest"]["complete"] = raw["records"][:1], False  # svc_linear never finished
    results.write_text(json.dumps(raw))
    assert main(["run", "--resume", str(run_dir), "--quiet"]) == 0  # no --data, --labels or --ferplus-mode
    assert "(probability): 96 faces kept" in capsys.readouterr().err
    resumed = json.loads(results.read_text())
    assert [record["name"] for record in resumed["records"]] == ["knn", "svc_linear"]
    assert resumed["manifest"]["data"]["relabelling"]["mode"] == "probability" and resumed["manifest"]["complete"]

    new_path.rename(tmp_path / "elsewhere.csv")
    assert main(["run", "--resume", str(run_dir), "--quiet"]) == 2
    assert "name it with --data (and its --labels and --ferplus-mode)" in capsys.readouterr().err


def test_cli_run_in_crossentropy_mode_trains_networks_on_the_vote_distributions(fer2013_and_ferplus_files, tmp_path):
    import json

    from fer_bench.cli import main

    fer_path, new_path = fer2013_and_ferplus_files
    run_dir = tmp_path / "run"
    assert main(["run", "shallow_cnn", "knn", "--data", str(fer_path), "--labels", "ferplus", str(new_path),
                 "--ferplus-mode", "crossentropy", "--profile", "smoke", "--out", str(run_dir), "--quiet",
                 "--save-models", "none"]) == 0
    records = {record["name"]: record for record in json.loads((run_dir / "results.json").read_text())["records"]}
    assert {name: record["targets"] for name, record in records.items()} == {"shallow_cnn": "crossentropy",
                                                                             "knn": "labels"}
    report = (run_dir / "report.html").read_text()
    assert "Training targets: " in report
    assert f"Labels: FER+ {new_path} in crossentropy mode: 96 faces kept; dropped 0 no image" in report
    assert "FER+ vote distributions as soft targets (crossentropy) for shallow_cnn" in report
    assert "each face&#39;s top class for knn" in report
    assert "crossentropy" in (run_dir / "results.csv").read_text()


def labelled_pair(tmp_path, n=700, agreement=0.7, seed=0):
    """FER-2013 faces and their FER+ votes: the FER-2013 label is the FER+ one on about ``agreement`` of the
    faces (the others random), as in a genuine pair; returns (dataset, ferplus labels, votes file)."""
    rng = np.random.default_rng(seed)
    usage = np.repeat(SPLITS, [n - 2 * (n // 8), n // 8, n // 8])
    ferplus = rng.choice(8, n, p=[0.3, 0.25, 0.12, 0.1, 0.08, 0.05, 0.05, 0.05])
    labels = np.where(rng.random(n) < agreement, FER2013_LABEL_OF_FERPLUS[ferplus], rng.integers(0, 7, n))
    dataset = FERDataset(images=np.zeros((n, 48, 48), np.uint8), labels=labels, usage=usage, source="fer2013.csv",
                         sha256="0" * 64)
    return dataset, ferplus, write_ferplus(tmp_path / "fer2013new.csv", usage, [one_hot_votes(c) for c in ferplus])


def test_labels_that_agree_beyond_chance_are_accepted(tmp_path):
    dataset, ferplus, path = labelled_pair(tmp_path)
    relabelled, _ = apply_ferplus_labels(dataset, path)
    np.testing.assert_array_equal(relabelled.labels, ferplus)


def test_rows_in_another_order_are_refused_though_count_and_usage_match(tmp_path):
    dataset, ferplus, _ = labelled_pair(tmp_path)
    order = np.concatenate([np.random.default_rng(1).permutation(np.flatnonzero(dataset.usage == split))
                            for split in SPLITS])  # shuffled within each split: Usage still lines up
    path = write_ferplus(tmp_path / "shuffled.csv", dataset.usage, [one_hot_votes(c) for c in ferplus[order]])
    with pytest.raises(DataError) as error:
        apply_ferplus_labels(dataset, path)
    message = str(error.value)
    assert message.startswith(f"{path}: its rows do not line up with the faces of fer2013.csv")
    assert "expected by chance (Cohen's kappa" in message and "original fer2013.csv row order" in message


def test_the_real_ferplus_file_against_a_reordered_fer2013_is_refused(fer2013_csv):
    from fer_bench.datasets import load_dataset

    path = fer2013_csv.parent.parent / "ferplus" / "fer2013new.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (Microsoft's FER+ labels beside the FER-2013 folder)")
    dataset = load_dataset(fer2013_csv)
    votes, usage, _ = read_ferplus_votes(path)
    assert len(votes) == len(dataset) and np.array_equal(usage, dataset.usage)  # the checks it passed before
    with pytest.raises(DataError, match=r"fer2013new\.csv: its rows do not line up .* on 1\d\.\d% of .* faces, "
                                        r"1\d\.\d% expected by chance"):
        apply_ferplus_labels(dataset, path)
