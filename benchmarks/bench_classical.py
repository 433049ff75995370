"""Speed and PrivateTest accuracy of fer_bench's classical estimators against plain scikit-learn.

Four parts, in one run on one machine:

1. Side by side on the same stratified Training subset (8,000 faces by
   default) and the full PrivateTest: scikit-learn's ``SVC(kernel="rbf")``
   with default settings on raw float64 pixels, and fer_bench's RBF SVMs
   (``svc_rbf``: the same model, pairs on precomputed kernel matrices;
   ``svc_rbf_pca`` and ``svc_rbf_hog``; or ``--variants``). Prints seconds,
   PrivateTest accuracy and the speed ratios.
2. The linear SVM on the full Training split, side by side: scikit-learn's
   ``LinearSVC`` (liblinear) and fer_bench's ``NewtonLinearSVC`` (the same
   model by Newton steps on BLAS, what ``svc_linear`` uses in ``quick``), on
   standardised pixels. Prints seconds, PrivateTest accuracy, the speed
   ratio and the share of equal predictions.
3. Every classical estimator of a profile (``quick`` by default) as the
   runner trains it: on the profile's Training size (the full 28,709 faces
   where the profile sets no ``train_size``), PublicTest for selection,
   PrivateTest for the score.
4. The bag-of-visual-words estimators of Ionescu, Popescu and Grozea (2013)
   beside ``svc_poly_hog`` (the best SVM on handcrafted features before them),
   all on the full Training split with profile ``bovw`` (local learning included).

Usage::

    python benchmarks/bench_classical.py --data /path/to/fer2013.csv.gz
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's fer_bench, not an installed one


def _timed(call):
    """(result, wall seconds); CPU seconds of this process's threads go to ``_timed.cpu``."""
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    _timed.cpu = time.process_time() - cpu
    return result, time.perf_counter() - start


def compare_rbf(dataset, variants: list[str], train_size: int, seed: int) -> None:
    """Part 1: scikit-learn's default RBF SVC against each of ``variants``, same faces."""
    from sklearn.svm import SVC

    from fer_bench.datasets import stratified_indices
    from fer_bench import create_estimator
    from fer_bench.profiles import load_profile

    X, y = dataset.split("Training")
    keep = stratified_indices(y, train_size, seed)
    X, y = X[keep], y[keep]
    X_test, y_test = dataset.split("PrivateTest")
    print(f"== RBF SVMs on the same {len(y):,} stratified Training faces, scored on {len(y_test):,} PrivateTest faces")

    rows = X.reshape(len(X), -1).astype(np.float64)
    baseline, fit_baseline = _timed(lambda: SVC(kernel="rbf").fit(rows, y))
    cpu_baseline = _timed.cpu
    predicted, predict_baseline = _timed(lambda: baseline.predict(X_test.reshape(len(X_test), -1).astype(np.float64)))
    cpu_baseline += _timed.cpu
    accuracy_baseline = float(np.mean(predicted == y_test))

    print("(cpu s: CPU seconds of this process's threads; joblib worker processes, used for HOG, not counted)")
    print(f"{'model':<44} {'fit s':>8} {'predict s':>10} {'total s':>8} {'cpu s':>8} {'PrivateTest accuracy':>21}")
    print(f"{'sklearn SVC(kernel=rbf), raw float64 pixels':<44} {fit_baseline:8.1f} {predict_baseline:10.1f} "
          f"{fit_baseline + predict_baseline:8.1f} {cpu_baseline:8.1f} {accuracy_baseline:21.4f}", flush=True)
    for variant in variants:
        model = create_estimator(variant, load_profile("quick"), seed).estimator
        _, fit_variant = _timed(lambda: model.fit(X, y))
        cpu_variant = _timed.cpu
        predicted, predict_variant = _timed(lambda: model.predict(X_test))
        cpu_variant += _timed.cpu
        accuracy_variant = float(np.mean(predicted == y_test))
        print(f"{'fer_bench ' + variant:<44} {fit_variant:8.1f} {predict_variant:10.1f} {fit_variant + predict_variant:8.1f} "
              f"{cpu_variant:8.1f} {accuracy_variant:21.4f}")
        ratio = (fit_baseline + predict_baseline) / (fit_variant + predict_variant)
        print(f"  speed ratio (baseline / {variant}, fit + predict): {ratio:.1f}x; fit only: {fit_baseline / fit_variant:.1f}x; "
              f"PrivateTest accuracy {accuracy_variant - accuracy_baseline:+.4f}", flush=True)


