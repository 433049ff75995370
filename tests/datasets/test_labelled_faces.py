"""Labelled faces to score a model on: a FER-2013 split, or a folder of class folders read in FER-2013's label space."""

import numpy as np
import pytest
from PIL import Image

from fer_bench.datasets import DataError, make_synthetic, read_class_folder, split_faces
from fer_bench.labels import FER2013_CLASSES

from ..crafted_images import bomb_png, write_ck_plus_like


def test_ck_plus_folder_is_mapped_and_contempt_excluded(tmp_path):
    faces = read_class_folder(write_ck_plus_like(tmp_path / "ck"), "ck+")
    assert faces.excluded == {"contempt": 2}
    assert faces.images.dtype == np.uint8 and faces.images.shape == (10, 48, 48)
    names = [FER2013_CLASSES[label] for label in faces.labels]
    assert names == ["Angry"] * 3 + ["Happy"] * 4 + ["Sad"] * 2 + ["Surprise"]
    assert faces.class_names == FER2013_CLASSES and faces.scope == "CK+ folder"



def test_ck_plus_names_need_the_label_map(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    with pytest.raises(DataError, match=r"ck/anger: folder name is not a known class.*--label-map"):
        read_class_folder(root)



def test_unknown_folder_is_named_even_with_a_map(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    (root / "bored").mkdir()
    with pytest.raises(DataError, match=r"ck/bored: folder name is not a known class: unknown expression 'bored'"):
        read_class_folder(root, "ck+")



def test_image_outside_class_folders_and_unreadable_images(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    (root / "loose.png").write_bytes(b"")
    with pytest.raises(DataError, match="loose.png: an image outside a class folder"):
        read_class_folder(root, "ck+")
    (root / "loose.png").unlink()
    (root / "happy" / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DataError, match=r"happy/broken\.jpg: not a readable image"):
        read_class_folder(root, "ck+")



def test_only_excluded_images_is_an_error(tmp_path):
    (tmp_path / "contempt").mkdir()
    Image.new("L", (20, 20)).save(tmp_path / "contempt" / "a.png")
    with pytest.raises(DataError, match=r"no images .* to score.*contempt"):
        read_class_folder(tmp_path, "ck+")



def test_fer2013_split_faces_and_unlabelled_split():
    dataset = make_synthetic(n_per_class=5)
    faces = split_faces(dataset, "PublicTest")
    assert len(faces.labels) == 7 and faces.scope == "PublicTest" and faces.synthetic
    with pytest.raises(KeyError, match="unknown split 'Test'"):
        split_faces(dataset, "Test")



def test_fer2013_export_root_gets_a_hint(tmp_path):
    (tmp_path / "test" / "happy").mkdir(parents=True)
    with pytest.raises(DataError, match=r"unknown expression 'test'.*give DIR/test, or DIR with --data"):
        read_class_folder(tmp_path)



def test_a_class_folder_that_is_a_symlink_loop_is_an_error(tmp_path):
    import os

    root = write_ck_plus_like(tmp_path / "ck")
    os.symlink("fear", root / "fear")  # fear -> fear
    with pytest.raises(DataError, match=r"ck/fear: a symbolic link loop"):
        read_class_folder(root, "ck+")



def test_class_folder_images_are_read_with_the_pixel_limit_and_the_minimum_size(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    (root / "happy" / "bomb.png").write_bytes(bomb_png(8000, 8000))
    with pytest.raises(DataError, match=r"happy/bomb\.png: 8000x8000 pixels .* exceed the limit of 40,000,000"):
        read_class_folder(root, "ck+")
    (root / "happy" / "bomb.png").unlink()
    with pytest.raises(DataError, match=r"exceed the limit of 1,000 pixels"):
        read_class_folder(root, "ck+", max_pixels=1000)
    Image.new("L", (1, 1)).save(root / "happy" / "dot.png")
    with pytest.raises(DataError, match=r"happy/dot\.png: 1x1 pixels is too small for a face"):
        read_class_folder(root, "ck+")


def test_a_data_folder_s_faces_in_fer2013_s_label_space(tmp_path):
    from fer_bench.datasets.class_folder import read_face_folder
    from fer_bench.datasets.labelled_faces import folder_faces

    from .layouts.written import write_affectnet

    write_affectnet(tmp_path / "an", training=[1, 6, 7], validation=[2, 0, 8])
    faces = read_face_folder(tmp_path / "an", layout="affectnet", use_cache=False, n_jobs=1)
    test = folder_faces(faces)  # the partition's test part
    assert [FER2013_CLASSES[label] for label in test.labels] == ["Sad", "Neutral"]
    assert test.class_names == FER2013_CLASSES and test.scope == "affectnet PrivateTest"
    assert list(test.files) == ["Manually_Annotated_Images/0/v0000.jpg", "Manually_Annotated_Images/1/v0001.jpg"]
    assert test.excluded == {"contempt": 1, "none": 1}
    assert [FER2013_CLASSES[label] for label in folder_faces(faces, "Training").labels] == ["Happy", "Angry"]
    with pytest.raises(DataError, match="the affectnet partition has no PublicTest part; expected --split "
                                        "PrivateTest or Training"):
        folder_faces(faces, "PublicTest")
    native = read_face_folder(write_ck_plus_like(tmp_path / "ck"), use_cache=False, n_jobs=1)
    with pytest.raises(DataError, match=r"unknown expression 'anger'.*another data set's names need --label-map"):
        folder_faces(native)
