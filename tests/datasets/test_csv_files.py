"""A CSV's bytes: plain, gzip, or the one CSV inside a tar or zip archive (Kaggle's fer2013.tar.gz)."""

import io
import re
import tarfile
import zipfile

import numpy as np
import pytest

from fer_bench.datasets import DataError, file_sha256, load_dataset
from fer_bench.datasets.csv_files import read_csv_file

from .test_csv_formats import SPLITS, faces, fer2013_rows

KAGGLE_MEMBERS = ("fer2013/README", "fer2013/fer2013.bib")


def fer2013_text(n=14, bad_row=None):
    """FER-2013's ``emotion,pixels,Usage`` text of ``n`` synthetic rows; row ``bad_row`` (1-based) has emotion 9."""
    rows = [list(row) for row in fer2013_rows(faces(n), np.arange(n) % 7, np.array(SPLITS)[np.arange(n) % 3])]
    if bad_row:
        rows[bad_row - 1][0] = "9"
    return ("\n".join(["emotion,pixels,Usage", *(",".join(row) for row in rows)]) + "\n").encode()


def write_tar(path, members, mode="w:gz"):
    """A tar archive of ``members`` (name -> bytes), a folder entry first as in Kaggle's."""
    with tarfile.open(path, mode) as archive:
        folder = tarfile.TarInfo("fer2013")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def kaggle_members(csv=None):
    return {"fer2013/fer2013.csv": csv or fer2013_text(), **{name: b"text\n" for name in KAGGLE_MEMBERS}}


@pytest.mark.parametrize("name, mode", [("fer2013.tar.gz", "w:gz"), ("fer2013.tar", "w"), ("faces.tgz", "w:gz")])
def test_kaggle_s_tar_gz_reads_as_the_csv_inside(tmp_path, name, mode):
    archive = write_tar(tmp_path / name, kaggle_members(), mode)
    plain = tmp_path / "fer2013.csv"
    plain.write_bytes(fer2013_text())
    dataset, expected = load_dataset(archive), load_dataset(plain)
    np.testing.assert_array_equal(dataset.images, expected.images)
    np.testing.assert_array_equal(dataset.labels, expected.labels)
    np.testing.assert_array_equal(dataset.usage, expected.usage)
    assert dataset.source == str(archive) and dataset.sha256 == file_sha256(archive)  # the file as given
    assert list(dataset.ids[:2]) == ["fer2013.csv:2", "fer2013.csv:3"]  # the CSV's own lines


def test_a_bad_row_inside_an_archive_names_the_archive_the_member_and_the_row(tmp_path):
    archive = write_tar(tmp_path / "fer2013.tar.gz", kaggle_members(fer2013_text(bad_row=3)))
    with pytest.raises(DataError, match=re.escape(f"{archive} (fer2013/fer2013.csv): row 3 (line 4): emotion")):
        load_dataset(archive)


def test_an_archive_of_several_csvs_says_which_to_extract(tmp_path):
    members = {name: fer2013_text() for name in ("icml_face_data.csv", "train.csv", "test.csv")}
    archive = tmp_path / "challenge.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    message = f"{archive}: an archive of 3 CSV files (icml_face_data.csv, train.csv, test.csv); extract the one to " \
              f"use, e.g. unzip {archive} icml_face_data.csv, and pass it as --data"
    with pytest.raises(DataError, match=re.escape(message)):
        load_dataset(archive)
    tarred = write_tar(tmp_path / "two.tar.gz", {"a/x.csv": b"1\n", "a/y.CSV": b"2\n"})
    with pytest.raises(DataError, match=re.escape(f"e.g. tar -xf {tarred} a/x.csv, and pass it as --data")):
        load_dataset(tarred)


def test_an_archive_without_a_csv_names_what_it_holds(tmp_path):
    archive = write_tar(tmp_path / "images.tar.gz", {"train/angry/1.png": b"png", "README": b"text\n"})
    with pytest.raises(DataError, match=re.escape(f"{archive}: an archive with no .csv file (it holds "
                                                  f"train/angry/1.png, README); extract it (tar -xf {archive})")):
        load_dataset(archive)


def test_a_zip_of_one_csv_is_read(tmp_path):
    archive = tmp_path / "fer2013.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("fer2013.csv", fer2013_text())
    text = read_csv_file(archive)
    assert (text.where, text.name, text.data) == (f"{archive} (fer2013.csv)", "fer2013.csv", fer2013_text())


def test_a_truncated_tar_is_one_error_naming_it(tmp_path):
    whole = write_tar(tmp_path / "whole.tar", kaggle_members(), "w").read_bytes()
    archive = tmp_path / "cut.tar"
    archive.write_bytes(whole[:1200])
    with pytest.raises(DataError, match=re.escape(f"{archive}: not a readable tar archive")):
        load_dataset(archive)


def test_binary_data_is_named_without_printing_it(tmp_path):
    path = tmp_path / "faces.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False}\x00\x00\x00\n")
    with pytest.raises(DataError) as error:
        load_dataset(path)
    assert str(error.value) == (f"{path}: line 1: binary data (NUL bytes), not CSV text; expected a header such as "
                                "'emotion,pixels,Usage'")