def compare_linear(dataset, C: float = 1.0) -> None:
    """Part 2: liblinear against NewtonLinearSVC, one model, on all Training faces."""
    from sklearn.svm import LinearSVC

    from fer_bench.estimators.classical.features import make_features
    from fer_bench.estimators.classical.linear_newton import NewtonLinearSVC

    X, y = dataset.split("Training")
    X_test, y_test = dataset.split("PrivateTest")
    scaler = make_features("pixels", scale=True).fit(X)
    rows, test_rows = scaler.transform(X), scaler.transform(X_test)
    print(f"\n== Linear SVM (squared hinge, one-vs-rest, C={C}) on all {len(y):,} Training faces, standardised pixels")
    print(f"{'solver':<44} {'fit s':>8} {'PrivateTest accuracy':>21}")
    predictions, seconds = {}, {}
    for name, model in (("sklearn LinearSVC (liblinear)", LinearSVC(C=C, random_state=0)),
                        ("fer_bench NewtonLinearSVC", NewtonLinearSVC(C=C))):
        _, seconds[name] = _timed(lambda: model.fit(rows, y))
        predictions[name] = model.predict(test_rows)
        print(f"{name:<44} {seconds[name]:8.1f} {np.mean(predictions[name] == y_test):21.4f}", flush=True)
    liblinear, newton = predictions.values()
    print(f"  speed ratio (liblinear / Newton, fit): {seconds['sklearn LinearSVC (liblinear)'] / seconds['fer_bench NewtonLinearSVC']:.1f}x; "
          f"equal PrivateTest predictions: {np.mean(liblinear == newton):.4f}", flush=True)


def profile_table(dataset, profile_name: str, names: list[str] | None, seed: int) -> None:
    """Part 3: every classical estimator of the profile, trained as the runner trains it."""
    from fer_bench.datasets import stratified_indices
    from fer_bench import available_estimators, create_estimator
    from fer_bench.profiles import load_profile

    profile = load_profile(profile_name)
    specs = [spec for spec in available_estimators().values() if spec.family == "classical" and (not names or spec.name in names)]
    X_all, y_all = dataset.split("Training")
    validation = dataset.split("PublicTest")
    X_test, y_test = dataset.split("PrivateTest")
    print(f"\n== Classical estimators of profile {profile.name!r} (Training sizes from the profile; PrivateTest: {len(y_test):,} faces)")
    print("(cpu s: CPU seconds of this process's threads during fit + predict; joblib worker processes, used for HOG, not counted)")
    print(f"{'estimator':<16} {'train faces':>11} {'fit s':>8} {'predict s':>10} {'cpu s':>8} {'PrivateTest accuracy':>21}")
    total = 0.0
    for spec in specs:
        X, y = X_all, y_all
        build = create_estimator(spec.name, profile, seed)
        if build.train_size and build.train_size < len(y):
            keep = stratified_indices(y, build.train_size, seed)
            X, y = X[keep], y[keep]
        model = build.estimator
        kwargs = {"validation_data": validation} if "validation_data" in inspect.signature(model.fit).parameters else {}
        _, fit_seconds = _timed(lambda: model.fit(X, y, **kwargs))
        cpu_seconds = _timed.cpu
        if hasattr(model, "predict_proba"):  # as the runner does: scores, then their argmax
            proba, predict_seconds = _timed(lambda: model.predict_proba(X_test))
            predicted = model.classes_[proba.argmax(axis=1)]
        else:
            predicted, predict_seconds = _timed(lambda: model.predict(X_test))
        cpu_seconds += _timed.cpu
        total += fit_seconds + predict_seconds
        print(f"{spec.name:<16} {len(y):>11,} {fit_seconds:8.1f} {predict_seconds:10.1f} {cpu_seconds:8.1f} "
              f"{np.mean(predicted == y_test):21.4f}", flush=True)
    print(f"total fit + predict: {total:.0f} s ({total / 60:.1f} min)")


BOVW_TABLE: tuple[str, ...] = ("svc_poly_hog", "bovw_svc", "bovw_hog_svc", "bovw_local_svc")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="fer2013.csv[.gz] or another layout load_dataset reads")
    parser.add_argument("--train-size", type=int, default=8000, help="stratified Training faces of part 1 (default 8000)")
    parser.add_argument("--variants", nargs="+", default=["svc_rbf", "svc_rbf_pca", "svc_rbf_hog"], metavar="NAME",
                        help="fer_bench estimators set against the baseline (default: svc_rbf svc_rbf_pca svc_rbf_hog)")
    parser.add_argument("--profile", default="quick", help="profile of part 3 (default quick)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="part 3 for these classical estimators only")
    parser.add_argument("--skip", nargs="+", choices=("comparison", "linear", "profile", "bovw"), default=[],
                        help="leave out part 1 (comparison), 2 (linear), 3 (profile) or 4 (bovw)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import os

    import fer_bench
    from fer_bench.datasets import load_dataset

    dataset = load_dataset(args.data)
    print(f"fer_bench {fer_bench.__version__} from {Path(fer_bench.__file__).parent}; {os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f} at start")
    if "comparison" not in args.skip:
        compare_rbf(dataset, args.variants, args.train_size, args.seed)
    if "linear" not in args.skip:
        compare_linear(dataset)
    if "profile" not in args.skip:
        profile_table(dataset, args.profile, args.only, args.seed)
    if "bovw" not in args.skip:
        profile_table(dataset, "bovw", list(BOVW_TABLE), args.seed)
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} at end" + (" (more than the core count: a contended machine)" if load > os.cpu_count() else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
