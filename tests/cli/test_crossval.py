import json
import shutil

import pytest

from fer_bench.cli import main
from fer_bench.datasets.synthetic_folder import write_synthetic_folder


@pytest.fixture(scope="module")
def ck_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("ck") / "ck"
    write_synthetic_folder(root, n_subjects=6, sequences=7, frames=2, size=56, seed=3)
    return root


def test_end_to_end_dexpression_and_hog_svm_by_subject_and_by_picture(ck_folder, tmp_path, capsys):
    groups = tmp_path / "groups.csv"
    files = sorted(path.relative_to(ck_folder).as_posix() for path in ck_folder.rglob("*.png"))
    groups.write_text("file,group\n" + "".join(f"{file},{'child' if int(file.split('/S')[1][:3]) <= 3 else 'adult'}\n"
                                               for file in files))
    out = tmp_path / "run"
    status = main(["run", "dexpression", "svc_linear_hog", "--data-folder", str(ck_folder), "--folds", "3",
                   "--split", "both", "--groups", str(groups), "--min-group-size", "5", "--profile", "smoke",
                   "--out", str(out), "--quiet", "--save-models", "none"])
    assert status == 0
    summary = json.loads((out / "crossval.json").read_text())
    assert summary["kinds"] == ["subject", "random"] and summary["data"]["class_names"][0] == "anger"
    for name in ("dexpression", "svc_linear_hog"):
        for kind in ("subject", "random"):
            result = summary["results"][name][kind]
            assert result["folds_ok"] == 3 and result["accuracy_sd"] is not None
            assert result["pooled"]["n"] == len(files)  # every face scored once over the folds
            assert set(result["groups"]["groups"]) == {"adult", "child"}
    fold_store = json.loads((out / "folds" / "subject-02" / "results.json").read_text())
    assert {record["fold"]["index"] for record in fold_store["records"]} == {2}
    assert {fold["copies_in_training"]["near_only"] for fold in summary["folds"]["subject"]} == {0}
    assert sum(fold["copies_in_training"]["near_only"] for fold in summary["folds"]["random"]) > 0
    html = (out / "crossval.html").read_text()
    assert "random &minus; subject" in html and "Accuracy per subgroup" in html and "chi-squared" in html
    assert capsys.readouterr().out.strip().endswith("crossval.html")
    assert main(["report", str(out)]) == 0


@pytest.mark.parametrize("extra, message", [
    (["--folds", "9"], "needs at least 9"),
    (["--subject-pattern", r"X(\d+)"], "does not match --subject-pattern"),
    (["--groups", "MISSING"], "MISSING: no such file"),
    (["--data", "x.csv"], "--data does not go with --data-folder"),
])
def test_bad_input_is_one_error_line(ck_folder, tmp_path, capsys, extra, message):
    status = main(["run", "svc_linear", "--data-folder", str(ck_folder), "--out", str(tmp_path / "r"), "--quiet",
                   *extra])
    error = capsys.readouterr().err
    assert status == 2 and message in error and error.count("error:") == 1


def test_picture_level_folds_need_no_subjects_and_label_conflicts_are_printed(ck_folder, tmp_path, capsys):
    """File names without subjects (``img3.png``), one picture filed under two classes."""
    flat = tmp_path / "flat"
    for index, path in enumerate(sorted(ck_folder.rglob("*.png"))):
        target = flat / path.parent.name / f"img{index}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    first, other = sorted(folder.name for folder in flat.iterdir())[:2]
    copied = sorted((flat / first).iterdir())[0]
    shutil.copyfile(copied, flat / other / "copy.png")
    out = tmp_path / "run"
    assert main(["run", "svc_linear", "--data-folder", str(flat), "--split", "random", "--folds", "3",
                 "--out", str(out), "--quiet", "--save-models", "none"]) == 0
    error = capsys.readouterr().err
    conflict = f"{first}/{copied.name} ({first}) = {other}/copy.png ({other})"
    assert f"warning: 1 group(s) of identical images filed under different classes (label conflicts): {conflict}" \
        in error
    summary = json.loads((out / "crossval.json").read_text())
    assert summary["kinds"] == ["random"] and summary["data"]["label_conflicts"] == [conflict.split(" = ")]
    assert summary["subjects"]["source"].startswith("none: picture-level folds")
    assert "Label conflicts: 1 groups of identical images" in (out / "crossval.html").read_text()


def test_folder_options_need_the_data_folder(capsys):
    assert main(["run", "svc_linear", "--folds", "3"]) == 2
    assert "--folds goes with --data-folder" in capsys.readouterr().err


def test_real_folder_sample_by_picture_ids(fer2013_folder_sample, tmp_path):
    out = tmp_path / "run"
    assert main(["run", "svc_linear", "--data-folder", str(fer2013_folder_sample / "train"), "--subject-pattern",
                 r"_(\d+)\.", "--folds", "3", "--out", str(out), "--quiet", "--save-models", "none"]) == 0
    summary = json.loads((out / "crossval.json").read_text())
    assert summary["data"]["class_names"] == ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
    assert summary["results"]["svc_linear"]["subject"]["pooled"]["n"] == summary["data"]["files"]


@pytest.fixture(scope="module")
def jaffe_folder(tmp_path_factory):
    from tests.datasets.layouts.written import write_jaffe

    root = tmp_path_factory.mktemp("jaffe") / "jaffe"
    write_jaffe(root, subjects=("KA", "KL", "KM"), takes=2)
    return root


