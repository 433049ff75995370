"""Fixtures of the command line's tests: a tiny FER-2013 CSV and the planted one."""

import numpy as np
import pytest


def write_fer_csv(path, rows):
    lines = ["emotion,pixels,Usage"] + [f"{label},{' '.join(map(str, pixels))},{usage}" for label, pixels, usage in rows]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def tiny_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows = [(i % 7, rng.integers(0, 256, 2304), usage) for usage in ("Training", "PublicTest", "PrivateTest") for i in range(14)]
    path = tmp_path / "fer2013.csv"
    write_fer_csv(path, rows)
    return path


@pytest.fixture
def planted_csv(tmp_path):
    from tests.datasets.planted import planted_dataset, write_fer_csv

    path = tmp_path / "planted.csv"
    write_fer_csv(path, planted_dataset())
    return path
