"""The cost of inference in the report and results.csv, from RUN_DIR/cost.json."""

import math

import pandas as pd

from fer_bench.deploy.cost_file import CostRow, CostTable, write_cost
from fer_bench.report import render_report
from fer_bench.report.cost import CSV_COLUMNS

from .conftest import make_run

ROWS = [CostRow("tiny_cnn", 0, "torch eager", 1234, 567_000, 0.5, 0.002, 0.003, 900.0),
        CostRow("tiny_cnn", 0, "onnxruntime", 1300, 567_000, 0.4, 0.001, 0.0015, 1500.0),
        CostRow("svc_rbf", 0, "scikit-learn", model_mib=2.0, latency_median_seconds=0.01, latency_p95_seconds=0.02,
                throughput_images_per_second=100.0, note="MACs not counted"),
        CostRow("svc_rbf", 0, "onnxruntime", note="not exported: PixelSVC: its step 'svm' has no ONNX converter")]


def test_cost_json_gives_the_report_its_table_and_figure_and_results_csv_its_columns(tmp_path):
    run = make_run(tmp_path / "run")
    write_cost(run, CostTable(calls=100, batch=64, threads=2, machine="Test CPU", rows=ROWS))
    html = render_report(run).read_text()
    section = html[html.index('<section id="cost">'):html.index('<section id="estimators">')]
    assert "Test CPU" in section and "100 warm calls" in section and "1,234" in section and "567,000" in section
    assert "not exported: PixelSVC: its step &#39;svm&#39; has no ONNX converter" in section
    table = pd.read_csv(run / "results.csv", keep_default_na=False, na_values=[""]).set_index("name")
    cnn, svc = table.loc["tiny_cnn"], table.loc["svc_rbf"]
    assert (f"against batch-1 latency per face on a log scale: tiny_cnn {cnn['privatetest_accuracy']:.1%} in 2 ms; "
            f"svc_rbf {svc['privatetest_accuracy']:.1%} in 10 ms.") in section
    assert (cnn["parameters"], cnn["macs_per_face"], cnn["latency_median_seconds"]) == (1234, 567_000, 0.002)
    assert (cnn["onnx_model_mib"], cnn["onnx_latency_p95_seconds"], cnn["onnx_throughput_images_per_second"]) == (0.4, 0.0015, 1500)
    assert svc["latency_median_seconds"] == 0.01 and math.isnan(svc["parameters"])
    assert math.isnan(svc["onnx_latency_median_seconds"]) and math.isnan(table.loc["mini_xception"]["model_mib"])


def test_a_run_without_cost_json_has_no_cost_section_and_empty_columns(run_dir):
    html = render_report(run_dir).read_text()
    assert 'id="cost"' not in html
    table = pd.read_csv(run_dir / "results.csv", keep_default_na=False, na_values=[""])
    assert table[list(CSV_COLUMNS)].isna().all().all()
