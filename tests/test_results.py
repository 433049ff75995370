from fer_bench.results import RunRecord


def test_records_without_a_fold_field_still_load_and_fold_round_trips():
    old = RunRecord.from_dict({"name": "svc_linear", "family": "classical", "framework": "sklearn", "source": "seed"})
    assert old.fold is None
    record = RunRecord(name="dexpression", family="network", framework="torch", source="paper",
                       fold={"index": 2, "of": 10, "split": "subject"})
    assert RunRecord.from_dict(record.to_dict()).fold == {"index": 2, "of": 10, "split": "subject"}
