"""RUN_DIR/cost.json: written, read back the same, and a wrong field named."""

import json

import pytest

from fer_bench.deploy.cost_file import CostRow, CostTable, read_cost, write_cost


def test_cost_json_reads_back_as_written(tmp_path):
    table = CostTable(calls=100, batch=64, threads=2, machine="Test CPU", rows=[
        CostRow("resnet9", 0, "torch eager", 1000, 2_000_000, 0.5, 0.002, 0.003, 900.0),
        CostRow("svc_rbf", 1, "onnxruntime", note="not exported: no converter")])
    write_cost(tmp_path, table)
    assert read_cost(tmp_path) == table
    assert table.of("svc_rbf", 1) == [table.rows[1]] and table.of("svc_rbf", 0) == []


def test_a_run_without_cost_json_has_none(tmp_path):
    assert read_cost(tmp_path) is None


@pytest.mark.parametrize("change, field", [({"calls": 0}, "calls"), ({"rows": [{"name": "x"}]}, r"rows\[0\].runtime"),
                                           ({"rows": [{"name": "x", "runtime": "onnxruntime",
                                                       "latency_median_seconds": -1}]}, r"rows\[0\].latency_median_seconds")])
def test_a_wrong_field_is_named_with_the_file(tmp_path, change, field):
    (tmp_path / "cost.json").write_text(json.dumps({"calls": 3, "batch": 2, "threads": 1, "machine": "x", "rows": [],
                                                    **change}))
    with pytest.raises(ValueError, match=rf"cost\.json: {field} is"):
        read_cost(tmp_path)
