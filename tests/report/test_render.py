import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from fer_bench.report import render_report
from fer_bench.analysis.run import analyse_run
from fer_bench.report.budget import profile_scope
from fer_bench.results import ResultsStore, RunData, RunManifest

from .conftest import EVIL, N_TEST, make_run


class _Collector(HTMLParser):
    """Tags, and the attributes of elements that load or link resources."""

    def __init__(self):
        super().__init__()
        self.tags, self.images, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "img":
            self.images.append(attributes)
        self.links += [value for key, value in attrs if key in ("src", "href") and value is not None]


def _parse(html):
    collector = _Collector()
    collector.feed(html)
    return collector


@pytest.fixture(scope="module")
def rendered(run_dir):
    path = render_report(run_dir)
    return run_dir, path, path.read_text(encoding="utf-8")


def _section(html, section_id):
    return html[html.index(f'<section id="{section_id}">'):].split("</section>", 1)[0]


def _row(table_html, name):
    """The leaderboard row of one estimator."""
    return next(row for row in table_html.split("<tr>") if f">{name}</a>" in row)


def test_report_is_written_in_the_run_dir_atomically(rendered):
    run_dir, path, _ = rendered
    assert path == run_dir / "report.html" and path.is_file()
    assert not list(run_dir.glob(".report.html.*"))


def test_synthetic_notice_and_profile_come_first(rendered):
    html = rendered[2]
    body = html[html.index("<body>"):]
    notice = body.index("These results are on the embedded SYNTHETIC data set, not FER-2013")
    assert notice < body.index('id="leaderboard"')
    assert "not comparable to published FER-2013 results" in body
    assert "[SYNTHETIC DATA]" in html[:html.index("</title>")]


def test_leaderboard_is_sorted_and_states_its_bootstrap(rendered):
    leaderboard = _section(rendered[2], "leaderboard")
    names = ["tiny_cnn", "tiny_cnn_twin", "mini_xception", "svc_rbf", "&lt;script&gt;", "five_class_cnn"]
    positions = [leaderboard.index(f">{name}") for name in names]
    assert positions == sorted(positions)
    assert "95% percentile bootstrap over PrivateTest faces (2,000 resamples, seed 0)" in leaderboard
    assert "PrivateTest macro-F1" in leaderboard
    # two intervals per scored estimator: accuracy and macro-F1
    assert len(re.findall(r'<span class="ci">\d+\.\d%', leaderboard)) == 2 * len(names)


def test_leaderboard_marks_ties_with_the_best(rendered):
    leaderboard = _section(rendered[2], "leaderboard")
    assert 'class="badge best">best' in _row(leaderboard, "tiny_cnn")
    assert "≈ best" in _row(leaderboard, "tiny_cnn_twin")  # 3 faces apart: McNemar p = 0.25
    assert "worse" in _row(leaderboard, "svc_rbf")
    assert "not comparable: other faces or classes" in _row(leaderboard, "five_class_cnn")


def test_leaderboard_shows_deduplicated_accuracy_pretrained_and_class_subsets(rendered):
    leaderboard = _section(rendered[2], "leaderboard")
    assert "PrivateTest accuracy, de-duplicated" in leaderboard
    assert "77.00%" in _row(leaderboard, "tiny_cnn") and "193 faces, -4.9 points" in _row(leaderboard, "tiny_cnn")
    pretrained = _row(leaderboard, "mini_xception")
    assert ">pretrained</span>" in pretrained and "not trained here" in pretrained
    assert "5 classes" in _row(leaderboard, "five_class_cnn")


def test_a_label_subset_model_is_ranked_in_its_own_table_even_when_it_scores_highest(tmp_path):
    store = ResultsStore(make_run(tmp_path / "run", profile="quick"))
    manifest, records = store.load()
    five = next(record for record in records if record.name == "five_class_cnn")
    five.metrics["accuracy"] = 0.99  # above every 7-class model: it must still not be "best"
    store.save(manifest, records)
    analysis = analyse_run(store)
    assert analysis.best.name == "tiny_cnn" and analysis.results[-1].name == "five_class_cnn"
    html = render_report(store.run_dir).read_text()
    leaderboard = _section(html, "leaderboard")
    main, others = leaderboard.split('id="other-classes"')
    assert "five_class_cnn" not in main and "five_class_cnn" in others
    assert 'class="badge best">best' in _row(main, "tiny_cnn")
    assert f"Scored on {N_TEST:,} PrivateTest faces." in html  # the run's faces, not the subset model's
    assert f"profile ({profile_scope(manifest)})" in html and "subsets of the data, few epochs" not in html


