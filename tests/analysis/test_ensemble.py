"""The derived ensemble: calibrated on and chosen on PublicTest only, scored once on PrivateTest."""

import inspect
from dataclasses import replace

import numpy as np
import pytest

from fer_bench.report import render_report
from fer_bench.analysis.run import analyse_run
from fer_bench.analysis.ensemble import (DECISION_VALUES, PROBABILITIES, derive_ensemble, fit_temperature,
                                       negative_log_likelihood, select_ensemble, to_logits)
from fer_bench.results import ResultsStore

from ..report.conftest import FIVE_CLASSES, N_TEST, manifest, predictions_like, probabilities_for, scored_record

N_PUBLIC = 240
SPECS = {  # name: (kind, PublicTest accuracy, PrivateTest accuracy)
    "public_star": (PROBABILITIES, 0.85, 0.45),
    "private_star": (DECISION_VALUES, 0.5, 0.9),
    "middling": (PROBABILITIES, 0.7, 0.7),
    "weak_svm": (DECISION_VALUES, 0.4, 0.4),
}


def _scores(y_true, accuracy, kind, seed):
    y_pred = predictions_like(y_true, accuracy, seed)
    probabilities = probabilities_for(y_pred, 7, seed + 50)  # over-confident: T > 1 calibrates them
    return y_pred, probabilities if kind == PROBABILITIES else 0.4 * np.log(probabilities) + 2.0


def _ensemble_run(run_dir):
    """Four candidates with PublicTest scores, and three estimators the ensemble must leave out."""
    store = ResultsStore(run_dir)
    rng = np.random.default_rng(11)
    y_true, public_y_true = rng.integers(0, 7, N_TEST), rng.integers(0, 7, N_PUBLIC)
    store.save_test_faces(rng.integers(0, 256, (N_TEST, 48, 48), dtype=np.uint8), y_true, rng.random(N_TEST) < 0.1)
    records = []
    for index, (name, (kind, public_accuracy, private_accuracy)) in enumerate(SPECS.items()):
        y_pred, private = _scores(y_true, private_accuracy, kind, 10 * index)
        _, public = _scores(public_y_true, public_accuracy, kind, 10 * index + 5)
        keys = ("scores", "public_scores") if kind == PROBABILITIES else ("decision", "public_decision")
        arrays = {keys[0]: private, keys[1]: public, "public_y_true": public_y_true}
        records.append(scored_record(store, name, y_pred, y_true, scores=arrays.pop("scores", None), arrays=arrays))
    five = np.isin(y_true, [0, 3, 4, 5, 6])
    five_true = np.searchsorted([0, 3, 4, 5, 6], y_true[five])
    five_pred = predictions_like(five_true, 0.8, 90, k=5)
    records += [
        scored_record(store, "no_public", predictions_like(y_true, 0.6, 70), y_true),
        scored_record(store, "pretrained", y_pred, y_true, family="pretrained", scores=probabilities_for(y_pred, 7, 80),
                      arrays={"public_scores": probabilities_for(public_y_true, 7, 81), "public_y_true": public_y_true}),
        scored_record(store, "five_class", five_pred, five_true, class_names=FIVE_CLASSES,
                      scores=probabilities_for(five_pred, 5, 91),
                      arrays={"public_y_true": public_y_true % 5,
                              "public_scores": probabilities_for(public_y_true % 5, 5, 92)}),
    ]
    store.save(manifest(), records)
    return run_dir


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory):
    return _ensemble_run(tmp_path_factory.mktemp("ensemble"))


def _derive(run_dir):
    store = ResultsStore(run_dir)
    return derive_ensemble(store, analyse_run(store))


def _choice(ensemble):
    return [(member.name, member.kind, member.temperature, member.count, member.weight) for member in ensemble.members]


def test_the_selection_function_takes_no_privatetest_arrays():
    assert list(inspect.signature(select_ensemble).parameters) == ["public_y_true", "public_logits", "iterations"]


def test_perturbing_privatetest_scores_leaves_the_choice_unchanged(ensemble_run, tmp_path):
    import shutil

    first = _derive(ensemble_run)
    perturbed = tmp_path / "perturbed"
    shutil.copytree(ensemble_run, perturbed)
    store, rng = ResultsStore(perturbed), np.random.default_rng(3)
    for record in store.load()[1]:
        arrays = store.load_predictions(record)
        for key in ("scores", "decision"):
            if key in arrays:  # PrivateTest scores shuffled across faces: the best on PrivateTest changes
                arrays[key] = arrays[key][rng.permutation(len(arrays[key]))]
        store.save_predictions(record.predictions_file.split("/")[-1][:-4], **arrays)
    second = _derive(perturbed)
    assert _choice(second) == _choice(first) and second.selection == first.selection
    assert second.metrics["accuracy"] != first.metrics["accuracy"]  # PrivateTest did enter the scoring


def test_the_choice_is_the_one_made_on_the_stored_publictest_arrays(ensemble_run):
    ensemble = _derive(ensemble_run)
    store = ResultsStore(ensemble_run)
    records = {record.name: record for record in store.load()[1]}
    public = {}
    for name, (kind, _, _) in SPECS.items():
        arrays = store.load_predictions(records[name])
        public[name] = to_logits(arrays["public_scores" if kind == PROBABILITIES else "public_decision"], kind)
    assert select_ensemble(arrays["public_y_true"], public) == ensemble.selection
    selection = ensemble.selection
    assert list(selection.candidate_accuracy) == ["public_star", "middling", "private_star", "weak_svm"]  # PublicTest order
    assert selection.public_accuracy >= max(selection.candidate_accuracy.values())  # the hillclimb starts at the best


