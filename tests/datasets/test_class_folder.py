import os

import numpy as np
import pytest
from PIL import Image

from fer_bench.datasets import DataError
from fer_bench.datasets.class_folder import read_face_folder
from fer_bench.datasets.layouts.class_folders import list_class_folder
from fer_bench.datasets.synthetic_folder import CK_PLUS_CLASSES, write_synthetic_folder


@pytest.fixture
def ck_folder(tmp_path):
    write_synthetic_folder(tmp_path / "ck", n_subjects=4, sequences=7, frames=2, size=64, seed=1)
    return tmp_path / "ck"


def test_native_class_names_and_48x48_gray_faces(ck_folder, tmp_path):
    faces = read_face_folder(ck_folder, cache_dir=tmp_path / "cache", n_jobs=1)
    assert faces.class_names == CK_PLUS_CLASSES
    assert faces.images.shape == (4 * 7 * 2, 48, 48) and faces.images.dtype == np.uint8
    assert list(faces.files) == sorted(faces.files)
    happy = faces.class_names.index("happy")
    assert all(file.startswith("happy/") for file in faces.files[faces.labels == happy])


def test_label_map_gives_fer2013_names_and_leaves_contempt_out(ck_folder, tmp_path):
    faces = read_face_folder(ck_folder, "ck+", cache_dir=tmp_path / "cache", n_jobs=1)
    assert faces.class_names == ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise")
    assert faces.excluded == {"contempt": 8}
    assert not any(file.startswith("contempt/") for file in faces.files)


def test_second_read_comes_from_the_cache_and_a_touched_file_misses_it(ck_folder, tmp_path):
    cache = tmp_path / "cache"
    first = read_face_folder(ck_folder, cache_dir=cache, n_jobs=1)
    (cached,) = cache.glob("*.npz")
    np.savez(cached, images=np.zeros_like(first.images), files=first.files, no_face=np.int64(0))  # mark the cache
    assert read_face_folder(ck_folder, cache_dir=cache, n_jobs=1).images.max() == 0
    touched = ck_folder / first.files[0]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    again = read_face_folder(ck_folder, cache_dir=cache, n_jobs=1)
    assert np.array_equal(again.images, first.images) and again.sha256 != first.sha256


def test_parallel_decoding_gives_the_same_faces(ck_folder, tmp_path):
    one = read_face_folder(ck_folder, use_cache=False, n_jobs=1)
    import fer_bench.datasets.class_folder as module

    chunk, module._CHUNK = module._CHUNK, 5
    try:
        two = read_face_folder(ck_folder, use_cache=False, n_jobs=2)
    finally:
        module._CHUNK = chunk
    assert np.array_equal(one.images, two.images)


def test_unreadable_image_is_named(ck_folder):
    broken = ck_folder / "fear" / "S009_001_00000001.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(DataError, match="S009_001_00000001.png: not a readable image"):
        read_face_folder(ck_folder, use_cache=False, n_jobs=1)


def test_image_outside_a_class_folder_and_unknown_names_are_refused(tmp_path):
    (tmp_path / "f" / "happy").mkdir(parents=True)
    Image.new("L", (10, 10)).save(tmp_path / "f" / "happy" / "a.png")
    Image.new("L", (10, 10)).save(tmp_path / "f" / "loose.png")
    with pytest.raises(DataError, match="loose.png: an image outside a class folder"):
        list_class_folder(tmp_path / "f")
    (tmp_path / "f" / "loose.png").unlink()
    (tmp_path / "f" / "smirk").mkdir()
    with pytest.raises(DataError, match="smirk: folder name is not a known class"):
        list_class_folder(tmp_path / "f", "ck+")
    with pytest.raises(KeyError, match="--label-map"):
        list_class_folder(tmp_path / "f", "bp4d")


def test_split_folders_are_not_classes(tmp_path):
    (tmp_path / "export" / "train" / "happy").mkdir(parents=True)
    with pytest.raises(DataError, match="train: a split folder, not a class"):
        list_class_folder(tmp_path / "export")


def test_detect_faces_crops_the_face_and_counts_images_without_one(tmp_path):
    from fer_bench.pipeline.face_crop import LargestFaceCrop
    from tests.pipeline.conftest import astronaut

    (tmp_path / "f" / "happy").mkdir(parents=True)
    Image.fromarray(astronaut()[:, :, ::-1]).save(tmp_path / "f" / "happy" / "S001_001_00000001.png")
    Image.new("L", (200, 200), 128).save(tmp_path / "f" / "happy" / "S002_001_00000001.png")
    detected = read_face_folder(tmp_path / "f", crop=LargestFaceCrop("haar"), use_cache=False, n_jobs=1)
    whole = read_face_folder(tmp_path / "f", use_cache=False, n_jobs=1)
    assert detected.no_face == 1 and whole.no_face == 0
    assert not np.array_equal(detected.images[0], whole.images[0])  # the crop, not the whole photo
    assert np.array_equal(detected.images[1], whole.images[1])  # no face: decoded whole


def test_a_file_name_that_is_not_utf8_is_read_and_cached(ck_folder, tmp_path):
    first = read_face_folder(ck_folder, cache_dir=tmp_path / "cache", n_jobs=1)
    original = ck_folder / first.files[0]
    original.rename(original.with_name(os.fsdecode(b"caf\xe9.png")))
    for _ in range(2):  # read, then from the cache
        faces = read_face_folder(ck_folder, cache_dir=tmp_path / "cache", n_jobs=1)
        assert os.fsdecode(b"caf\xe9.png") in {file.rsplit("/", 1)[1] for file in faces.files}
        assert len(faces.files) == len(first.files)


