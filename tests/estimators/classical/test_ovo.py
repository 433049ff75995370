import threading

import numpy as np

from fer_bench.estimators.classical import ovo


def test_pairs_are_counted_as_they_finish_and_merged_by_pair(monkeypatch):
    """The largest pair (started first) waits until the progress has counted another pair: counting in the
    order pairs were started would wait for it forever."""
    pairs, sizes = ovo.class_pairs(np.repeat(np.arange(4), [9, 5, 4, 3]), 4)
    counted = threading.Event()

    def fit_pair(first, second):
        if (first, second) == (0, 1):  # the largest pair
            assert counted.wait(5), "no pair was counted while the largest one ran"
        return np.array([first, second]), np.array([1.0, -1.0]), float(10 * first + second)

    class Progress:
        def __init__(self, *args):
            self.done = 0

        def advance(self):
            self.done += 1
            counted.set()

    monkeypatch.setattr(ovo, "WorkProgress", Progress)
    support, dual_coef, intercept = ovo.fit_pairs(fit_pair, pairs, sizes, 2, np.float64)
    assert support.tolist() == [0, 1, 2, 3]
    assert intercept.tolist() == [10.0 * first + second for first, second in pairs]
    for column, (first, second) in enumerate(pairs):
        assert dual_coef[first, column] == 1.0 and dual_coef[second, column] == -1.0
