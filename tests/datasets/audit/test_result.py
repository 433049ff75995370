"""The audit's JSON round trip and its text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fer_bench.datasets.audit import DataAudit


def test_dict_round_trip_and_text(audit):
    raw = json.loads(json.dumps(audit.to_dict()))
    assert raw["sha256"] == "ab" * 32 and raw["near_threshold"] == 4 and raw["blank_std"] == 2.0
    assert raw["exact_groups"][0] == [3, 5]
    back = DataAudit.from_dict(raw)
    assert back.to_dict() == audit.to_dict()
    assert back.near_pairs.dtype == np.int64 and back.near_pairs.shape == (3, 3)
    text = audit.format_text()
    assert "6 groups of 12 identical faces" in text
    assert "PrivateTest faces with a copy in Training: 2 faces (1 with the same label)" in text
    assert "Leaked PrivateTest faces (exact or near copy in Training): 4 of 10" in text
    assert "Blank faces (pixel std < 2): 2" in text
    with pytest.raises(ValueError, match="schema"):
        DataAudit.from_dict({**raw, "schema": 99})
    with pytest.raises(ValueError, match="lacks"):
        DataAudit.from_dict({key: value for key, value in raw.items() if key != "near_pairs"})
