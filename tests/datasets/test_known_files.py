import gzip
import hashlib

from fer_bench.datasets import known_files
from fer_bench.datasets.known_files import content_md5, identify_file

ROWS = b"emotion,pixels,Usage\n0," + b" ".join(b"7" for _ in range(2304)) + b",Training\n"


def test_a_file_is_known_by_the_md5_of_its_content_plain_or_gzipped(tmp_path, monkeypatch):
    plain, packed = tmp_path / "fer2013.csv", tmp_path / "fer2013.csv.gz"
    plain.write_bytes(ROWS)
    packed.write_bytes(gzip.compress(ROWS))
    md5 = hashlib.md5(ROWS).hexdigest()
    assert content_md5(plain) == content_md5(packed) == md5
    assert identify_file(plain) == {"md5": md5, "known": None, "name": known_files.UNKNOWN}
    monkeypatch.setitem(known_files.KNOWN_FILES, md5, ("original", "the original Kaggle fer2013.csv"))
    assert identify_file(packed)["known"] == "original"
    assert identify_file(tmp_path) is None and identify_file(tmp_path / "absent.csv") is None


def test_the_original_has_the_checksum_torchvision_lists():
    assert known_files.KNOWN_FILES["f8428a1edbd21e88f42c73edd2a14f95"][0] == known_files.ORIGINAL


def test_the_shared_files_are_named_the_original_and_a_re_encoded_copy(fer2013_original_csv, fer2013_csv):
    original, copy = identify_file(fer2013_original_csv), identify_file(fer2013_csv)
    assert original["md5"] == "f8428a1edbd21e88f42c73edd2a14f95" and original["known"] == known_files.ORIGINAL
    assert copy["known"] == known_files.REENCODED
    assert copy["name"] == known_files.KNOWN_FILES[copy["md5"]][1] != original["name"]
