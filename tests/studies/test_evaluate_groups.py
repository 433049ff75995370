import json
from argparse import Namespace

import numpy as np

from fer_bench.cli import main
from fer_bench.cli.study import evaluation_groups
from fer_bench.datasets import make_synthetic
from fer_bench.datasets import read_class_folder
from fer_bench.studies.evaluate import evaluate

from ..crafted_images import write_ck_plus_like
from .conftest import AlwaysHappy


def folder_args(root, groups, **more):
    return Namespace(groups=str(groups), min_group_size=1, data_folder=str(root), label_map="ck+", split=None, **more)


def test_folder_groups_follow_the_faces_order_even_in_nested_folders(tmp_path):
    root = write_ck_plus_like(tmp_path / "ck")
    files = sorted(path.relative_to(root).as_posix() for path in root.rglob("face*") if "contempt" not in path.parts)
    table = tmp_path / "groups.csv"
    table.write_text("file,group\n" + "".join(f"{file},{'smiling' if file.startswith('happy') else 'other'}\n"
                                               for file in files))
    faces = read_class_folder(root, "ck+")
    groups = evaluation_groups(folder_args(root, table), faces)
    record = evaluate(AlwaysHappy(), tmp_path / "model", faces, groups, min_group_size=1)
    smiling = record["groups"]["groups"]["smiling"]
    assert smiling["n"] == 4 and smiling["accuracy"] == 1.0
    assert record["groups"]["groups"]["other"]["accuracy"] == 0.0 and record["groups"]["test"]["p_value"] < 0.05


def test_fer2013_groups_by_row_number():
    dataset = make_synthetic(n_per_class=3)
    rows = np.flatnonzero(dataset.usage == "PrivateTest")
    from fer_bench.datasets.face_table import split_row_numbers

    assert np.array_equal(split_row_numbers(dataset, "PrivateTest"), rows)


def test_cli_evaluate_with_groups_and_a_missing_face(saved_model, tmp_path, capsys):
    root = write_ck_plus_like(tmp_path / "ck")
    files = sorted(path.relative_to(root).as_posix() for path in root.rglob("face*") if "contempt" not in path.parts)
    table = tmp_path / "groups.csv"
    table.write_text("file,group\n" + "".join(f"{file},{'a' if i % 2 else 'b'}\n" for i, file in enumerate(files)))
    out = tmp_path / "out"
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(root), "--label-map", "ck+",
                 "--groups", str(table), "--min-group-size", "2", "--out", str(out)]) == 0
    assert "chi-squared" in capsys.readouterr().out
    saved = json.loads((out / "evaluation.json").read_text())
    assert set(saved["groups"]["groups"]) == {"a", "b"}
    assert "Accuracy per subgroup" in (out / "evaluation.html").read_text()
    table.write_text("file,group\n" + "".join(f"{file},a\n" for file in files[1:]))
    assert main(["evaluate", "--model", str(saved_model), "--data-folder", str(root), "--label-map", "ck+",
                 "--groups", str(table), "--out", str(out)]) == 2
    assert f"no group for 1 of 10 faces (file {files[0]})" in capsys.readouterr().err
