import gzip
import re

import numpy as np
import pytest

from fer_bench.datasets import DataError, load_dataset
from fer_bench.datasets import file_sha256

SPLITS = ("Training", "PublicTest", "PrivateTest")


def faces(n, seed=0):
    """``n`` random faces, including the edge values 0, 9, 10, 99, 100 and 255."""
    images = np.random.default_rng(seed).integers(0, 256, (n, 48, 48), dtype=np.uint8)
    images[:, 0, :6] = [0, 9, 10, 99, 100, 255]
    return images


def pixel_text(image):
    return " ".join(map(str, image.ravel()))


def write(path, header, rows, newline="\n", compress=False):
    """Write a CSV from a header and rows of already formatted fields."""
    text = newline.join([header, *(",".join(row) for row in rows)]) + newline
    data = gzip.compress(text.encode()) if compress else text.encode()
    path.write_bytes(data)
    return path


def fer2013_rows(images, labels, usage):
    return [(str(label), pixel_text(image), split) for image, label, split in zip(images, labels, usage)]


@pytest.fixture
def tiny():
    """21 faces: 3 per class, one of each class in every split."""
    labels = np.tile(np.arange(7), 3)
    usage = np.repeat(SPLITS, 7)
    return faces(21), labels, usage


def assert_same(dataset, images, labels, usage):
    assert dataset.images.dtype == np.uint8 and dataset.images.shape == (len(images), 48, 48)
    assert dataset.labels.dtype == np.int64
    np.testing.assert_array_equal(dataset.images, images)
    np.testing.assert_array_equal(dataset.labels, labels)
    np.testing.assert_array_equal(dataset.usage, usage)


@pytest.mark.parametrize("compress", [False, True])
def test_fer2013_csv_plain_and_gzip(tmp_path, tiny, compress):
    path = write(tmp_path / ("fer2013.csv.gz" if compress else "fer2013.csv"), "emotion,pixels,Usage",
                 fer2013_rows(*tiny), compress=compress)
    dataset = load_dataset(path)
    assert_same(dataset, *tiny)
    assert dataset.sha256 == file_sha256(path) and dataset.source == str(path) and not dataset.synthetic
    assert dataset.counts()["PublicTest"] == {name: 1 for name in dataset.class_names}


def test_gzip_is_found_by_its_magic_bytes_not_its_suffix(tmp_path, tiny):
    path = write(tmp_path / "faces.csv", "emotion,pixels,Usage", fer2013_rows(*tiny), compress=True)
    assert_same(load_dataset(path), *tiny)


def test_icml_face_data_with_spaced_names_crlf_quotes_and_blank_lines(tmp_path, tiny):
    rows = [(str(label), f" {split}", f'"{pixel_text(image)}"') for image, label, split in zip(*tiny)]
    path = write(tmp_path / "icml_face_data.csv", "\ufeffemotion, Usage, pixels", rows, newline="\r\n")
    path.write_bytes(path.read_bytes() + b"\r\n\r\n")
    assert_same(load_dataset(path), *tiny)


def test_extra_spaces_and_tabs_between_pixels(tmp_path, tiny):
    rows = fer2013_rows(*tiny)
    rows[0] = (rows[0][0], "  " + rows[0][1].replace(" ", " \t ", 5) + " ", rows[0][2])
    assert_same(load_dataset(write(tmp_path / "fer2013.csv", "emotion,pixels,Usage", rows)), *tiny)


def challenge_test_rows(n):
    """``n`` faces whose first pixel is the row number modulo 256, the rest 0 (a small file)."""
    zeros = " 0" * (48 * 48 - 1)
    return [(f"{i % 256}{zeros}",) for i in range(n)]


