import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from fer_bench import execution, network_lock
from fer_bench.datasets import make_synthetic
from fer_bench.estimators import _registry
from fer_bench.estimators._registry import available_estimators, load_plugin, register_estimator
from fer_bench.execution import FitData, FitTask, parallel_backend, run_task
from fer_bench.profiles import Profile, load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import run_benchmark

SLEEPER = str(Path(__file__).with_name("sleeper_plugin.py"))
FAST = ["svc_linear", "knn"]


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic()


@pytest.fixture
def sleeper(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))
    load_plugin(SLEEPER)
    return "sleeper"


def _task(name, family="classical", **kwargs):
    return FitTask(name=name, family=family, plugins=(SLEEPER,), profile=load_profile("smoke"), n_classes=7, seed=0,
                   **kwargs)


def _data(dataset):
    return FitData({split: dataset.split(split) for split in ("Training", "PublicTest", "PrivateTest")},
                   dataset.class_names)


def test_time_limit_stops_the_estimator_and_the_run_goes_on(tmp_path, synthetic, sleeper, monkeypatch):
    monkeypatch.setenv("FER_BENCH_TEST_SLEEP", "120")
    started = time.perf_counter()
    records = run_benchmark([sleeper, "svc_linear"], synthetic, load_profile("smoke"), tmp_path, progress=False,
                            time_limit=3, plugins=[SLEEPER])
    assert time.perf_counter() - started < 60
    assert [record.status for record in records] == ["timed_out", "ok"]
    assert "time limit of 3 s" in records[0].error and records[0].framework == "test"
    assert records[1].metrics["n"] == 210 and records[1].fit_seconds > 0  # fitted in its child process
    raw = ResultsStore(tmp_path).load()
    assert [record.status for record in raw[1]] == ["timed_out", "ok"]
    assert raw[0]["execution"]["time_limit"] == 3 and raw[0]["execution"]["save_models"] == "networks"


def test_an_estimator_whose_optional_package_is_missing_is_skipped_before_anything_starts(synthetic, monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))
    built = []
    register_estimator("needs_a_missing_package", family="network", framework="test", source="test",
                       requires=("fer_bench_no_such_module",))(lambda: built.append("called"))
    # under a time limit: no child is started (it could not know this in-process registration) and no lock taken
    outcome = run_task(_task("needs_a_missing_package", family="network", time_limit=60), _data(synthetic))
    assert outcome.record.status == "skipped" and not built
    assert "pip install fer_bench_no_such_module" in outcome.record.error


def test_child_reports_the_estimators_failure(synthetic):
    outcome = run_task(_task("not_registered_anywhere", time_limit=60), _data(synthetic))
    assert outcome.record.status == "failed" and "not_registered_anywhere" in outcome.record.error


