import os

import pytest

from fer_bench._io import atomic_write_bytes


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_atomic_writes_honour_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        atomic_write_bytes(tmp_path / "new" / "file.json", b"{}")
        atomic_write_bytes(tmp_path / "new" / "file.json", b"[]")  # replacing a file, too
        plain = tmp_path / "plain"
        plain.write_bytes(b"")
    finally:
        os.umask(previous)
    mode = (tmp_path / "new" / "file.json").stat().st_mode & 0o777
    assert mode == plain.stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "new" / "file.json").read_bytes() == b"[]"
    assert [path.name for path in (tmp_path / "new").iterdir()] == ["file.json"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "results.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")
    assert target.read_bytes() == b"old" and [path.name for path in tmp_path.iterdir()] == ["results.json"]
