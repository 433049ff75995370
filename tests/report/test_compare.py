import numpy as np
import pytest

from fer_bench.cli import main
from fer_bench.report.compare import (ENSEMBLE_ROW, IMPROVEMENT, MCNEMAR, TWO_PROPORTION, compare_runs,
                                      format_comparison, write_comparison_html)
from fer_bench.analysis.improvement import ALL_PAIRS, PAIRED
from fer_bench.results import ResultsStore

from .conftest import EVIL, make_seeded_run, manifest, predictions_like, scored_record


def _hand_run(run_dir, y_true, accuracies, seed, sha="ab"):
    store = ResultsStore(run_dir)
    records = [scored_record(store, name, predictions_like(y_true, accuracy, seed + index), y_true)
               for index, (name, accuracy) in enumerate(accuracies.items())]
    run_manifest = manifest()
    run_manifest.data.sha256 = sha * 32
    store.save(run_manifest, records)
    return run_dir


def test_smoke_runs_with_other_seeds_are_compared_on_the_same_faces(smoke_runs, tmp_path):
    comparison = compare_runs(*smoke_runs)
    assert [row.name for row in comparison.rows] and {row.name for row in comparison.rows} == {"svc_linear", "knn",
                                                                                               ENSEMBLE_ROW}
    assert comparison.rows[-1].name == ENSEMBLE_ROW  # both runs stored PublicTest scores: their ensembles compared
    assert comparison.same_faces and comparison.same_data
    for row in comparison.rows:
        assert row.test == MCNEMAR and 0 <= row.p_value <= row.p_holm <= 1
        assert row.n_a == row.n_b == 210