def test_members_weights_temperatures_and_exclusions_are_recorded(ensemble_run):
    ensemble = _derive(ensemble_run)
    assert ensemble.built and ensemble.candidates == sorted(SPECS)
    size = sum(member.count for member in ensemble.members)
    for member in ensemble.members:
        assert member.kind == SPECS[member.name][0] and member.temperature > 0
        assert member.weight == pytest.approx(member.count / size)
    assert sum(member.weight for member in ensemble.members) == pytest.approx(1)
    excluded = dict(ensemble.excluded)
    assert set(excluded) == {"no_public", "pretrained", "five_class"}
    assert "no PublicTest scores" in excluded["no_public"] and "pretrained" in excluded["pretrained"]
    assert "other classes" in excluded["five_class"]
    assert ensemble.metrics["n"] == N_TEST and ensemble.metrics_deduplicated["n"] < N_TEST
    assert ensemble.accuracy_ci[0] <= ensemble.metrics["accuracy"] <= ensemble.accuracy_ci[1]
    assert ensemble.best_name == "private_star" and ensemble.versus_best in ("better", "tie", "worse")
    assert 0 <= ensemble.p_versus_best <= 1


def test_the_report_shows_the_derived_row_and_recomputes_it_identically(ensemble_run):
    first = render_report(ensemble_run).read_text(encoding="utf-8")
    section = first[first.index('<section id="ensemble">'):].split("</section>", 1)[0]
    leaderboard = first[first.index('<section id="leaderboard">'):].split("</section>", 1)[0]
    assert "derived: ensemble of stored scores, not trained" in leaderboard and 'href="#ensemble"' in leaderboard
    assert "Caruana" in section and "Guo" in section and "public_star" in section and "decision values" in section
    assert "de-duplicated" in section and "exact McNemar" in section and "five_class" in section
    assert "No ensemble" not in first
    assert render_report(ensemble_run).read_text(encoding="utf-8") == first


def test_a_run_without_publictest_scores_has_no_ensemble_and_says_why(run_dir):
    ensemble = _derive(run_dir)  # an older store: its npz files have no PublicTest keys
    assert not ensemble.built and not ensemble.members and "PublicTest scores" in ensemble.reason
    html = render_report(run_dir).read_text(encoding="utf-8")
    assert f"No ensemble: {ensemble.reason}".replace("'", "&#39;") in html and 'id="ensemble"' not in html


def test_temperature_scaling_lowers_the_nll_of_an_over_confident_member():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 7, 500)
    logits = 10 * np.log(probabilities_for(predictions_like(y_true, 0.6, 1), 7, 2))  # 60% right, sure of everything
    temperature = fit_temperature(y_true, logits)
    assert temperature > 1
    assert negative_log_likelihood(y_true, logits, temperature) < negative_log_likelihood(y_true, logits)


def test_a_perfect_member_is_chosen_alone():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 7, 300)
    logits = {name: to_logits(probabilities_for(predictions_like(y_true, accuracy, seed), 7, seed), PROBABILITIES)
              for seed, (name, accuracy) in enumerate({"chance": 0.0, "perfect": 1.0, "fair": 0.5}.items())}
    selection = select_ensemble(y_true, logits)
    assert selection.counts == {"perfect": 1} and selection.public_accuracy == 1.0


def test_a_smoke_run_builds_its_ensemble_from_probabilities_and_decision_values(smoke_runs):
    ensemble = _derive(smoke_runs[0])
    assert ensemble.built and set(ensemble.candidates) == {"svc_linear", "knn"} and not ensemble.excluded
    assert set(ensemble.selection.temperatures) == {"svc_linear", "knn"}
    assert {member.name: member.kind for member in ensemble.members}.items() <= {
        "knn": PROBABILITIES, "svc_linear": DECISION_VALUES}.items()
    assert ensemble.metrics["n"] == 210 and ensemble.best_name in ("svc_linear", "knn")
    html = render_report(smoke_runs[0]).read_text(encoding="utf-8")
    assert 'id="ensemble"' in html and "derived: ensemble of stored scores" in html


def test_every_seed_is_a_candidate_so_one_estimator_trained_with_seeds_gives_a_seed_ensemble(tmp_path):
    from fer_bench.results import seed_stem

    store = ResultsStore(tmp_path)
    rng = np.random.default_rng(3)
    y_true, public_y_true = rng.integers(0, 7, N_TEST), rng.integers(0, 7, N_PUBLIC)
    store.save_test_faces(rng.integers(0, 256, (N_TEST, 48, 48), dtype=np.uint8), y_true)
    records = []
    for seed in range(3):  # three seeds of one network, their errors independent
        y_pred, private = _scores(y_true, 0.6, PROBABILITIES, 10 * seed)
        _, public = _scores(public_y_true, 0.6, PROBABILITIES, 10 * seed + 5)
        records.append(scored_record(store, "resnet9", y_pred, y_true, scores=private, seed=seed,
                                     stem=seed_stem("resnet9", seed, 0), family="network", framework="torch",
                                     arrays={"public_scores": public, "public_y_true": public_y_true}))
    store.save(replace(manifest(), seeds=[0, 1, 2]), records)
    ensemble = _derive(tmp_path)
    assert ensemble.built and ensemble.candidates == ["resnet9 (seed 0)", "resnet9 (seed 1)", "resnet9 (seed 2)"]
    assert len(ensemble.members) >= 2 and {member.name for member in ensemble.members} <= set(ensemble.candidates)
    assert ensemble.metrics["accuracy"] > max(record.metrics["accuracy"] for record in records)