def test_challenge_train_csv_with_test_csv_beside_it(tmp_path, tiny):
    images, labels, _ = tiny
    train = write(tmp_path / "train.csv", "emotion,pixels", [(str(l), pixel_text(i)) for i, l in zip(images, labels)])
    test = write(tmp_path / "test.csv", "pixels", challenge_test_rows(3589 + 5))
    dataset = load_dataset(train)
    n = len(images)
    np.testing.assert_array_equal(dataset.images[:n], images)
    assert list(dataset.labels[:n]) == list(labels) and np.all(dataset.labels[n:] == -1)
    assert list(dataset.usage[:n]) == ["Training"] * n
    # The challenge's test.csv is PublicTest then PrivateTest, in FER-2013's order.
    assert (dataset.usage == "PublicTest").sum() == 3589 and (dataset.usage == "PrivateTest").sum() == 5
    assert dataset.images[n + 3589 + 4, 0, 0] == (3589 + 4) % 256
    assert dataset.counts()["PrivateTest"]["unlabelled"] == 5
    assert str(test) in dataset.source and dataset.sha256 not in (file_sha256(train), file_sha256(test))


def test_challenge_train_csv_alone_and_with_an_explicit_test_path(tmp_path, tiny):
    images, labels, _ = tiny
    train = write(tmp_path / "train.csv", "emotion,pixels", [(str(l), pixel_text(i)) for i, l in zip(images, labels)])
    alone = load_dataset(train)
    assert set(alone.usage) == {"Training"} and alone.sha256 == file_sha256(train)
    (tmp_path / "elsewhere").mkdir()
    test = write(tmp_path / "elsewhere" / "private.csv.gz", "pixels", challenge_test_rows(4), compress=True)
    dataset = load_dataset(train, test_path=test)
    assert len(dataset) == len(images) + 4 and list(dataset.usage[-4:]) == ["PublicTest"] * 4


def test_challenge_test_csv_alone_is_unlabelled(tmp_path):
    dataset = load_dataset(write(tmp_path / "test.csv", "pixels", challenge_test_rows(3)))
    assert list(dataset.labels) == [-1, -1, -1] and set(dataset.usage) == {"PublicTest"}


def test_a_chunk_boundary_keeps_rows_aligned(tmp_path):
    n = 600  # more than two chunks of rows
    images, labels = faces(n, seed=1), np.arange(n) % 7
    usage = np.array(SPLITS)[np.arange(n) % 3]
    path = write(tmp_path / "fer2013.csv", "emotion,pixels,Usage", fer2013_rows(images, labels, usage))
    assert_same(load_dataset(path), images, labels, usage)


# Bad input: every message names the file, and the first bad row with its line.

def bad_row_file(tmp_path, row, field, value, n=8):
    """A fer2013.csv of ``n`` good rows but data row ``row`` (1-based), whose field ``field`` is ``value``."""
    rows = [list(r) for r in fer2013_rows(faces(n), np.arange(n) % 7, np.array(SPLITS)[np.arange(n) % 3])]
    rows[row - 1][field] = value
    return write(tmp_path / "bad.csv", "emotion,pixels,Usage", rows)


def raises(path, *patterns, test_path=None):
    with pytest.raises(DataError) as error:
        load_dataset(path, test_path=test_path)
    message = str(error.value)
    assert str(path) in message
    for pattern in patterns:
        assert re.search(pattern, message), message
    return message


ONE_ROW = " ".join(["1"] * 2304)