def test_unfinished_estimators_are_listed_with_their_errors(rendered):
    leaderboard = _section(rendered[2], "leaderboard")
    unfinished = leaderboard[leaderboard.index("Did not finish (2)"):]
    assert "broken" in unfinished and "planted &lt;b&gt;failure&lt;/b&gt;" in unfinished
    assert "timed_out" in unfinished and "timed out after 600 s" in unfinished


def test_significance_matrix_covers_every_pair_on_the_same_faces(rendered):
    significance = _section(rendered[2], "significance")
    assert "5 estimators, 10 pairs, 210 PrivateTest faces, 7 classes" in significance
    assert "five_class_cnn" not in significance  # other classes, other faces: no McNemar against 7-class models
    assert significance.count('class="self"') == 5
    assert "Holm-adjusted" in significance and "sig-better" in significance and "sig-worse" in significance
    assert "3 : 0" in significance  # tiny_cnn gets 3 faces right that its twin gets wrong, never the reverse


def test_field_table_cites_published_results_beside_this_run(rendered):
    field = _section(rendered[2], "field")
    for text in ("71.20%", "Tang", "73.28%", "Khaireddin", "74.14%", "76.82%", "Residual Masking Network",
                 "65.90%", "mini-Xception", "66.00%", "44.00%", "41.00%", "arXiv:1306.0239"):
        assert text in field
    assert "This run is on synthetic data" in field
    assert field.count('class="this-run"') == 5  # the 5-class model is not comparable


def test_audit_section_explains_the_deduplicated_evaluation(rendered):
    audit = _section(rendered[2], "audit")
    assert "copies" in audit and "memorises" in audit
    assert "291 of 3,589 PrivateTest faces (8.1%) have an exact or near copy in Training" in audit
    assert "Of the 210 PrivateTest faces this run scores, 17 (8.1%) do." in audit
    assert "PrivateTest faces kept for the de-duplicated evaluation" in audit and "phash" in audit
    assert "drop_blank" in audit


def test_figures_have_descriptive_alt_text(rendered):
    figures = _section(rendered[2], "figures")
    images = _parse(figures).images
    alts = [image["alt"] for image in images]
    assert any(alt.startswith("Scatter plot of PrivateTest accuracy against training time") for alt in alts)
    assert any(alt.startswith("Heatmap of PrivateTest F1") for alt in alts)
    assert sum(alt.startswith("Row-normalised PrivateTest confusion matrices") for alt in alts) == 2  # 7 and 5 classes
    assert any(alt.startswith("Learning curves of the networks") for alt in alts)
    assert any(alt.startswith("Reliability diagrams") and "tiny_cnn" in alt and "mini_xception" in alt for alt in alts)
    assert all(image["src"].startswith("data:image/png;base64,") and len(image["alt"]) > 60 for image in images)
    cost = next(alt for alt in alts if alt.startswith("Scatter"))
    assert "mini_xception" not in cost and "five_class_cnn" not in cost  # pretrained; other classes
    assert "Pareto frontier (no estimator both faster and more accurate): tiny_cnn, svc_rbf" in cost


def test_estimators_without_probabilities_are_named(rendered):
    figures = _section(rendered[2], "figures")
    assert "No class probabilities, so no calibration, for: tiny_cnn_twin, svc_rbf, &lt;script&gt;alert(1)&lt;/script&gt;, five_class_cnn" in figures


