"""Audits kept on disk, named by the data set's sha256, a digest of its arrays, the hash and the thresholds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..._cache import cache_root
from ..._io import atomic_write_bytes
from .._dataset import FERDataset
from .compute import DEFAULT_BLANK_STD, DEFAULT_NEAR_THRESHOLD, audit_dataset
from .result import HASH_SIZE, SCHEMA_VERSION, DataAudit

def default_cache_dir() -> Path:
    """``cache_root()/audit``."""
    return cache_root() / "audit"


def cached_audit(dataset: FERDataset, cache_dir: str | Path | None = None,
                 near_threshold: int = DEFAULT_NEAR_THRESHOLD, blank_std: float = DEFAULT_BLANK_STD) -> DataAudit:
    """:func:`audit_dataset`, read from the cache when this data set was audited before.

    The cache file is named by ``dataset.sha256``, a digest of the arrays
    and ids themselves (a subset of a file shares the file's sha256), the
    hash and the thresholds. A missing, unreadable or stale file is recomputed and
    rewritten atomically.

    Parameters
    ----------
    dataset, near_threshold, blank_std
        As :func:`audit_dataset`, which also gives the result and its ``ValueError``.
    cache_dir : str or Path, optional
        Folder of the cached audits; :func:`default_cache_dir` when None.

    Raises
    ------
    OSError
        If the cache folder cannot be written.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / (f"{dataset.sha256 or 'unhashed'}-{_content_digest(dataset)}-phash{HASH_SIZE}"
                     f"-d{near_threshold}-std{blank_std:g}-v{SCHEMA_VERSION}.json")
    try:
        audit = DataAudit.from_dict(json.loads(path.read_text()))
        if audit.n_faces == len(dataset) and audit.sha256 == dataset.sha256:
            return audit
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # absent or unreadable: recompute
    audit = audit_dataset(dataset, near_threshold=near_threshold, blank_std=blank_std)
    atomic_write_bytes(path, json.dumps(audit.to_dict()).encode())
    return audit


def _content_digest(dataset: FERDataset) -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(np.ascontiguousarray(dataset.images).tobytes())
    digest.update(np.asarray(dataset.labels, dtype=np.int64).tobytes())
    digest.update("\0".join(np.asarray(dataset.usage).astype(str).tolist()).encode())
    if dataset.ids is not None:  # the audit names rows by these; a file name may hold undecodable bytes
        digest.update("\0".join(np.asarray(dataset.ids).astype(str).tolist()).encode(errors="surrogateescape"))
    return digest.hexdigest()
