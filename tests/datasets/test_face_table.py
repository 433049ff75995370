import numpy as np
import pytest

from fer_bench.datasets import DataError
from fer_bench.datasets.face_table import read_face_table


def test_values_in_face_order_by_file_or_row(tmp_path):
    table = tmp_path / "groups.csv"
    table.write_text("file,group\nsad/b.png,adult\nhappy/a.png,child\nother.png,adult\n")
    assert list(read_face_table(table, "group", files=np.array(["happy/a.png", "sad/b.png"]))) == ["child", "adult"]
    rows = tmp_path / "rows.csv"
    rows.write_text("row,group\n0,adult\n5,child\n")
    assert list(read_face_table(rows, "group", rows=np.array([5, 0]))) == ["child", "adult"]


def test_face_named_twice_names_both_lines(tmp_path):
    table = tmp_path / "groups.csv"
    table.write_text("file,group\na.png,child\nb.png,adult\na.png,adult\n")
    with pytest.raises(DataError, match=r"lines 2 and 4: file a.png is named twice"):
        read_face_table(table, "group", files=np.array(["a.png", "b.png"]))


def test_missing_faces_are_named(tmp_path):
    table = tmp_path / "groups.csv"
    table.write_text("file,group\na.png,child\n")
    with pytest.raises(DataError, match=r"no group for 2 of 3 faces \(file b.png, c.png\)"):
        read_face_table(table, "group", files=np.array(["a.png", "b.png", "c.png"]))


def test_bad_header_and_bad_row_numbers(tmp_path):
    table = tmp_path / "groups.csv"
    table.write_text("name,group\na.png,child\n")
    with pytest.raises(DataError, match="expected the columns file,group"):
        read_face_table(table, "group", files=np.array(["a.png"]))
    table.write_text("row,group\nx1,child\n")
    with pytest.raises(DataError, match="line 2: row 'x1' is not a FER-2013 row number"):
        read_face_table(table, "group", rows=np.array([1]))
    with pytest.raises(FileNotFoundError):
        read_face_table(tmp_path / "absent.csv", "group", rows=np.array([1]))
