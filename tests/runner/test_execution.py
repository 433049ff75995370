import time

import pytest

from fer_bench.estimators import register_estimator
from fer_bench.profiles import load_profile
from fer_bench.results import ResultsStore
from fer_bench.runner import execution, run_benchmark, run_task

from .support import SLEEPER, fit_data, fit_task


def test_time_limit_stops_the_estimator_and_the_run_goes_on(tmp_path, synthetic, sleeper, monkeypatch):
    monkeypatch.setenv("FER_BENCH_TEST_SLEEP", "120")
    started = time.perf_counter()
    records = run_benchmark([sleeper, "svc_linear"], synthetic, load_profile("smoke"), tmp_path, progress=False,
                            time_limit=3, plugins=[SLEEPER])
    assert time.perf_counter() - started < 60
    assert [record.status for record in records] == ["timed_out", "ok"]
    assert "time limit of 3 s" in records[0].error and records[0].framework == "test"
    assert records[1].metrics["n"] == 210 and records[1].fit_seconds > 0  # fitted in its child process
    manifest, stored = ResultsStore(tmp_path).load()
    assert [record.status for record in stored] == ["timed_out", "ok"]
    assert manifest.execution.time_limit == 3 and manifest.execution.save_models == "networks"


def test_an_estimator_whose_optional_package_is_missing_is_skipped_before_anything_starts(synthetic, registry):
    built = []
    register_estimator("needs_a_missing_package", family="network", framework="test", source="test",
                       requires=("fer_bench_no_such_module",))(lambda: built.append("called"))
    # under a time limit: no child is started (it could not know this in-process registration) and no lock taken
    outcome = run_task(fit_task("needs_a_missing_package", family="network", time_limit=60), fit_data(synthetic))
    assert outcome.record.status == "skipped" and not built
    assert "pip install fer_bench_no_such_module" in outcome.record.error


def test_child_reports_the_estimators_failure(synthetic):
    outcome = run_task(fit_task("not_registered_anywhere", time_limit=60), fit_data(synthetic))
    assert outcome.record.status == "failed" and "not_registered_anywhere" in outcome.record.error


def test_daemonic_worker_cannot_apply_a_time_limit(synthetic, monkeypatch):
    monkeypatch.setattr(execution.multiprocessing.current_process(), "daemon", True, raising=False)
    outcome = run_task(fit_task("svc_linear", time_limit=60), fit_data(synthetic))
    assert outcome.record.status == "failed" and "daemon" in outcome.record.error


def test_run_data_is_sized_by_its_arrays_for_dask_to_scatter_it_once(synthetic):
    sizeof = pytest.importorskip("dask.sizeof").sizeof
    data = fit_data(synthetic)
    arrays = synthetic.images.nbytes + synthetic.labels.nbytes
    assert arrays <= sizeof(data) < arrays + 1000  # sys.getsizeof adds the object header


def test_a_worker_registers_a_built_in_card_it_is_given_as_a_plugin(monkeypatch):
    """``run --pretrained facex`` hands the card's name to workers, which register it like a card file."""
    from types import SimpleNamespace

    from fer_bench.estimators import _registry, available_estimators, card_zoo
    from fer_bench.runner.execution import _spec

    registered = []
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))
    monkeypatch.setattr(card_zoo, "register_card", lambda card: registered.append(card))
    monkeypatch.setattr("fer_bench.runner.execution.get_estimator_spec", lambda name: name)
    assert _spec(SimpleNamespace(name="facex", plugins=["facex"])) == "facex" and registered == ["facex"]