def test_leave_one_subject_out_on_a_detected_jaffe_folder_beside_picture_level_folds(jaffe_folder, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "svc_linear", "--data-folder", str(jaffe_folder), "--folds", "loso", "--split", "both",
                 "--profile", "smoke", "--out", str(out), "--quiet", "--save-models", "none"]) == 0
    assert f"{jaffe_folder}: 42 faces, 3 subjects, classes Angry 6" in capsys.readouterr().err
    summary = json.loads((out / "crossval.json").read_text())
    assert summary["scheme"] == "leave-one-subject-out" and summary["n_folds"] == 3 and summary["layout"] == "jaffe"
    assert summary["subjects"] == {"source": "the jaffe layout's subject ids", "count": 3}
    assert [fold["test_subject"] for fold in summary["folds"]["subject"]] == ["KA", "KL", "KM"]
    assert [fold["faces"]["PrivateTest"] for fold in summary["folds"]["subject"]] == [14, 14, 14]
    assert len(summary["folds"]["random"]) == 3  # as many picture-level folds as subjects
    result = summary["results"]["svc_linear"]
    assert result["subject"]["pooled"]["n"] == result["random"]["pooled"]["n"] == 42
    assert "leave-one-subject-out cross-validation" in (out / "crossval.html").read_text()


def test_the_full_ck_plus_distribution_with_first_frames_as_neutral(tmp_path, capsys):
    from tests.datasets.layouts.written import write_ck_plus

    write_ck_plus(tmp_path / "ck", {f"S{n:03d}": [1, 3, 4, 5, 6, 7, 2, None] for n in (5, 10, 11)})
    out = tmp_path / "run"
    assert main(["run", "svc_linear", "--data-folder", str(tmp_path / "ck"), "--neutral-first-frame", "--folds", "3",
                 "--profile", "smoke", "--out", str(out), "--quiet", "--save-models", "none"]) == 0
    assert "; left out (no FER-2013 counterpart): contempt 3" in capsys.readouterr().err
    summary = json.loads((out / "crossval.json").read_text())
    assert summary["layout"] == "ck+" and summary["subjects"] == {"source": "the ck+ layout's subject ids", "count": 3}
    assert summary["data"]["counts"]["Neutral"] == 21 and summary["data"]["excluded"] == {"contempt": 3}
    assert "3 images of <code>contempt</code>" in (out / "crossval.html").read_text()


def test_a_data_set_s_own_partition_is_one_ordinary_run(tmp_path, capsys):
    from tests.datasets.layouts.written import write_rafdb

    write_rafdb(tmp_path / "raf", train_codes=[1, 2, 3, 4, 5, 6, 7] * 5, test_codes=[1, 2, 3, 4, 5, 6, 7] * 2)
    out = tmp_path / "run"
    assert main(["run", "svc_linear", "--data-folder", str(tmp_path / "raf"), "--profile", "smoke", "--out", str(out),
                 "--quiet", "--save-models", "none"]) == 0
    captured = capsys.readouterr()
    assert "(rafdb, its own partition): 49 faces; Training" in captured.err
    assert captured.out.strip().endswith("report.html")
    stored = json.loads((out / "results.json").read_text())
    counts = stored["manifest"]["data"]["counts"]
    assert sum(counts["PrivateTest"].values()) == 14 and sum(counts["PublicTest"].values()) == 7
    assert "rafdb labels mapped onto FER-2013&#39;s classes: 49 faces kept" in (out / "report.html").read_text()


@pytest.mark.parametrize("make, extra, message", [
    ("rafdb", ["--folds", "3"], "--folds goes with cross-validation"),
    ("rafdb", ["--split", "random"], "--split goes with cross-validation"),
    ("jaffe", ["--label-codes", "AN=angry"], "--label-codes does not go with --layout jaffe"),
    ("jaffe", ["--layout", "file-names"], "--layout file-names needs --label-pattern"),
    ("expw", [], "the expw layout has no subject ids; give --split random"),
    ("expw", ["--detect-faces"], "--detect-faces does not go with --layout expw"),
])
def test_bad_layout_input_is_one_error_line(tmp_path, capsys, make, extra, message):
    from tests.datasets.layouts import written

    root = tmp_path / make
    {"rafdb": lambda: written.write_rafdb(root, [1, 2], [3]),
     "jaffe": lambda: written.write_jaffe(root, subjects=("KA",), takes=1),
     "expw": lambda: written.write_expw(root, [("a.jpg", 0, (0, 0, 10, 10), 3)])}[make]()
    status = main(["run", "svc_linear", "--data-folder", str(root), "--out", str(tmp_path / "r"), "--quiet", *extra])
    error = capsys.readouterr().err
    assert status == 2 and message in error and error.count("error:") == 1


def test_layout_options_need_the_data_folder_and_folds_take_a_number_or_loso(capsys):
    assert main(["run", "svc_linear", "--layout", "jaffe"]) == 2
    assert "--layout goes with --data-folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["run", "svc_linear", "--data-folder", "x", "--folds", "1"])
    assert stopped.value.code == 2
    assert "expected a number of folds (at least 2) or loso, got '1'" in capsys.readouterr().err
