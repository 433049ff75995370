from fer_bench.analysis.crossdata import cross_matrix
from fer_bench.report import render_report
from fer_bench.report.crossdata import write_crossdata_page
from tests.analysis.crossdata_runs import two_runs


def test_the_page_shows_the_matrix_and_what_produced_it(tmp_path):
    page = write_crossdata_page(cross_matrix(two_runs(tmp_path)), tmp_path / "crossdata.html").read_text()
    assert "knn: trained on (rows), tested on (columns)" in page
    assert "<strong>50.0%</strong>" in page and "-12.5 points against its own" in page and "-25.0 points against its own" in page
    assert "cropped by haar; no face found in 1 images (scored whole)" in page
    assert "the model&#39;s Disgust: no face in b" in page
    assert "recall per class" in page and "a → b" in page
    assert "sha256 " + "a" * 64 in page and "test CPU" in page and "python -m fer_bench run knn" in page


def test_the_run_report_has_its_row(tmp_path):
    run_a, _ = two_runs(tmp_path)
    report = render_report(run_a).read_text()
    assert 'id="crossdata"' in report and "Across data sets" in report and "-12.5 points against its own" in report
