import re
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest

from fer_bench.labels import FER2013_CLASSES
from fer_bench.metrics import classification_metrics
from fer_bench.report import render_report
from fer_bench.results import ResultsStore, RunRecord

EVIL = "<script>alert(1)</script>"
N_TEST = 210


def _manifest(synthetic=True, profile="smoke"):
    counts = {split: {name: 10 * (index + 1) for index, name in enumerate(FER2013_CLASSES)}
              for split in ("Training", "PublicTest", "PrivateTest")}
    return {
        "run_id": "20250101-000000-smoke", "created": "2025-01-01T00:00:00+00:00",
        "command": "python -m fer_bench run all", "seed": 0,
        "profile": {"name": profile, "description": "tiny", "data": {"Training": 420}},
        "class_names": list(FER2013_CLASSES),
        "data": {"source": "synthetic" if synthetic else "data/fer2013.csv", "sha256": "ab" * 32,
                 "synthetic": synthetic, "counts": counts, "used_counts": counts},
        "environment": {"python": "3.12.0", "cpu": "Test CPU", "gpu": None,
                        "libraries": {"numpy": "2.0", "scikit-learn": "1.5"}, "git_commit": "deadbeef"},
        "wall_seconds": 12.5,
    }


def _scored(store, name, accuracy, y_true, seed, **fields):
    rng = np.random.default_rng(seed)
    y_pred = np.where(rng.random(len(y_true)) < accuracy, y_true, rng.integers(0, 7, len(y_true)))
    file_name = re.sub(r"\W+", "_", name)  # the planted name holds "/", not a file name
    return RunRecord(name=name, family=fields.pop("family", "classical"), framework=fields.pop("framework", "sklearn"),
                     source=fields.pop("source", "seed: test"), params=fields.pop("params", {"C": 1.0}),
                     fit_seconds=1.5, predict_seconds=0.25, train_images=420, test_images=len(y_true),
                     fit_images_per_second=280.0, peak_memory_mib=12.0,
                     metrics=classification_metrics(y_true, y_pred, FER2013_CLASSES),
                     predictions_file=store.save_predictions(file_name, y_true, y_pred), **fields)


def make_run(run_dir, synthetic=True, profile="smoke"):
    store = ResultsStore(run_dir)
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 7, N_TEST)
    store.save_test_faces(rng.integers(0, 256, (N_TEST, 48, 48), dtype=np.uint8), y_true)
    history = [{"epoch": epoch, "train_loss": 2.0 - 0.3 * epoch, "public_accuracy": 0.2 + 0.1 * epoch, "seconds": 1.0}
               for epoch in range(1, 4)]
    records = [
        _scored(store, "svc_rbf", 0.5, y_true, 1),
        _scored(store, "tiny_cnn", 0.8, y_true, 2, family="network", framework="torch", history=history,
                params={"epochs": 3, "optimizer": "sgd"}),
        _scored(store, EVIL, 0.3, y_true, 3, source=f"plugin {EVIL}", params={"note": EVIL}),
        RunRecord(name="broken", family="network", framework="torch", source="seed: test", status="failed",
                  error="RuntimeError: planted <b>failure</b>"),
    ]
    store.save(_manifest(synthetic, profile), records)
    return run_dir


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
def rendered(tmp_path_factory):
    run_dir = make_run(tmp_path_factory.mktemp("run"))
    path = render_report(run_dir)
    return run_dir, path, path.read_text(encoding="utf-8")


def _section(html, section_id):
    return html[html.index(f'<section id="{section_id}">'):].split("</section>", 1)[0]


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


def test_leaderboard_is_sorted_by_privatetest_accuracy_and_lists_failures(rendered):
    leaderboard = _section(rendered[2], "leaderboard")
    assert "PrivateTest accuracy" in leaderboard and "PrivateTest macro-F1" in leaderboard
    assert leaderboard.index("tiny_cnn") < leaderboard.index("svc_rbf") < leaderboard.index("&lt;script&gt;")
    unfinished = leaderboard[leaderboard.index("Did not finish"):]
    assert "broken" in unfinished and "<details>" in unfinished
    assert "planted &lt;b&gt;failure&lt;/b&gt;" in unfinished


def test_estimator_sections_have_reports_and_figures(rendered):
    html = rendered[2]
    estimators = _section(html, "estimators")
    assert estimators.count("<article") == 3  # the failed one has no section
    assert "macro avg" in estimators and "weighted avg" in estimators
    images = _parse(estimators).images
    assert len(images) == 4  # three confusion matrices, one learning curve
    for image in images:
        assert image["src"].startswith("data:image/png;base64,")
        assert len(image["alt"]) > 40
    assert any(image["alt"].startswith("Learning curve of tiny_cnn") for image in images)


def test_significance_and_manifest_sections(rendered):
    html = rendered[2]
    assert "Holm-adjusted" in _section(html, "significance")
    manifest = _section(html, "manifest")
    for text in ("ab" * 32, "deadbeef", "Test CPU", "scikit-learn", "Total", "used_counts"):
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
    assert not re.search(r"@import|url\(|<link|<script", html)


def test_rendering_twice_gives_the_same_report(rendered):
    run_dir, path, first = rendered
    second = render_report(run_dir).read_text(encoding="utf-8")

    def structure(html):
        return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,...", html)

    assert structure(second) == structure(first)


def test_real_data_full_profile_has_no_warnings(tmp_path):
    html = render_report(make_run(tmp_path, synthetic=False, profile="full")).read_text(encoding="utf-8")
    assert "SYNTHETIC" not in html and "not comparable" not in html


def test_a_run_without_records_renders(tmp_path):
    ResultsStore(tmp_path).save({"data": {"synthetic": True}}, [])
    html = render_report(tmp_path).read_text(encoding="utf-8")
    assert "No estimator has finished" in html and "SYNTHETIC" in html


def test_a_directory_without_results_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="results.json"):
        render_report(tmp_path)


def test_rendering_imports_neither_torch_nor_tensorflow(rendered):
    run_dir = rendered[0]
    code = ("import sys; from fer_bench.report import render_report; render_report(sys.argv[1]); "
            "loaded = [name for name in ('torch', 'tensorflow', 'keras') if name in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code, str(run_dir)], check=True, timeout=120)
