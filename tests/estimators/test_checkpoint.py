import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fer_bench.estimators.training.checkpoint import EpochCheckpoint, fingerprint  # noqa: E402


def test_the_state_comes_back_for_the_same_fit_only(tmp_path):
    labels = np.arange(6)
    mine = fingerprint({"epochs": 3}, 0, labels)
    EpochCheckpoint(tmp_path / "fit.pt", mine).save({"step": 4, "weights": torch.ones(2)})
    state = EpochCheckpoint(tmp_path / "fit.pt", mine).load()
    assert state["step"] == 4 and torch.equal(state["weights"], torch.ones(2))
    assert [path.name for path in tmp_path.iterdir()] == ["fit.pt"]  # written under another name, then renamed
    for other in (fingerprint({"epochs": 4}, 0, labels), fingerprint({"epochs": 3}, 1, labels),
                  fingerprint({"epochs": 3}, 0, labels[::-1])):
        assert other != mine and EpochCheckpoint(tmp_path / "fit.pt", other).load() is None


def test_string_labels_have_a_fingerprint_of_their_values():
    first = fingerprint({}, 0, np.array(["happy", "sad"], dtype=object))
    assert first == fingerprint({}, 0, np.array(["happy", "sad"], dtype=object))
    assert first != fingerprint({}, 0, np.array(["sad", "happy"], dtype=object))


def test_no_checkpoint_is_none(tmp_path):
    assert EpochCheckpoint(tmp_path / "fit.pt", "x").load() is None


@pytest.mark.parametrize("content", ["not a checkpoint", "a tensor file"])
def test_a_file_that_is_no_checkpoint_is_an_error_naming_it(tmp_path, content):
    path = tmp_path / "fit.pt"
    if content == "a tensor file":
        torch.save({"weight": torch.zeros(2)}, path)
    else:
        path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="fit.pt: not a training checkpoint"):
        EpochCheckpoint(path, "x").load()
