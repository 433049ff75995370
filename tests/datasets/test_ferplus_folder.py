"""FER+ folders as Microsoft's generate_training_data.py writes them (fer_bench.datasets.ferplus_folder)."""

import gzip

import numpy as np
import pytest
from PIL import Image

from fer_bench.cli import main
from fer_bench.datasets import DataError, load_dataset
from fer_bench.datasets.ferplus import apply_ferplus_labels
from fer_bench.datasets.ferplus_folder import FERPLUS_FOLDERS, read_ferplus_folder
from fer_bench.datasets.ferplus_modes import DISTRIBUTION_MODES, LABEL_MODES
from fer_bench.labels import FERPLUS_CLASSES

HEADER = "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF"


def write_pair_and_folder(root, images, usage, votes, fer_labels, box=False):
    """fer2013.csv, fer2013new.csv and the FER+ folders of the same rows (every row kept by FER+)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "fer2013.csv").write_text("emotion,pixels,Usage\n" + "".join(
        f"{label},{' '.join(map(str, image.ravel()))},{split}\n" for image, label, split in zip(images, fer_labels, usage)))
    (root / "fer2013new.csv").write_text(HEADER + "\n" + "".join(
        f"{split},fer{i:07d}.png,{','.join(map(str, row))}\n" for i, (split, row) in enumerate(zip(usage, votes))))
    folders = root / "ferplus"
    rows = {}
    for i, (image, split, row) in enumerate(zip(images, usage, votes)):
        folder = next(name for name, value in FERPLUS_FOLDERS.items() if value == split)
        (folders / folder).mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folders / folder / f"fer{i:07d}.png")
        box_field = ['"(0, 0, 48, 48)"'] if box else []
        rows.setdefault(folder, []).append(",".join([f"fer{i:07d}.png", *box_field, *map(str, row)]))
    for folder, lines in rows.items():
        (folders / folder / "label.csv").write_text("\n".join(lines) + "\n")
    return root / "fer2013.csv", root / "fer2013new.csv", folders


@pytest.fixture
def synthetic_pair(tmp_path):
    rng = np.random.default_rng(0)
    usage = np.repeat(["Training", "PublicTest", "PrivateTest"], [40, 12, 12])
    ferplus = rng.integers(0, 8, len(usage))
    votes = np.zeros((len(usage), 10), dtype=int)
    votes[np.arange(len(usage)), ferplus] = 6
    votes[np.arange(len(usage)), (ferplus + 1) % 10] = rng.integers(1, 5, len(usage))
    votes[::9, 8] = 8  # some faces with unknown on top
    fer_labels = np.array([6, 3, 5, 4, 0, 1, 2, 6])[ferplus]
    images = rng.integers(0, 256, (len(usage), 48, 48), dtype=np.uint8)
    return images, usage, votes, fer_labels


@pytest.mark.parametrize("mode", LABEL_MODES)
@pytest.mark.parametrize("box", [False, True])
def test_the_folders_give_what_the_csv_pair_gives(synthetic_pair, tmp_path, mode, box):
    csv_path, new_path, folders = write_pair_and_folder(tmp_path / "data", *synthetic_pair, box=box)
    from_csv, dropped_csv = apply_ferplus_labels(load_dataset(csv_path), new_path, mode)
    from_folders, dropped_folders = read_ferplus_folder(folders, mode)
    assert dropped_folders == dropped_csv and from_folders.class_names == FERPLUS_CLASSES
    np.testing.assert_array_equal(from_folders.images, from_csv.images)
    np.testing.assert_array_equal(from_folders.labels, from_csv.labels)
    np.testing.assert_array_equal(from_folders.usage, from_csv.usage)
    assert from_folders.target_mode == from_csv.target_mode == (mode if mode in DISTRIBUTION_MODES else "")
    if mode in DISTRIBUTION_MODES:
        np.testing.assert_array_equal(from_folders.targets, from_csv.targets)
    assert load_dataset(folders).labels.tolist() == read_ferplus_folder(folders)[0].labels.tolist()


def test_the_cli_reads_the_folders_as_data(synthetic_pair, tmp_path, capsys):
    _, _, folders = write_pair_and_folder(tmp_path / "data", *synthetic_pair)
    assert main(["data", "info", str(folders)]) == 0
    captured = capsys.readouterr()
    assert "7 Contempt" in captured.out and f"FER+ labels from {folders} (majority):" in captured.err
    assert main(["data", "info", str(folders), "--labels", "ferplus", "x.csv"]) == 2
    assert "holds FER+ folders with their own votes" in capsys.readouterr().err


@pytest.mark.parametrize("fault, message", [
    ("missing image", r"FER2013Train/label\.csv: row 1: its image .*fer0000000\.png does not exist"),
    ("stray image", r"FER2013Train/stray\.png: an image without a row in .*label\.csv"),
    ("box outside", r"FER2013Valid/label\.csv: row 1: face box \(0, 0, 60, 48\) falls outside fer0000040\.png"),
    ("short row", r"FER2013Test/label\.csv: row 2: expected the image name, optionally its face box, and 10 vote"),
    ("bad vote", r"FER2013Train/label\.csv: row 1: the neutral votes must be a non-negative integer, found 'x'"),
])
def test_a_bad_folder_is_one_error_naming_the_file(synthetic_pair, tmp_path, fault, message):
    _, _, folders = write_pair_and_folder(tmp_path / "data", *synthetic_pair)
    train, valid, test = (folders / name for name in FERPLUS_FOLDERS)
    if fault == "missing image":
        (train / "fer0000000.png").unlink()
    elif fault == "stray image":
        Image.fromarray(np.zeros((48, 48), np.uint8)).save(train / "stray.png")
    elif fault == "box outside":
        lines = (valid / "label.csv").read_text().splitlines()
        name, *votes = lines[0].split(",")
        lines[0] = ",".join([name, '"(0, 0, 60, 48)"', *votes])
        (valid / "label.csv").write_text("\n".join(lines) + "\n")
    elif fault == "short row":
        lines = (test / "label.csv").read_text().splitlines()
        lines[1] = lines[1].rsplit(",", 1)[0]
        (test / "label.csv").write_text("\n".join(lines) + "\n")
    else:
        lines = (train / "label.csv").read_text().splitlines()
        name, _, *votes = lines[0].split(",")
        lines[0] = ",".join([name, "x", *votes])
        (train / "label.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=message) as error:
        read_ferplus_folder(folders)
    assert "\n" not in str(error.value)


def test_folders_built_from_rows_of_the_original_file_match_the_csv_pair(fer2013_original_csv, ferplus_csv,
                                                                         tmp_path):
    """20 rows of each split of the original fer2013.csv and their FER+ votes, in both layouts."""
    with gzip.open(fer2013_original_csv, "rt") as stream:
        fer_rows = [next(stream)] + [line for _, line in zip(range(40_000), stream)]
    new_rows = ferplus_csv.read_text().splitlines()
    chosen = []
    for split in ("Training", "PublicTest", "PrivateTest"):
        rows = [i for i in range(1, len(fer_rows)) if fer_rows[i].rstrip().endswith(split)
                and new_rows[i].split(",")[1]][:20]
        chosen += rows
    images = np.array([np.array(fer_rows[i].split(",")[1].split(), dtype=np.uint8).reshape(48, 48) for i in chosen])
    usage = np.array([fer_rows[i].rstrip().rsplit(",", 1)[1] for i in chosen])
    votes = np.array([[int(value) for value in new_rows[i].split(",")[2:12]] for i in chosen])
    fer_labels = np.array([int(fer_rows[i].split(",")[0]) for i in chosen])
    csv_path, new_path, folders = write_pair_and_folder(tmp_path / "real", images, usage, votes, fer_labels)
    from_csv, dropped = apply_ferplus_labels(load_dataset(csv_path), new_path)
    from_folders, dropped_folders = read_ferplus_folder(folders)
    assert dropped_folders == dropped and len(from_folders) == len(from_csv) > 40
    np.testing.assert_array_equal(from_folders.images, from_csv.images)
    np.testing.assert_array_equal(from_folders.labels, from_csv.labels)
