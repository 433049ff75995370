"""The registered classical estimators: SVMs and kNN on pixels, PCA or HOG, and the BoVW SVMs.

One zero-argument factory per estimator, named after it, at its defaults
(:func:`~fer_bench.estimators.create_estimator` applies a profile and the seed);
registered in listing order: ``svc_*``, ``knn*``, then ``bovw_*``.
"""

from __future__ import annotations

from typing import Any

from .._registry import register_estimator
from .bovw import BoVWSVC, LocalBoVWSVC
from .knn import GridSearchKNN
from .svm import PixelSVC

SVC_DEFAULTS: dict[str, Any] = {"C": 1.0, "gamma": "scale", "cache_size": "auto", "n_jobs": -1}
PCA_DEFAULTS: dict[str, Any] = {"features": "pca", "n_components": 100, "whiten": True}
HOG_DEFAULTS: dict[str, Any] = {"features": "hog", "n_components": 100, "whiten": True}
POLY_DEFAULTS: dict[str, Any] = {"degree": 3, "coef0": 1.0, **SVC_DEFAULTS}  # with whitened inputs, (gamma x.y)^3 alone fails
LIBLINEAR_DEFAULTS: dict[str, Any] = {"C": 0.1, "solver": "liblinear", "n_jobs": -1}


@register_estimator(family="classical", framework="sklearn", source="seed: SVM, linear kernel, on scaled pixels")
def svc_linear() -> PixelSVC:
    return PixelSVC(kernel="linear", **SVC_DEFAULTS)


@register_estimator(family="classical", framework="sklearn", source="seed: SVM, polynomial kernel (degree 3), on scaled pixels")
def svc_poly() -> PixelSVC:
    return PixelSVC(kernel="poly", degree=3, **SVC_DEFAULTS)


@register_estimator(family="classical", framework="sklearn", source="seed: SVM, RBF kernel, on scaled pixels")
def svc_rbf() -> PixelSVC:
    return PixelSVC(kernel="rbf", **SVC_DEFAULTS)


@register_estimator(family="classical", framework="sklearn",
                    source="linear SVM (liblinear, one-vs-rest) on 100 whitened principal components of the pixels")
def svc_linear_pca() -> PixelSVC:
    return PixelSVC(kernel="linear", **{**LIBLINEAR_DEFAULTS, **PCA_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="linear SVM (liblinear, one-vs-rest) on HOG features (scikit-image, 8x8-pixel cells) reduced to 100 whitened principal components")
def svc_linear_hog() -> PixelSVC:
    return PixelSVC(kernel="linear", **{**LIBLINEAR_DEFAULTS, **HOG_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, polynomial kernel (degree 3, coef0 1), on 100 whitened principal components of the pixels")
def svc_poly_pca() -> PixelSVC:
    return PixelSVC(kernel="poly", **{**POLY_DEFAULTS, **PCA_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, polynomial kernel (degree 3, coef0 1), on HOG features (scikit-image, 8x8-pixel cells) reduced to 100 whitened principal components")
def svc_poly_hog() -> PixelSVC:
    return PixelSVC(kernel="poly", **{**POLY_DEFAULTS, **HOG_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, RBF kernel, on 100 whitened principal components of the pixels")
def svc_rbf_pca() -> PixelSVC:
    return PixelSVC(kernel="rbf", **{**SVC_DEFAULTS, **PCA_DEFAULTS})


@register_estimator(family="classical", framework="sklearn",
                    source="SVM, RBF kernel, on HOG features (scikit-image, 8x8-pixel cells) reduced to 100 whitened principal components")
def svc_rbf_hog() -> PixelSVC:
    return PixelSVC(kernel="rbf", **{**SVC_DEFAULTS, **HOG_DEFAULTS})


KNN_GRID: dict[str, Any] = {"param_grid": {"n_neighbors": [1, 3, 5], "p": [1, 2], "leaf_size": [30]}, "n_jobs": -1}


@register_estimator(family="classical", framework="sklearn",
                    source="seed: k-nearest neighbours grid-searched over n_neighbors, p, leaf_size, on raw pixels")
def knn() -> GridSearchKNN:
    return GridSearchKNN(**{"algorithm": "auto", **KNN_GRID})


@register_estimator(family="classical", framework="sklearn",
                    source="k-nearest neighbours (brute force) grid-searched over n_neighbors, p, on 100 principal components of the pixels")
def knn_pca() -> GridSearchKNN:
    return GridSearchKNN(**{**KNN_GRID, "features": "pca"})


@register_estimator(family="classical", framework="sklearn",
                    source="k-nearest neighbours (brute force) grid-searched over n_neighbors, p, on HOG features (scikit-image, 8x8-pixel cells)")
def knn_hog() -> GridSearchKNN:
    return GridSearchKNN(**{**KNN_GRID, "features": "hog"})


BOVW_DEFAULTS: dict[str, Any] = {"n_jobs": -1}


@register_estimator(family="classical", framework="sklearn",
                    source="Ionescu, Popescu & Grozea (2013): dense SIFT, 1,000 visual words, spatial pyramid (1x1, 2x2) "
                           "presence vectors, linear-kernel SVM; without their local learning")
def bovw_svc() -> BoVWSVC:
    return BoVWSVC(**BOVW_DEFAULTS)


@register_estimator(family="classical", framework="sklearn",
                    source="bovw_svc with HOG (8x8-pixel cells) fused into the kernel as one more term")
def bovw_hog_svc() -> BoVWSVC:
    return BoVWSVC(hog_weight=1.0, **BOVW_DEFAULTS)


@register_estimator(family="classical", framework="sklearn",
                    source="Ionescu, Popescu & Grozea (2013): bovw_svc's features with local learning, "
                           "one SVM per test face on its 250 nearest Training faces in the kernel space")
def bovw_local_svc() -> LocalBoVWSVC:
    return LocalBoVWSVC(**BOVW_DEFAULTS)