@pytest.mark.parametrize("row, field, value, patterns", [
    (2, 1, " ".join(["1"] * 2303), [r"row 2 \(line 3\)", "2,304 integers", "found 2,303"]),
    (5, 1, " ".join(["1"] * 2305), [r"row 5 \(line 6\)", "found 2,305"]),
    (3, 1, ONE_ROW.replace("1", "256", 1), [r"row 3 \(line 4\)", "0..255", "number 1 is out of range"]),
    (3, 1, ONE_ROW[:-1] + "1000", [r"row 3 \(line 4\)", "number 2304 is out of range"]),
    (4, 1, ONE_ROW.replace("1", "-1", 1), [r"row 4 \(line 5\)", "'-'"]),
    (4, 1, ONE_ROW.replace("1", "1.5", 1), [r"row 4 \(line 5\)", r"'\.' at character 2"]),
    (6, 1, "", [r"row 6 \(line 7\)", "found 0 numbers"]),
    (7, 0, "7", [r"row 7 \(line 8\)", "emotion must be an integer 0..6", "'7'"]),
    (1, 0, "happy", [r"row 1 \(line 2\)", "'happy'"]),
    (2, 2, "Validation", [r"row 2 \(line 3\)", "unknown Usage 'Validation'", "Training, PublicTest, PrivateTest"]),
    (8, 2, "Training,extra", [r"row 8 \(line 9\)", "expected 3 comma-separated fields", "found 4"]),
])
def test_bad_rows_are_named(tmp_path, row, field, value, patterns):
    raises(bad_row_file(tmp_path, row, field, value), *patterns)


def test_the_first_of_several_bad_rows_is_named_even_in_a_later_chunk(tmp_path):
    n = 600
    rows = [list(r) for r in fer2013_rows(faces(n), np.arange(n) % 7, np.array(SPLITS)[np.arange(n) % 3])]
    rows[299][1] = rows[299][1] + " 7"
    rows[450][1] = rows[450][1].replace(" ", "x", 1)
    raises(write(tmp_path / "bad.csv", "emotion,pixels,Usage", rows), r"row 300 \(line 301\)", "found 2,305")


@pytest.mark.parametrize("bad", [
    {5: (1, ONE_ROW + " 1"), 2: (0, "9")},
    {2: (1, ONE_ROW.replace("1", "x")), 3: (2, "Test")},
    {6: (2, "Test"), 2: (1, ONE_ROW.replace("1", "300"))},
])
def test_the_earliest_bad_row_is_named_whichever_column_it_is_in(tmp_path, bad):
    n = 8
    rows = [list(r) for r in fer2013_rows(faces(n), np.arange(n) % 7, np.array(SPLITS)[np.arange(n) % 3])]
    for row, (field, value) in bad.items():
        rows[row - 1][field] = value
    raises(write(tmp_path / "bad.csv", "emotion,pixels,Usage", rows), r"row 2 \(line 3\)")


def test_missing_file(tmp_path):
    raises(tmp_path / "nowhere.csv", "does not exist")


