from fer_bench.analysis.budget_use import off_budget
from fer_bench.results import RunRecord

from ..report.conftest import TIME_BUDGET, used


def _record(budget):
    return RunRecord(name="cnn", family="network", framework="torch", source="", budget=budget)


def test_a_network_off_its_time_budget_by_more_than_5_percent_says_why():
    on_time = {**TIME_BUDGET, "used": {**used(4, 900, 290.0), "budget_used": 0.99}}
    slow = {**TIME_BUDGET, "used": {**used(14, 3150, 365.3), "budget_used": 1.06}}
    older = {**TIME_BUDGET, "used": used(4, 900, 123.0)}  # a store from before the budget clock: wall seconds
    assert off_budget([_record(on_time)], [0]) is None and off_budget([_record({})], [0]) is None
    assert off_budget([_record(on_time), _record(slow), _record(older)], [0, 1, 2]) == \
        "seed 1 spent 106% of its 300 s; seed 2 spent 41% of its 300 s"
