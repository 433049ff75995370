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


def test_faces_relabelled_by_ferplus_votes_are_known_by_their_faces_file(tmp_path):
    from fer_bench.datasets import load_dataset, make_synthetic
    from fer_bench.datasets.ferplus import apply_ferplus_labels
    from fer_bench.datasets.known_files import identify_faces

    from ..ferplus_files import write_fer2013_and_ferplus

    fer_path, votes_path = write_fer2013_and_ferplus(tmp_path)
    relabelled, _ = apply_ferplus_labels(load_dataset(fer_path), votes_path)
    assert " + FER+ labels " in relabelled.source
    assert identify_faces(relabelled) == identify_file(fer_path) == {"md5": content_md5(fer_path), "known": None,
                                                                     "name": known_files.UNKNOWN}
    assert identify_faces(make_synthetic(n_per_class=3)) is None


def test_data_info_names_the_original_under_ferplus_labels(fer2013_original_csv, ferplus_csv, capsys):
    from fer_bench.cli import main

    assert main(["data", "info", str(fer2013_original_csv), "--labels", "ferplus", str(ferplus_csv)]) == 0
    assert "file:    the original Kaggle fer2013.csv (content md5 f8428a1edbd21e88f42c73edd2a14f95)" \
        in capsys.readouterr().out
