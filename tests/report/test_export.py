import pandas as pd
import pytest

from fer_bench.report import render_report
from fer_bench.report.export import COLUMNS

from .conftest import EVIL


@pytest.fixture(scope="module")
def table(run_dir):
    render_report(run_dir)
    return pd.read_csv(run_dir / "results.csv", keep_default_na=False, na_values=[""])


def test_one_row_per_estimator_best_first_then_unfinished(table):
    assert list(table.columns) == list(COLUMNS)
    assert list(table["name"]) == ["tiny_cnn", "tiny_cnn_twin", "mini_xception", "svc_rbf", EVIL, "five_class_cnn",
                                   "broken", "slow"]
    assert list(table["status"][-2:]) == ["failed", "timed_out"]


def test_values_match_the_results_store(run_dir, table):
    from fer_bench.results import ResultsStore

    _, records = ResultsStore(run_dir).load()
    record = next(record for record in records if record.name == "tiny_cnn")
    row = table.set_index("name").loc["tiny_cnn"]
    assert row["privatetest_accuracy"] == pytest.approx(record.metrics["accuracy"])
    assert row["accuracy_ci_low"] < row["privatetest_accuracy"] < row["accuracy_ci_high"]
    assert row["macro_f1_ci_low"] < row["macro_f1"] < row["macro_f1_ci_high"]
    assert row["dedup_accuracy"] == pytest.approx(0.77) and row["dedup_faces"] == 193
    assert row["fit_seconds"] == pytest.approx(30.0) and row["test_images"] == 210 and row["n_classes"] == 7
    assert table.set_index("name").loc["five_class_cnn", "n_classes"] == 5


def test_unfinished_rows_carry_the_last_error_line_and_no_metrics(table):
    broken = table.set_index("name").loc["broken"]
    assert broken["error"] == "RuntimeError: planted <b>failure</b>"
    assert pd.isna(broken["privatetest_accuracy"]) and pd.isna(broken["accuracy_ci_low"])


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_escaped(tmp_path):
    import csv

    from fer_bench.analysis.run import analyse_run
    from fer_bench.report.export import write_results_csv
    from fer_bench.results import ResultsStore, RunRecord

    from .conftest import make_run

    store = ResultsStore(make_run(tmp_path / "run"))
    manifest, records = store.load()
    planted = {"=HYPERLINK(\"http://x\",\"y\")": "+cmd|' /C calc'!A0", "@SUM(A1)": "-2+3", "\tTAB": "@cmd"}
    records += [RunRecord(name=name, family="classical", framework="sklearn", source="plugin", status="failed",
                          error=f"Traceback ...\n{error}", peak_memory_mib=-1.5) for name, error in planted.items()]
    store.save(manifest, records)
    with open(write_results_csv(store.run_dir, analyse_run(store)), newline="") as stream:
        rows = {row["name"]: row for row in csv.DictReader(stream)}
    for name, error in planted.items():
        row = rows["'" + name]
        assert row["error"] == "'" + error  # the last line of the error
        assert row["peak_memory_mib"] == "-1.5"  # a negative number stays a number
    assert rows["tiny_cnn"]["name"] == "tiny_cnn"
