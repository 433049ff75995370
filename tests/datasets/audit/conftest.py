"""The planted data set and its audit, shared by the audit tests."""

from __future__ import annotations

import pytest

from fer_bench.datasets import FERDataset
from fer_bench.datasets.audit import DataAudit, audit_dataset

from ..planted import planted_dataset


@pytest.fixture(scope="module")
def planted() -> FERDataset:
    return planted_dataset()


@pytest.fixture(scope="module")
def audit(planted) -> DataAudit:
    return audit_dataset(planted)