def test_cli_prints_the_table_and_writes_the_page(smoke_runs, tmp_path, capsys):
    out = tmp_path / "comparison.html"
    assert main(["compare", str(smoke_runs[0]), str(smoke_runs[1]), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "PrivateTest accuracy A" in printed and "svc_linear" in printed and "exact McNemar" in printed
    assert printed.strip().endswith(str(out))
    html = out.read_text(encoding="utf-8")
    assert "svc_linear" in html and "Holm-adjusted" in html and "SYNTHETIC" in html and "<script" not in html


def test_cli_default_page_goes_into_run_b(smoke_runs, capsys):
    assert main(["compare", str(smoke_runs[0]), str(smoke_runs[1])]) == 0
    assert (smoke_runs[1] / "compare-seed0.html").is_file()


def test_runs_on_different_faces_use_the_two_proportion_test(tmp_path):
    rng = np.random.default_rng(0)
    run_a = _hand_run(tmp_path / "a", rng.integers(0, 7, 400), {"good": 0.9, "same": 0.5, "only_a": 0.5}, 1)
    run_b = _hand_run(tmp_path / "b", rng.integers(0, 7, 300), {"good": 0.3, "same": 0.5, EVIL: 0.5}, 2, sha="cd")
    comparison = compare_runs(run_a, run_b)
    rows = {row.name: row for row in comparison.rows}
    assert set(rows) == {"good", "same"} and not comparison.same_faces and not comparison.same_data
    assert all(row.test == TWO_PROPORTION for row in rows.values())
    assert rows["good"].difference < -0.4 and rows["good"].significant
    assert not rows["same"].significant
    assert comparison.only_a == ["only_a"] and comparison.only_b == [EVIL]
    text = format_comparison(comparison)
    assert "different data" in text and "only in B: " + EVIL in text and "two-proportion z-test" in text
    html = write_comparison_html(comparison, tmp_path / "c.html").read_text(encoding="utf-8")
    assert EVIL not in html and "&lt;script&gt;" in html and "different data" in html


def test_runs_on_other_class_sets_are_not_compared(tmp_path):
    """A 7-class run against a 3-class run of the same estimator: no difference and no test, but a mark."""
    rng = np.random.default_rng(0)
    run_a = _hand_run(tmp_path / "a", rng.integers(0, 7, 400), {"svc_linear": 0.4, "knn": 0.3}, 1)
    store = ResultsStore(tmp_path / "b")
    y_three = rng.integers(0, 3, 300)
    three = ["angry", "happy", "neutral"]
    records = [scored_record(store, "svc_linear", predictions_like(y_three, 0.7, 3, k=3), y_three, class_names=three),
               scored_record(store, "knn", predictions_like(y_three, 0.5, 4, k=3), y_three, class_names=three)]
    three_manifest = manifest()
    three_manifest.class_names = three
    store.save(three_manifest, records)
    comparison = compare_runs(run_a, tmp_path / "b")
    assert comparison.rows == [] and comparison.not_comparable == ["knn (A: 7 classes, B: 3)",
                                                                   "svc_linear (A: 7 classes, B: 3)"]
    text = format_comparison(comparison)
    assert "not comparable, trained on other classes: knn (A: 7 classes, B: 3)" in text and "+" not in text
    html = write_comparison_html(comparison, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "Not comparable, trained on other classes" in html


def test_a_missing_run_is_a_usage_error(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nothing"), str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err


def test_ensembles_are_compared_only_when_both_runs_have_one(smoke_runs, run_dir):
    comparison = compare_runs(smoke_runs[0], run_dir)  # the hand-built run stored no PublicTest scores
    assert ENSEMBLE_ROW not in [row.name for row in comparison.rows] and ENSEMBLE_ROW in comparison.only_a
    html = write_comparison_html(compare_runs(*smoke_runs), smoke_runs[1] / "c.html").read_text(encoding="utf-8")
    assert "ensemble (derived) compares the runs' ensembles of stored scores (derived, not trained)" in html


def test_runs_with_seeds_are_compared_by_the_probability_of_improvement(tmp_path):
    correct = {"same": [210, 216], "model": [150, 156]}
    run_a = make_seeded_run(tmp_path / "a", correct=correct)
    run_b = make_seeded_run(tmp_path / "b", correct={**correct, "model": [255, 249]})
    comparison = compare_runs(run_a, run_b)
    rows = {row.name: row for row in comparison.rows}
    assert list(rows) == ["same", "model"] and comparison.same_faces
    for row in rows.values():
        assert row.test == IMPROVEMENT and row.improvement.pairing == PAIRED and row.improvement.n_pairs == 2
        assert (row.seeds_a, row.seeds_b, row.n_a, row.n_b) == (2, 2, 300, 300) and np.isnan(row.p_value)
    same, model = rows["same"], rows["model"]
    assert (same.improvement.p, same.improvement.verdict, same.significant) == (0.5, "tie", False)
    assert (model.improvement.p, model.improvement.low, model.improvement.verdict) == (1.0, 1.0, "better")
    assert model.accuracy_a == pytest.approx(0.51) and model.accuracy_b == pytest.approx(0.84) and model.significant
    text = format_comparison(comparison)
    assert "P(B>A) 1.00 [1.00, 1.00] better" in text and "P(B>A) 0.50 [0.50, 0.50] tie" in text
    assert f"{IMPROVEMENT}, {PAIRED} (2 pairs)" in text and "2/2" in text
    html = write_comparison_html(comparison, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "[1.00, 1.00] better" in html and "Bouthillier et al." in html and '<td class="num">0, 1</td>' in html
    reverse = {row.name: row for row in compare_runs(run_b, run_a).rows}
    assert reverse["model"].improvement.verdict == "worse" and reverse["model"].improvement.p == 0.0


def test_runs_with_other_seeds_meet_every_seed_and_one_seed_falls_back_to_mcnemar(tmp_path):
    correct = {"same": [210, 216], "model": [150, 156]}
    run_a = make_seeded_run(tmp_path / "a", correct=correct)
    crossed = compare_runs(run_a, make_seeded_run(tmp_path / "b", seeds=(2, 3), correct=correct))
    for row in crossed.rows:
        assert row.test == IMPROVEMENT and row.improvement.pairing == ALL_PAIRS and row.improvement.n_pairs == 4
    single = compare_runs(run_a, make_seeded_run(tmp_path / "c", seeds=(5,), correct={"same": [210], "model": [255]}))
    rows = {row.name: row for row in single.rows}
    assert all(row.test == MCNEMAR and row.improvement is None and row.first_seeds == (0, 5) for row in rows.values())
    assert (rows["model"].seeds_a, rows["model"].seeds_b) == (2, 1) and rows["model"].accuracy_a == pytest.approx(0.51)
    assert rows["model"].significant and rows["model"].p_holm < 0.001
    assert "exact McNemar (paired, same faces) on seeds 0 (A) and 5 (B)" in format_comparison(single)
