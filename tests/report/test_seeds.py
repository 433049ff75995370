"""Runs that train every estimator with several seeds: the analysis, the report, results.csv."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fer_bench.report import render_report
from fer_bench.analysis.run import BOOTSTRAP_SEED, CONFIDENCE, N_RESAMPLES, analyse_run
from fer_bench.analysis.bootstrap import face_resamples, percentile_interval, resampled_accuracy
from fer_bench.analysis.improvement import ALL_PAIRS, PAIRED
from fer_bench.results import ResultsStore

from .conftest import N_SEEDED, SEEDED_CORRECT, make_run, make_seeded_run
from .test_render import _row, _section

ORDER = ["strong_cnn", "strong_twin", "steady_svc", "spiky_knn", "override_cnn", "half_done"]


@pytest.fixture(scope="module")
def analysis(seeded_run):
    return analyse_run(ResultsStore(seeded_run))


@pytest.fixture(scope="module")
def html(seeded_run):
    return render_report(seeded_run).read_text(encoding="utf-8")


def by_name(analysis):
    return {result.name: result for result in analysis.results}


def test_seeds_are_grouped_and_ranked_by_mean_accuracy(analysis):
    assert analysis.multi_seed and analysis.seeds == [0, 1]
    assert [result.name for result in analysis.results] == ORDER  # spiky_knn's first seed (80%) beats steady's (70%)
    results = by_name(analysis)
    spiky = results["spiky_knn"]
    assert spiky.n_seeds == 2 and spiky.seeds == [0, 1] and spiky.record.seed == 0
    assert spiky.accuracy_mean == pytest.approx(0.65) and spiky.record.metrics["accuracy"] == pytest.approx(0.80)
    assert spiky.accuracy_sd == pytest.approx(np.std([0.8, 0.5], ddof=1)) == pytest.approx(0.2121, abs=1e-4)
    assert (spiky.accuracy_min, spiky.accuracy_max) == pytest.approx((0.5, 0.8))
    assert [predictions["y_pred"] is not None for predictions in spiky.seed_predictions] == [True, True]
    assert not np.array_equal(spiky.seed_predictions[0]["y_pred"], spiky.seed_predictions[1]["y_pred"])
    half = results["half_done"]
    assert half.n_seeds == 1 and half.accuracy_sd is None and half.accuracy_mean == pytest.approx(0.4)
    assert [(record.name, record.seed, record.status) for record in analysis.unfinished] == \
        [("half_done", 1, "timed_out")]


def test_the_interval_is_of_the_seed_mean_with_one_resample_for_every_seed(analysis):
    steady = by_name(analysis)["steady_svc"]
    y_true = steady.predictions["y_true"]
    counts = face_resamples(N_SEEDED, N_RESAMPLES, BOOTSTRAP_SEED)
    per_seed = resampled_accuracy(y_true, np.stack([p["y_pred"] for p in steady.seed_predictions]), counts)
    assert steady.accuracy_ci == pytest.approx(percentile_interval(per_seed.mean(axis=0), CONFIDENCE))
    assert steady.accuracy_ci[0] < 0.71 < steady.accuracy_ci[1]
    assert steady.macro_f1_ci[0] < steady.seed_mean("macro_f1") < steady.macro_f1_ci[1]
    half = by_name(analysis)["half_done"]  # one seed: today's interval of its one record
    assert half.accuracy_ci[0] < 0.4 < half.accuracy_ci[1] and half.resampled_seeds == [0]


def test_significance_over_seeds_by_the_probability_of_improvement(analysis):
    (group,) = analysis.groups
    names = [member.name for member in group.members]
    assert names == ORDER and group.improvement is not None
    strong, twin, steady, half = (names.index(name) for name in ("strong_cnn", "strong_twin", "steady_svc", "half_done"))
    identical = group.improvement[strong][twin]
    assert (identical.p, identical.low, identical.high, identical.verdict) == (0.5, 0.5, 0.5, "tie")
    dominating = group.improvement[strong][steady]
    assert dominating.p > 0.99 and dominating.low > 0.5 and dominating.verdict == "better"
    assert dominating.pairing == PAIRED and dominating.n_pairs == 2
    assert group.improvement[steady][strong].verdict == "worse"
    assert group.improvement[strong][half].pairing == ALL_PAIRS and group.improvement[strong][half].n_pairs == 2
    results = by_name(analysis)
    assert results["strong_cnn"].versus_best == "best"
    assert results["strong_twin"].versus_best == "tie" and results["strong_twin"].improvement_versus_best.p == 0.5
    assert results["steady_svc"].versus_best == "worse" and results["steady_svc"].improvement_versus_best.p > 0.99
    assert group.p_holm[strong, twin] == 1.0  # McNemar of the first seeds stays: identical predictions


def test_leaderboard_has_seed_columns_budget_marks_and_ranks_by_mean(html):
    leaderboard = _section(html, "leaderboard")
    positions = [leaderboard.index(f">{name}</a>") for name in ORDER]
    assert positions == sorted(positions)
    for header in ("PrivateTest accuracy, mean", "± sd", "min – max", "Seeds", "Trained"):
        assert f">{header}</th>" in leaderboard
    spiky = _row(leaderboard, "spiky_knn")
    assert "65.00%" in spiky and "± 21.21 points" in spiky and "50.00% – 80.00%" in spiky and ">2</td>" in spiky
    assert "Sorted by mean PrivateTest accuracy over each estimator's seeds" in leaderboard
    assert "Bouthillier et al., MLSys 2021" in leaderboard
    assert "P(best &gt; it) 0.50 [0.50, 0.50]" in _row(leaderboard, "strong_twin")
    assert "≈ best" in _row(leaderboard, "strong_twin") and "worse" in _row(leaderboard, "steady_svc")
    override = _row(leaderboard, "override_cnn")
    assert "not at the common budget" in override and "epochs=18; cannot follow: tta" in override
    assert "0 epochs · 40–41 steps · 30.0 s · shorter than one epoch" in override
    strong = _row(leaderboard, "strong_cnn")
    assert "not at the common budget" not in strong and "time 5 min" in strong
    assert "5 epochs · 1,080–1,100 steps · 299.1–300.1 s" in strong
    assert "half_done</strong>, seed 1" in leaderboard  # the timed-out seed


def test_header_states_the_budget_seeds_and_machine(html):
    header = html[html.index("<header>"):html.index("</header>")]
    assert "Budget: time: 5 minutes of training per network on this machine, on the network" in header
    assert ("a network more than 5% off its budget is left out of the significance verdicts; 2 seeds (0, 1); "
            "machine: NVIDIA H200 (Test CPU, 2 cores).") in header


def test_significance_section_shows_both_matrices(html):
    significance = _section(html, "significance")
    assert "probability of improvement of Bouthillier et al." in significance
    assert "Probability of improvement: 6 estimators, 1–2 seeds each, 300 PrivateTest faces, 7 classes" in significance
    assert f"{ALL_PAIRS}; {PAIRED}." in significance
    assert "Exact McNemar test on seed 0: 6 estimators, 15 pairs" in significance
    assert significance.count('class="self"') == 12  # the diagonals of both matrices
    assert "1.00<br><span class=\"small\">[1.00, 1.00] better" in significance


def test_estimator_sections_list_their_seeds(html):
    estimators = _section(html, "estimators")
    assert estimators.count("<h4>Seeds</h4>") == 5  # not half_done: one seed finished
    assert "misclassified faces below are seed 0's" in estimators


def test_results_csv_has_seed_and_budget_columns(seeded_run, html):
    table = pd.read_csv(seeded_run / "results.csv", keep_default_na=False, na_values=[""],
                        dtype={"at_common_budget": str, "seeds": str}).set_index("name")
    assert list(table.index) == ORDER + ["half_done"]
    spiky = table.loc["spiky_knn"]
    assert spiky["privatetest_accuracy"] == pytest.approx(0.65) and spiky["n_seeds"] == 2
    assert spiky["accuracy_sd"] == pytest.approx(np.std([0.8, 0.5], ddof=1))
    assert (spiky["accuracy_min"], spiky["accuracy_max"]) == pytest.approx((0.5, 0.8))
    assert spiky["seeds"] == "0 1" and pd.isna(spiky["budget"]) and pd.isna(spiky["at_common_budget"])
    strong = table.loc["strong_cnn"]
    assert strong["budget"] == "time 5 min" and strong["at_common_budget"] == "true"
    assert strong["epochs_run"] == 5 and strong["steps_run"] == pytest.approx(1090)
    assert table.loc["override_cnn", "at_common_budget"] == "false"
    timed_out = table.iloc[-1]
    assert timed_out["status"] == "timed_out" and timed_out["seeds"] == "1" and pd.isna(timed_out["n_seeds"])
    half = table.iloc[-2]
    assert half["n_seeds"] == 1 and pd.isna(half["accuracy_sd"]) and half["privatetest_accuracy"] == pytest.approx(0.4)


def test_a_one_seed_run_with_seed_fields_reports_what_it_did_before(tmp_path):
    before = analyse_run(ResultsStore(make_run(tmp_path / "before")))
    store = ResultsStore(make_run(tmp_path / "after"))
    manifest, records = store.load()
    for record in records:
        record.seed = 0
    store.save(replace(manifest, seeds=[0]), records)
    after = analyse_run(store)
    assert not after.multi_seed and [r.name for r in after.results] == [r.name for r in before.results]
    for old, new in zip(before.results, after.results):
        assert (new.accuracy_mean, new.accuracy_ci, new.macro_f1_ci, new.versus_best, new.p_versus_best) == \
            (old.record.metrics["accuracy"], old.accuracy_ci, old.macro_f1_ci, old.versus_best, old.p_versus_best)
        assert new.resampled_accuracy is None and new.improvement_versus_best is None
    assert all(group.improvement is None for group in after.groups)
    leaderboard = _section(render_report(store.run_dir).read_text(encoding="utf-8"), "leaderboard")
    assert "± sd" not in leaderboard and "Trained" not in leaderboard and "exact McNemar test against" in leaderboard


def test_the_correct_counts_are_what_the_records_say(analysis):
    for name, counts in SEEDED_CORRECT.items():
        counts = SEEDED_CORRECT[counts] if isinstance(counts, str) else counts
        assert by_name(analysis)[name].seed_values("accuracy") == pytest.approx([count / N_SEEDED for count in counts])


def test_a_complete_run_has_no_missing_fits(analysis, html):
    assert analysis.missing == [] and "incomplete" not in html


def test_an_interrupted_run_names_the_fits_without_a_record(tmp_path):
    run_dir = make_seeded_run(tmp_path / "run")
    store = ResultsStore(run_dir)
    manifest, records = store.load()
    store.save(manifest, [record for record in records
                          if (record.name, record.seed) not in {("strong_cnn", 1), ("steady_svc", 0), ("steady_svc", 1)}])
    assert analyse_run(store).missing == [("strong_cnn", 1), ("steady_svc", 0), ("steady_svc", 1)]
    body = render_report(run_dir).read_text(encoding="utf-8").split("<body>", 1)[1]
    planned = 2 * len(manifest.estimators)
    warning = body.index(f"<strong>Warning:</strong> this run is incomplete (interrupted, or still running): 3 of its "
                         f"{planned} planned fits have no record: strong_cnn (seed 1); steady_svc (seeds 0, 1).")
    assert warning < body.index('id="leaderboard"') and f"run --resume {run_dir} completes the run" in body
