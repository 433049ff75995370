"""The statistics of runs; the report only presents them.

- :mod:`.metrics`: accuracy, macro-F1, per-class scores, confusion matrix, bootstrap intervals, McNemar, Holm;
- :mod:`.groups`: accuracy per subgroup of faces and a test of the difference;
- :mod:`.bootstrap`: the one bootstrap engine: resamples of the test faces shared by every estimator and seed;
- :mod:`.improvement`: the probability that one estimator beats another over seeds and resamples;
- :mod:`.budget_use`: the share of its time budget a network spent;
- :mod:`.run`: a stored run analysed: ranks, intervals, significance groups;
- :mod:`.ensemble`: the derived ensemble: temperature scaling and greedy selection on PublicTest;
- :mod:`.crossdata`: the matrix across data sets: runs trained on one, scored on others (``run --also-test``).
"""