@pytest.mark.parametrize("damage", ["not a zip", "truncated", "pickled", "an array missing", "misshapen"])
def test_a_corrupt_cache_is_decoded_again_and_rewritten_saying_so(damage, ck_folder, tmp_path, capsys):
    cache = tmp_path / "cache"
    first = read_face_folder(ck_folder, cache_dir=cache, n_jobs=1)
    (cached,) = cache.glob("*.npz")
    if damage == "not a zip":
        cached.write_bytes(b"\x80\x04not a zip")
    elif damage == "truncated":
        cached.write_bytes(cached.read_bytes()[: cached.stat().st_size // 2])
    elif damage == "pickled":
        np.savez(cached, images=first.images, files=first.files.astype(object), no_face=np.int64(0))
    elif damage == "an array missing":
        np.savez(cached, images=first.images, files=first.files)
    else:
        np.savez(cached, images=first.images[:3], files=first.files, no_face=np.int64(0))
    capsys.readouterr()
    again = read_face_folder(ck_folder, cache_dir=cache, n_jobs=1)
    np.testing.assert_array_equal(again.images, first.images)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"warning: {cached}: corrupt .npz file") and line.endswith(
        "the folder is decoded again and the cache rewritten")
    np.testing.assert_array_equal(read_face_folder(ck_folder, cache_dir=cache, n_jobs=1).images, first.images)
    assert capsys.readouterr().err == ""  # rewritten whole


def test_a_cache_that_cannot_be_written_costs_only_the_next_read(ck_folder, tmp_path, capsys):
    cache = tmp_path / "cache"
    cache.write_text("a file, not a folder")
    faces = read_face_folder(ck_folder, cache_dir=cache, n_jobs=1)
    assert len(faces.images) == 4 * 7 * 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"warning: {cache}") and "cannot write the face-folder cache" in line


class NoFace:
    """A detector step that never finds a face."""

    def __call__(self, content):
        return None


def test_a_layout_is_read_with_its_subjects_and_cached(tmp_path):
    from tests.datasets.layouts.written import write_jaffe

    write_jaffe(tmp_path / "jaffe", subjects=("KA", "KL"), takes=2)
    faces = read_face_folder(tmp_path / "jaffe", layout=None, cache_dir=tmp_path / "cache", n_jobs=1)
    assert faces.layout == "jaffe" and faces.images.shape == (28, 48, 48) and faces.images.dtype == np.uint8
    assert faces.class_counts() == {name: 4 for name in ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise",
                                                         "Neutral")}
    assert list(faces.subjects[:2]) == ["KA", "KA"] and faces.partition is None
    again = read_face_folder(tmp_path / "jaffe", layout="jaffe", cache_dir=tmp_path / "cache", n_jobs=1)
    assert again.sha256 == faces.sha256 and np.array_equal(again.images, faces.images)
    missed = read_face_folder(tmp_path / "jaffe", crop=NoFace(), layout="jaffe", cache_dir=tmp_path / "cache",
                              n_jobs=1)
    assert missed.no_face == 28 and missed.sha256 != faces.sha256  # counted, used whole, never dropped
    assert np.array_equal(missed.images, faces.images)


def test_face_boxes_are_cropped_in_the_label_file_s_order_of_sides(tmp_path):
    from tests.datasets.layouts.test_expw import FACES
    from tests.datasets.layouts.written import write_expw

    write_expw(tmp_path / "expw", FACES)
    faces = read_face_folder(tmp_path / "expw", layout="expw", use_cache=False, n_jobs=1)
    assert faces.files[1] == "image/origin/a.jpg#1" and faces.images.min() == 255  # every crop inside a white box
    with pytest.raises(ValueError, match="--detect-faces does not go with --layout expw"):
        read_face_folder(tmp_path / "expw", crop=NoFace(), layout="expw", use_cache=False, n_jobs=1)


def test_a_face_box_outside_its_image_names_the_label_line(tmp_path):
    from tests.datasets.layouts.written import write_affectnet

    write_affectnet(tmp_path / "an", training=[1, 2], validation=[3], size=(80, 60), box=(50, 20, 40, 30))
    with pytest.raises(DataError, match=r"training\.csv: line 2: face box \(left 50, top 20, right 90, bottom 50\) "
                                        r"lies outside .*t0000\.jpg \(80x60 pixels\)"):
        read_face_folder(tmp_path / "an", layout="affectnet", use_cache=False, n_jobs=1)


def test_a_changed_label_file_changes_the_key(tmp_path):
    from tests.datasets.layouts.written import write_rafdb

    write_rafdb(tmp_path / "raf", [1, 4, 4], [6])
    first = read_face_folder(tmp_path / "raf", layout="rafdb", cache_dir=tmp_path / "cache", n_jobs=1)
    assert list(first.partition) == ["Training"] * 3 + ["PrivateTest"]
    label_file = tmp_path / "raf" / "EmoLabel" / "list_patition_label.txt"
    label_file.write_text(label_file.read_text().replace("train_00002.jpg 4", "train_00002.jpg 5"))
    second = read_face_folder(tmp_path / "raf", layout="rafdb", cache_dir=tmp_path / "cache", n_jobs=1)
    assert second.sha256 != first.sha256 and second.class_names == ("Angry", "Happy", "Sad", "Surprise")
