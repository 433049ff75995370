"""The real JAFFE (Lyons et al., 1998) read with ``--layout jaffe``: the counts its README gives. Skipped without
``--jaffe-dir`` / ``FER_BENCH_JAFFE_DIR``; the images are research-only and never copied into the repository."""

from collections import Counter

import numpy as np

from fer_bench.cli import main
from fer_bench.datasets.class_folder import read_face_folder
from fer_bench.datasets.folds import LOSO, make_folds
from fer_bench.datasets.layouts import detect_layout

CLASSES = {"Angry": 30, "Disgust": 29, "Fear": 32, "Happy": 31, "Sad": 31, "Surprise": 30, "Neutral": 30}
"""The README's AN 30, DI 29, FE 32, HA 31, NE 30, SA 31, SU 30, in FER-2013's names and order."""
SUBJECTS = {"KA": 23, "KL": 22, "KM": 22, "KR": 20, "MK": 21, "NA": 21, "NM": 20, "TM": 21, "UY": 21, "YM": 22}


def test_the_readme_s_counts_per_class_and_subject(jaffe_dir, tmp_path):
    assert detect_layout(jaffe_dir) == "jaffe"
    faces = read_face_folder(jaffe_dir, layout="jaffe", cache_dir=tmp_path / "cache")
    assert faces.images.shape == (213, 48, 48) and faces.images.dtype == np.uint8
    assert faces.class_counts() == CLASSES and not faces.excluded and faces.partition is None
    assert dict(Counter(faces.subjects.tolist())) == SUBJECTS
    folds = make_folds(faces.labels, faces.subjects, LOSO, kind="subject")
    assert [len(rows) for rows in folds] == list(SUBJECTS.values())  # leave-one-subject-out: 10 folds


def test_the_command_line_reads_it_by_layout(jaffe_dir, tmp_path, capsys):
    status = main(["run", "svc_linear", "--data-folder", str(jaffe_dir), "--layout", "jaffe", "--folds", "loso",
                   "--split", "subject", "--out", str(tmp_path / "run"), "--quiet", "--save-models", "none",
                   "--profile", "smoke"])
    assert status == 0
    assert f"{jaffe_dir}: 213 faces, 10 subjects, classes Angry 30, Disgust 29" in capsys.readouterr().err
