"""The stored run the trackers' tests read."""

import pytest

from .support import make_stored_run


@pytest.fixture
def stored_run(tmp_path):
    return make_stored_run(tmp_path / "stored")