def test_networks_take_the_machine_one_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(execution.tempfile, "tempdir", str(tmp_path))
    networks_inside, most = [], []

    def fit_network():
        with network_lock.network_slot("network"):
            networks_inside.append(1)
            most.append(len(networks_inside))
            time.sleep(0.2)
            networks_inside.pop()

    threads = [threading.Thread(target=fit_network) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == [1, 1, 1]
    assert (tmp_path / network_lock.NETWORK_LOCK_FILE).is_file()
    with network_lock.network_slot("network"):
        classical = threading.Thread(target=lambda: network_lock.network_slot("classical").__enter__())
        classical.start()
        classical.join(5)
        assert not classical.is_alive()  # other families never wait
        network = threading.Thread(target=fit_network)
        network.start()
        network.join(0.5)
        assert network.is_alive()  # a second network waits for the slot
    network.join()


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
    assert manifest["execution"]["backend"] == "dask" and manifest["execution"]["scheduler"].startswith("tcp://127.0.0.1")


def test_daemonic_worker_cannot_apply_a_time_limit(synthetic, monkeypatch):
    monkeypatch.setattr(execution.multiprocessing.current_process(), "daemon", True, raising=False)
    outcome = run_task(_task("svc_linear", time_limit=60), _data(synthetic))
    assert outcome.record.status == "failed" and "daemon" in outcome.record.error


def test_run_data_is_sized_by_its_arrays_for_dask_to_scatter_it_once(synthetic):
    sizeof = pytest.importorskip("dask.sizeof").sizeof
    data = _data(synthetic)
    arrays = synthetic.images.nbytes + synthetic.labels.nbytes
    assert arrays <= sizeof(data) < arrays + 1000  # sys.getsizeof adds the object header


def test_a_network_waiting_for_the_lock_says_who_holds_it_and_times_out_at_the_limit(tmp_path, synthetic, monkeypatch,
                                                                                     capsys):
    monkeypatch.setattr(execution.tempfile, "tempdir", str(tmp_path))
    with network_lock.network_slot("network", "the_holder"):
        started = time.monotonic()
        outcome = run_task(_task("shallow_cnn", family="network", time_limit=1.5), _data(synthetic))
        waited = time.monotonic() - started
    assert outcome.record.status == "timed_out" and "the_holder" in outcome.record.error
    assert waited < 30  # the wait is counted against the limit, not added to it
    err = capsys.readouterr().err
    assert "shallow_cnn: waiting for this machine's network lock" in err
    assert f"the_holder (pid {os.getpid()} on {socket.gethostname()}, since " in err
    assert not (tmp_path / (network_lock.NETWORK_LOCK_FILE + network_lock.HOLDER_SUFFIX)).exists()  # removed on release


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.2)


def test_on_real_dask_workers_a_network_waiting_for_the_lock_starves_no_one(tmp_path, synthetic, monkeypatch):
    """A scheduler and two single-thread workers on 127.0.0.1, as separate processes sharing one network lock."""
    distributed = pytest.importorskip("distributed")
    lock_dir = tmp_path / "tmp"
    lock_dir.mkdir()
    monkeypatch.setattr(execution.tempfile, "tempdir", str(lock_dir))
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "TMPDIR": str(lock_dir), "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", address.rsplit(":", 1)[1], "--no-dashboard"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    profile = Profile(name="test", data={"Training": 140, "PublicTest": 70, "PrivateTest": 70},
                      networks={"epochs": 1, "batch_size": 32, "width": 0.25})
    run_dir, finished = tmp_path / "run", {}
    try:
        for log in logs:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--memory-limit", "0", "--host", "127.0.0.1"],
                env=env, stdout=subprocess.DEVNULL, stderr=log.open("w")))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)

        def run():
            finished["records"] = run_benchmark(["shallow_cnn", "svc_linear"], synthetic, profile, run_dir,
                                                progress=False, backend="dask", scheduler=address,
                                                save_models="none")
            finished["at"] = time.monotonic()

        with network_lock.network_slot("network", "another_run"):
            runner = threading.Thread(target=run)
            runner.start()
            results = run_dir / "results.json"
            # svc_linear and its nested joblib tasks finish while shallow_cnn waits on the other worker
            _wait_until(lambda: results.is_file() and [r.name for r in ResultsStore(run_dir).load()[1]] == ["svc_linear"],
                        60, "svc_linear's record while the lock is held")
            _wait_until(lambda: any("another_run (pid" in log.read_text() for log in logs), 30,
                        "a worker's message naming the lock's holder")
            released = time.monotonic()
        runner.join(120)
        assert not runner.is_alive()
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    records = {record.name: record for record in finished["records"]}
    assert [record.status for record in records.values()] == ["ok", "ok"]
    assert records["shallow_cnn"].fit_seconds <= finished["at"] - released  # the wait is not in the fit's time
    waiting = next(line for log in logs for line in log.read_text().splitlines() if "another_run (pid" in line)
    assert "shallow_cnn: waiting for this machine's network lock" in waiting
