import os
import socket
import threading
import time

from fer_bench.profiles import Profile
from fer_bench.results import ResultsStore
from fer_bench.runner import network_lock, run_benchmark, run_task

from .support import fit_data, fit_task, wait_for


def test_networks_take_the_machine_one_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(network_lock.tempfile, "tempdir", str(tmp_path))
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


def test_a_network_waiting_for_the_lock_says_who_holds_it_and_times_out_at_the_limit(tmp_path, synthetic, monkeypatch,
                                                                                     capsys):
    monkeypatch.setattr(network_lock.tempfile, "tempdir", str(tmp_path))
    with network_lock.network_slot("network", "the_holder"):
        started = time.monotonic()
        outcome = run_task(fit_task("shallow_cnn", family="network", time_limit=1.5), fit_data(synthetic))
        waited = time.monotonic() - started
    assert outcome.record.status == "timed_out" and "the_holder" in outcome.record.error
    assert waited < 30  # the wait is counted against the limit, not added to it
    err = capsys.readouterr().err
    assert "shallow_cnn: waiting for this machine's network lock" in err
    assert f"the_holder (pid {os.getpid()} on {socket.gethostname()}, since " in err
    assert not (tmp_path / (network_lock.NETWORK_LOCK_FILE + network_lock.HOLDER_SUFFIX)).exists()  # removed on release


def test_on_real_dask_workers_a_network_waiting_for_the_lock_starves_no_one(tmp_path, synthetic, monkeypatch,
                                                                            dask_processes):
    """A scheduler and two single-thread workers on 127.0.0.1, as separate processes sharing one network lock."""
    cluster = dask_processes([1, 1])
    monkeypatch.setattr(network_lock.tempfile, "tempdir", str(cluster.temporary_folder))
    profile = Profile(name="test", data={"Training": 140, "PublicTest": 70, "PrivateTest": 70},
                      networks={"epochs": 1, "batch_size": 32, "width": 0.25})
    run_dir, finished = tmp_path / "run", {}

    def run():
        finished["records"] = run_benchmark(["shallow_cnn", "svc_linear"], synthetic, profile, run_dir,
                                            progress=False, backend="dask", scheduler=cluster.address,
                                            save_models="none")
        finished["at"] = time.monotonic()

    with network_lock.network_slot("network", "another_run"):
        runner = threading.Thread(target=run)
        runner.start()
        results = run_dir / "results.json"
        # svc_linear finishes while shallow_cnn waits on the other worker
        wait_for(lambda: results.is_file() and [r.name for r in ResultsStore(run_dir).load()[1]] == ["svc_linear"],
                 60, "svc_linear's record while the lock is held")
        wait_for(lambda: any("another_run (pid" in log.read_text() for log in cluster.worker_logs), 30,
                 "a worker's message naming the lock's holder")
        released = time.monotonic()
    runner.join(120)
    assert not runner.is_alive()
    records = {record.name: record for record in finished["records"]}
    assert [record.status for record in records.values()] == ["ok", "ok"]
    assert records["shallow_cnn"].fit_seconds <= finished["at"] - released  # the wait is not in the fit's time
    waiting = next(line for log in cluster.worker_logs for line in log.read_text().splitlines()
                   if "another_run (pid" in line)
    assert "shallow_cnn: waiting for this machine's network lock" in waiting