def test_estimator_sections_have_reports_confusion_tables_and_galleries(rendered):
    estimators = _section(rendered[2], "estimators")
    assert estimators.count("<article") == 6
    assert "macro avg" in estimators and "weighted avg" in estimators
    assert estimators.count('<table class="heat">') == 12  # counts and row-normalised, per estimator
    assert "pretrained, not trained in this run" in estimators
    gallery_images = [image for image in _parse(estimators).images if image["alt"].startswith("PrivateTest face")]
    assert len(gallery_images) == 5 * 24  # not for the 5-class model: its labels index other faces
    assert re.search(r"PrivateTest face \d+: true \w+, predicted \w+ \(\d+%\)", estimators)  # with probabilities
    assert "the most confident first" in estimators and "spread evenly" in estimators


def test_manifest_section_is_complete_and_readable(rendered):
    manifest = _section(rendered[2], "manifest")
    for text in ("ab" * 32, "deadbeef", "Test CPU, 2 cores, 8.0 GiB memory", "scikit-learn 1.5", "Total",
                 "3,726 s (1:02:06)", "smoke: tiny", "python -m fer_bench run all", "Faces used by this profile"):
        assert text in manifest


def test_plugin_text_is_escaped(rendered):
    html = rendered[2]
    assert EVIL not in html and "<b>failure" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script" not in _parse(html).tags


def test_report_loads_nothing_from_outside(rendered):
    html = rendered[2]
    links = _parse(html).links
    assert links and all(link.startswith(("data:image/png;base64,", "#")) for link in links)
    assert not re.search(r"@import|url\(|<link|<script|<iframe", html)


def test_report_has_print_styles(rendered):
    assert "@media print" in rendered[2]


def test_rendering_twice_gives_the_same_report(rendered):
    run_dir, path, first = rendered
    second = render_report(run_dir).read_text(encoding="utf-8")

    def structure(html):
        return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,...", html)

    assert structure(second) == structure(first)


def test_real_data_full_profile_has_no_warnings(tmp_path):
    html = render_report(make_run(tmp_path, synthetic=False, profile="full", audit=False)).read_text(encoding="utf-8")
    assert "SYNTHETIC" not in html and 'id="audit"' not in html
    assert "not comparable to published" not in html and "not comparable with these" not in html
    assert "de-duplicated" in html  # records still carry de-duplicated metrics


def test_a_run_without_records_renders(tmp_path):
    ResultsStore(tmp_path).save(RunManifest(data=RunData(synthetic=True)), [])
    html = render_report(tmp_path).read_text(encoding="utf-8")
    assert "No estimator has finished" in html and "SYNTHETIC" in html
    assert (tmp_path / "results.csv").read_text().startswith("name,family,framework,status")


def test_a_directory_without_results_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="results.json"):
        render_report(tmp_path)


def test_rendering_imports_neither_torch_nor_tensorflow(rendered):
    run_dir = rendered[0]
    code = ("import sys; from fer_bench.report import render_report; render_report(sys.argv[1]); "
            "loaded = [name for name in ('torch', 'tensorflow', 'keras') if name in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code, str(run_dir)], check=True, timeout=120)


@pytest.mark.parametrize("damage", ["overwritten", "truncated", "bad member"])
def test_a_corrupt_predictions_file_is_named_as_corrupt(tmp_path, capsys, damage):
    from fer_bench.cli import main

    run_dir = make_run(tmp_path / "run")
    path = run_dir / "predictions" / "svc_rbf.npz"
    content = path.read_bytes()
    member = len(content) // 3  # inside the first array's data, before the zip directory
    path.write_bytes({"overwritten": b"\0garbage" * 64, "truncated": content[:len(content) // 2],
                      "bad member": content[:member] + bytes([content[member] ^ 0xFF]) + content[member + 1:]}[damage])
    assert main(["report", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: corrupt .npz file") and err.count("\n") == 1
    assert "pickled" not in err


def test_manifest_warnings_are_shown_at_the_top(tmp_path):
    run_dir = make_run(tmp_path / "run")
    store = ResultsStore(run_dir)
    manifest, records = store.load()
    store.save(replace(manifest, warnings=["data.csv: no PublicTest faces: model selection falls back"]), records)
    body = render_report(run_dir).read_text(encoding="utf-8").split("<body>", 1)[1]
    notice = body.index("<strong>Warning:</strong> data.csv: no PublicTest faces: model selection falls back")
    assert notice < body.index('id="leaderboard"')
