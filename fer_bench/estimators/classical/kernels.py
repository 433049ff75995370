"""Kernel matrices of the SVMs: the pixel SVMs' kernels and the histogram kernels of bag-of-visual-words.

- :func:`kernel_matrix`: ``linear``, ``poly`` and ``rbf`` (:data:`KERNELS`), as
  :class:`sklearn.svm.SVC` computes them, in one BLAS product;
- :func:`histogram_kernel` and :func:`gram_matrix`: ``linear``, ``hellinger``
  and ``intersection`` (:data:`HISTOGRAM_KERNELS`) between non-negative rows, float32.

Both kinds are computed as matrix products (BLAS) where the kernel allows.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_option

KERNELS: tuple[str, ...] = ("linear", "poly", "rbf")
"""Kernels of :func:`kernel_matrix` (the pixel SVMs)."""
HISTOGRAM_KERNELS: tuple[str, ...] = ("linear", "hellinger", "intersection")
"""Kernels of :func:`histogram_kernel` and :func:`gram_matrix` (bag of visual words)."""
BLOCK_ROWS = 2048
"""Rows per kernel block: bounds the BLAS products of :func:`gram_matrix` and the BoVW decision blocks."""


def kernel_matrix(X: np.ndarray, Y: np.ndarray, kernel: str, gamma: float, degree: int = 3, coef0: float = 0.0) -> np.ndarray:
    """Kernel values between rows of X (n, d) and Y (m, d), in X's float dtype, shape (n, m).

    ``linear``: x.y; ``poly``: (gamma x.y + coef0) ** degree; ``rbf``:
    exp(-gamma |x - y|^2), the distances expanded as |x|^2 + |y|^2 - 2 x.y so
    the work is one matrix product (BLAS). Raises ``ValueError`` for a kernel not in :data:`KERNELS`.
    """
    check_option("kernel", kernel, KERNELS)
    values = X @ Y.T  # every step below works in place: one (n, m) buffer
    if kernel == "poly":
        values *= gamma
        values += coef0
        values **= degree
    elif kernel == "rbf":
        values *= -2
        values += np.einsum("ij,ij->i", X, X)[:, None]
        values += np.einsum("ij,ij->i", Y, Y)[None, :]
        np.maximum(values, 0, out=values)
        values *= -gamma
        np.exp(values, out=values)
    return values


def histogram_kernel(X: np.ndarray, Y: np.ndarray, kernel: str) -> np.ndarray:
    """Kernel between rows of X (n, d) and Y (m, d) of non-negative features: float32 (n, m).

    ``linear``: x.y (one BLAS product); ``hellinger``: sqrt(x).sqrt(y) (the
    Bhattacharyya coefficient of histograms, BLAS); ``intersection``:
    sum_j min(x_j, y_j) (Swain and Ballard, 1991), in blocks without BLAS: n m d
    operations, for small sets only. Raises ``ValueError`` for a kernel not in :data:`HISTOGRAM_KERNELS`.
    """
    check_option("kernel", kernel, HISTOGRAM_KERNELS)
    X, Y = np.asarray(X, dtype=np.float32), np.asarray(Y, dtype=np.float32)
    if kernel == "linear":
        return X @ Y.T
    if kernel == "hellinger":
        return np.sqrt(X) @ np.sqrt(Y).T
    out = np.empty((len(X), len(Y)), dtype=np.float32)
    for row in range(len(X)):  # one row against all of Y: memory (len(Y), d), never (len(X), len(Y), d)
        out[row] = np.minimum(X[row][None, :], Y).sum(axis=1)
    return out


def gram_matrix(Z: np.ndarray, kernel: str) -> np.ndarray:
    """Histogram kernel of the rows of Z (n, d) with themselves, float32 (n, n).

    ``linear`` and ``hellinger`` by blocks of :data:`BLOCK_ROWS` rows (BLAS products);
    ``intersection`` as :func:`histogram_kernel`.
    """
    if kernel == "intersection":
        return histogram_kernel(Z, Z, kernel)
    rows = np.sqrt(Z) if kernel == "hellinger" else np.asarray(Z, dtype=np.float32)
    gram = np.empty((len(rows), len(rows)), dtype=np.float32)
    # upper blocks only, mirrored: syrk's work; one Z @ Z.T of all 28,709 faces crashed OpenBLAS (segfault)
    for start in range(0, len(rows), BLOCK_ROWS):
        block = rows[start:start + BLOCK_ROWS] @ rows[start:].T
        gram[start:start + BLOCK_ROWS, start:] = block
        gram[start:, start:start + BLOCK_ROWS] = block.T
    return gram
