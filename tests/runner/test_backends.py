import numpy as np
import pytest

from fer_bench.profiles import load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import parallel_backend, run_benchmark

FAST = ["svc_linear", "knn"]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"backend": "spark"}, ValueError, "--backend"),
    ({"n_jobs": 0}, ValueError, "--n-jobs"),
    ({"backend": "loky", "scheduler": "tcp://127.0.0.1:1"}, ValueError, "--backend dask"),
    ({"backend": "dask"}, ValueError, "--scheduler"),
])
def test_bad_backend_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        with parallel_backend(**kwargs):
            pass


def test_ray_missing_is_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match="needs Ray"):
        with parallel_backend("ray"):
            pass


def _predictions(run_dir, records):
    store = ResultsStore(run_dir)
    return {record.name: store.load_predictions(record)["y_pred"] for record in records}


def test_dask_cluster_and_local_processes_give_the_local_results(tmp_path, synthetic):
    distributed = pytest.importorskip("distributed")
    profile = load_profile("smoke")
    local = run_benchmark(FAST, synthetic, profile, tmp_path / "local", progress=False)
    expected = _predictions(tmp_path / "local", local)
    # An in-process worker shares the test process's RSS (torch, TensorFlow): a memory limit would pause it.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None, memory_limit=0) as cluster:
        remote = run_benchmark(FAST, synthetic, profile, tmp_path / "dask", progress=False, backend="dask",
                               scheduler=cluster.scheduler_address)
    loky = run_benchmark(FAST, synthetic, profile, tmp_path / "loky", progress=False, n_jobs=2)
    for run_dir, records in ((tmp_path / "dask", remote), (tmp_path / "loky", loky)):
        assert [record.status for record in records] == ["ok", "ok"]
        got = _predictions(run_dir, records)
        for name in FAST:
            assert np.array_equal(got[name], expected[name]), (run_dir.name, name)
        assert [record.metrics for record in records] == [record.metrics for record in local]
    manifest = ResultsStore(tmp_path / "dask").load()[0]
    assert manifest.execution.backend == "dask" and manifest.execution.scheduler.startswith("tcp://127.0.0.1")