@pytest.mark.parametrize("content", [b"", b"\n  \r\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    raises(path, "empty")


def test_header_without_rows(tmp_path):
    raises(write(tmp_path / "header.csv", "emotion,pixels,Usage", []), "no data rows")


def test_unreadable_gzip(tmp_path, tiny):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(gzip.compress(write(tmp_path / "x.csv", "emotion,pixels,Usage", fer2013_rows(*tiny)).read_bytes())[:500])
    raises(path, "not a readable gzip file")


@pytest.mark.parametrize("header, patterns", [
    ("emotion,Usage", ["missing column\\(s\\) pixels", "needs emotion, pixels, usage", "found emotion, usage"]),
    ("emotion", ["missing column\\(s\\) pixels", "train.csv", "found emotion"]),
    ("label,image", ["matches no FER-2013 layout", "emotion, pixels, usage"]),
])
def test_missing_columns_list_expected_and_found(tmp_path, header, patterns):
    raises(write(tmp_path / "columns.csv", header, [("0", "1")]), *patterns)


def test_test_path_goes_only_with_train_csv(tmp_path, tiny):
    path = write(tmp_path / "fer2013.csv", "emotion,pixels,Usage", fer2013_rows(*tiny))
    raises(path, "goes only with the challenge train.csv", test_path=tmp_path / "test.csv")


def test_a_test_csv_of_another_layout_is_refused(tmp_path, tiny):
    train = write(tmp_path / "train.csv", "emotion,pixels", [("0", ONE_ROW)])
    other = write(tmp_path / "other.csv", "emotion,pixels,Usage", fer2013_rows(*tiny))
    with pytest.raises(DataError, match=re.escape(str(other)) + ".*expected the challenge test.csv layout"):
        load_dataset(train, test_path=other)


def test_ids_name_file_and_line(tmp_path):
    from fer_bench.datasets import load_dataset

    pixels = " ".join(["7"] * 2304)
    path = tmp_path / "fer2013.csv"
    path.write_text(f"emotion,pixels,Usage\n0,{pixels},Training\n\n1,{pixels},PrivateTest\n")
    assert load_dataset(path).ids.tolist() == ["fer2013.csv:2", "fer2013.csv:4"]  # the blank line 3 is skipped


@pytest.mark.parametrize("header, patterns", [
    ("emotion,pixels,Split", [r"unknown column\(s\) Split", "only the columns emotion, pixels and Usage",
                              "found emotion, pixels, split"]),
    ("emotion,pixels,Usage,subject", [r"unknown column\(s\) subject"]),
    ("emotion,pixels,pixels", [r"column\(s\) pixels appear more than once"]),
    ("emotion,Usage,pixels,usage", [r"column\(s\) Usage, usage appear more than once"]),
])
def test_unknown_and_repeated_columns_are_refused_naming_them(tmp_path, tiny, header, patterns):
    rows = [(*row, "x")[:header.count(",") + 1] for row in fer2013_rows(*tiny)]
    raises(write(tmp_path / "columns.csv", header, rows), *patterns)


def test_cr_only_line_ends_are_read(tmp_path, tiny):
    assert_same(load_dataset(write(tmp_path / "mac.csv", "emotion,pixels,Usage", fer2013_rows(*tiny), newline="\r")),
                *tiny)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_cr_line_ends_with_a_last_lf_or_crlf_are_read(tmp_path, tiny, ending):
    path = write(tmp_path / "mac.csv", "emotion,pixels,Usage", fer2013_rows(*tiny), newline="\r")
    path.write_bytes(path.read_bytes() + ending.encode())
    dataset = load_dataset(path)
    assert_same(dataset, *tiny)
    assert list(dataset.ids[:2]) == ["mac.csv:2", "mac.csv:3"]


def test_a_file_without_line_ends_gets_a_short_message(tmp_path, tiny):
    path = tmp_path / "one_line.csv"
    path.write_text("label,image," + ",".join(pixel_text(image) for image in tiny[0]))
    message = raises(path, "matches no FER-2013 layout", r"\(\d{3},\d{3} characters\)")
    assert len(message) < 600


@pytest.mark.parametrize("blank", ["   ", " \t ", "  \r"])
def test_lines_of_spaces_are_skipped_like_blank_lines(tmp_path, tiny, blank):
    path = write(tmp_path / "fer2013.csv", "emotion,pixels,Usage", fer2013_rows(*tiny))
    path.write_bytes(path.read_bytes() + blank.encode() + b"\n" + blank.encode())
    dataset = load_dataset(path)
    assert_same(dataset, *tiny)
    test = write(tmp_path / "test.csv", "pixels", [*challenge_test_rows(3), (blank,)])
    assert len(load_dataset(test)) == 3


@pytest.mark.parametrize("value, patterns", [
    ("0012", [r"number 1 is '0012', with leading zeros", "plain integer of at most 3 digits"]),
    ("0256", [r"number 1 is out of range \(0256\)"]),
    ("1000", [r"number 1 is out of range \(1000\)"]),
])
def test_a_pixel_of_four_digits_is_named_for_what_is_wrong(tmp_path, value, patterns):
    message = raises(bad_row_file(tmp_path, 3, 1, ONE_ROW.replace("1", value, 1)), r"row 3 \(line 4\)", *patterns)
    assert value != "0012" or "out of range" not in message
