"""Audits read back from the cache, and recomputed when the cache file is corrupt."""

from __future__ import annotations

import json

import pytest

from fer_bench._cache import CACHE_ENV_VAR
from fer_bench.datasets import audit as audit_module
from fer_bench.datasets.audit import cached_audit
from fer_bench.datasets.audit import cache as cache_module


def test_cache_round_trip(planted, audit, tmp_path, monkeypatch):
    first = cached_audit(planted, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.json")
    assert path.name.startswith(planted.sha256) and not list(tmp_path.glob(".*.tmp"))
    assert first.to_dict()["counts"] == audit.to_dict()["counts"]

    def fail(*args, **kwargs):
        raise AssertionError("audit recomputed instead of read from the cache")

    monkeypatch.setattr(cache_module, "audit_dataset", fail)
    assert cached_audit(planted, cache_dir=tmp_path).to_dict() == first.to_dict()

    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "root"))
    assert audit_module.default_cache_dir() == tmp_path / "root" / "audit"
    with pytest.raises(AssertionError, match="recomputed"):  # another threshold is another cache file
        cached_audit(planted, near_threshold=2)



def test_corrupt_cache_is_recomputed(planted, tmp_path):
    cached_audit(planted, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.json")
    path.write_text("{not json")
    assert cached_audit(planted, cache_dir=tmp_path).blank_rows.tolist() == [20, 44]
    assert json.loads(path.read_text())["blank_rows"] == [20, 44]
