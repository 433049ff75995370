from fer_bench.report.published import PUBLISHED_RESULTS


def test_every_reference_is_a_cited_fraction():
    for entry in PUBLISHED_RESULTS:
        assert 0 < entry.accuracy < 1, entry
        assert entry.kind in ("published", "seed", "pretrained", "human"), entry
        assert entry.citation and entry.method, entry


def test_the_field_includes_the_landmarks():
    accuracies = {entry.method: entry.accuracy for entry in PUBLISHED_RESULTS}
    assert accuracies["Residual Masking Network"] == 0.7414
    assert accuracies["Residual Masking Network ensemble"] == 0.7682
    assert 0.712 in accuracies.values() and 0.7328 in accuracies.values()
    papers = [entry for entry in PUBLISHED_RESULTS if entry.kind == "published"]
    assert all("arXiv:" in entry.citation for entry in papers)
