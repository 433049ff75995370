import os
import threading

import numpy as np
import pytest

from fer_bench.profiles import Profile, load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import parallel_backend, run_benchmark

from .support import PLUGINS

FAST = ["svc_linear", "knn"]
SLEEP_SECONDS = 6.0
"""How long each sleeper holds a worker thread: many times svc_linear's fit on the tiny data."""


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


def test_nested_work_in_this_process_holds_every_joblib_call_to_the_threads_given():
    from joblib import Parallel, cpu_count, delayed, effective_n_jobs, parallel_config

    from fer_bench.runner.backends import nested_work_in_this_process

    def where():
        return os.getpid(), threading.get_ident()

    with parallel_config(backend="loky"):  # as a cluster's backend would be: processes elsewhere
        with nested_work_in_this_process(None):
            assert effective_n_jobs(-1) == cpu_count()
        for threads in (1, 2):
            with nested_work_in_this_process(threads):
                assert effective_n_jobs(-1) == effective_n_jobs(8) == threads
                ran = Parallel(n_jobs=-1)(delayed(where)() for _ in range(8))
            assert {pid for pid, _ in ran} == {os.getpid()} and len({thread for _, thread in ran}) <= threads


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


def test_on_a_real_dask_worker_a_fit_s_seconds_leave_out_waiting_behind_other_tasks(tmp_path, synthetic, sleeper,
                                                                                    dask_processes):
    """One worker process with two threads: svc_linear fits beside ``sleeper`` while ``other_sleeper`` waits.

    Sent back to the cluster as tasks, svc_linear's class pairs (and its return to the worker's thread pool after
    them) would wait for a sleeper's thread, and its fit's seconds would count that wait. One worker, so that
    where the scheduler puts a task cannot decide the outcome.
    """
    cluster = dask_processes([2])
    profile = Profile(name="test", data={"Training": 140, "PublicTest": 70, "PrivateTest": 70},
                      estimators={name: {"seconds": SLEEP_SECONDS} for name in (sleeper, "other_sleeper")})
    names = [sleeper, "svc_linear", "other_sleeper"]
    records = run_benchmark(names, synthetic, profile, tmp_path / "run", progress=False, backend="dask",
                            scheduler=cluster.address, plugins=[PLUGINS], save_models="none")
    assert [(record.name, record.status) for record in records] == [(name, "ok") for name in names]
    fit_seconds = {record.name: record.fit_seconds for record in records}
    assert min(fit_seconds[sleeper], fit_seconds["other_sleeper"]) >= SLEEP_SECONDS
    assert fit_seconds["svc_linear"] < SLEEP_SECONDS / 2, fit_seconds
