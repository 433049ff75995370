"""Saving fitted estimators under ``RUN_DIR/models/NAME/`` and loading them back, without running their code.

Every saved model has a record, ``estimator.json``: its class and the names of
its classes (``class_names[label]``, see :func:`saved_class_names`). An
estimator with ``save(directory)`` and a ``load(directory)`` classmethod (the
networks: PyTorch state dicts read with ``weights_only=True``, Keras ``.keras``
files read in safe mode) saves itself beside it; any other scikit-learn
estimator is written with ``skops.io`` (``model.skops``) and read back only if
every type in it is scikit-learn's, NumPy's or in :data:`TRUSTED_TYPES`.

Pickle files (``*.joblib``, ``*.pkl``, ``*.pickle``) can run any code when
loaded: a folder holding one is refused unless the caller trusts it
(``trust=True``, the CLI's ``--trust-model``).
"""

from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path
from typing import Sequence

from .._io import atomic_write_bytes, atomic_write_json, read_json_object
from ..results import RESULTS_FILE, ResultsStore

CLASS_FILE = "estimator.json"
"""The model's record: ``{"class": "module:qualname", "format": "self" | "skops", "class_names": [...]}``."""
SKOPS_FILE = "model.skops"
JOBLIB_FILE = "model.joblib"
"""Written by fer_bench before skops; loaded only when trusted."""
PICKLE_SUFFIXES: tuple[str, ...] = (".joblib", ".pkl", ".pickle")
CONFIG_FILE = "config.json"
"""A self-saving estimator's settings and fitted state (JSON), beside its weights."""
TRUSTED_TYPES: frozenset[str] = frozenset({
    "fer_bench.estimators.classical.bovw.BoVWSVC",
    "fer_bench.estimators.classical.bovw.LocalBoVWSVC",
    "fer_bench.estimators.classical.features.CappedPCA",
    "fer_bench.estimators.classical.features.FlattenPixels",
    "fer_bench.estimators.classical.features.HOGFeatures",
    "fer_bench.estimators.classical.knn.GridSearchKNN",
    "fer_bench.estimators.classical.linear_newton.NewtonLinearSVC",
    "fer_bench.estimators.classical.svm.PixelSVC",
    "numpy.dtype",
})
"""Types a ``model.skops`` may hold beyond those skops trusts itself (scikit-learn estimators, NumPy
and SciPy arrays): fer_bench's classical estimators and their parts."""
MOVED_CLASSES: dict[str, str] = {
    "fer_bench.estimators.bovw.BoVWSVC": "fer_bench.estimators.classical.bovw.BoVWSVC",
    "fer_bench.estimators.bovw.LocalBoVWSVC": "fer_bench.estimators.classical.bovw.LocalBoVWSVC",
    "fer_bench.estimators.classical.GridSearchKNN": "fer_bench.estimators.classical.knn.GridSearchKNN",
    "fer_bench.estimators.classical.PixelSVC": "fer_bench.estimators.classical.svm.PixelSVC",
    "fer_bench.estimators.features.CappedPCA": "fer_bench.estimators.classical.features.CappedPCA",
    "fer_bench.estimators.features.FlattenPixels": "fer_bench.estimators.classical.features.FlattenPixels",
    "fer_bench.estimators.features.HOGFeatures": "fer_bench.estimators.classical.features.HOGFeatures",
    "fer_bench.estimators.linear_newton.NewtonLinearSVC": "fer_bench.estimators.classical.linear_newton.NewtonLinearSVC",
    "fer_bench.estimators.torch_trainer.TorchClassifier": "fer_bench.estimators.torch.classifier.TorchClassifier",
    "fer_bench.estimators.keras_nets.KerasCNNClassifier": "fer_bench.estimators.keras.classifier.KerasCNNClassifier",
    "fer_bench.estimators.pretrained.FerMiniXception": "fer_bench.estimators.card_model.CardClassifier",
    "fer_bench.estimators.keras.pretrained.FerMiniXception": "fer_bench.estimators.card_model.CardClassifier",
}
"""Where the classes that models saved before the package took its present layout name live now (old -> new path)."""
ARCHIVE_SUFFIXES: tuple[str, ...] = (".skops", ".pt", ".keras")
"""Model files that are zip archives: their inflated size is checked before they are read."""
MAX_MODEL_BYTES = 2 * 2**30
"""The most a model archive may inflate to (fer_bench's largest, an RBF SVM on all Training pixels, is under
1 GiB): a larger one is refused before it is read."""
MAX_SCHEMA_BYTES = 64 * 2**20
"""The most a ``model.skops`` schema (its JSON description) may inflate to."""
CARD_SUFFIX = ".toml"
"""``--model`` names a model card rather than a folder."""
TRUSTED_MODULE_PREFIX = "fer_bench."
"""Self-saving classes named in ``estimator.json`` are imported from fer_bench only, unless trusted."""


class UntrustedModelError(ValueError):
    """A model folder holds something that could run code when loaded (a pickle, an unknown type or class)."""


def _trust_hint(directory: Path) -> str:
    return f"load it only if you trust whoever wrote {directory}, with --trust-model"


def write_config(directory: str | Path, config: dict) -> None:
    """Write ``config`` as ``directory/config.json`` atomically, creating the directory if needed."""
    atomic_write_json(Path(directory) / CONFIG_FILE, config)


def read_config(directory: str | Path) -> dict:
    """The ``config.json`` of ``directory``, as written by :func:`write_config`.

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    ValueError
        If it is not a JSON object (naming the file).
    """
    return read_json_object(Path(directory) / CONFIG_FILE)


def _record(estimator, file_format: str, class_names: Sequence[str] | None) -> bytes:
    kind = type(estimator)
    record = {"class": f"{kind.__module__}:{kind.__qualname__}", "format": file_format}
    if class_names is not None:
        record["class_names"] = [str(name) for name in class_names]
    return json.dumps(record).encode()


def save_estimator(estimator, directory: str | Path, class_names: Sequence[str] | None = None) -> Path:
    """Write a fitted estimator and its record to ``directory`` (created if needed); return the directory.

    Parameters
    ----------
    estimator : fitted classifier
    directory : path
    class_names : sequence of str, optional
        Name of each label the estimator predicts (``class_names[label]``); the
        runner always gives them (see :func:`label_model_files`).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If a self-saving estimator is not fitted.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if callable(getattr(estimator, "save", None)) and callable(getattr(type(estimator), "load", None)):
        estimator.save(directory)
        file_format = "self"
    else:
        import skops.io

        atomic_write_bytes(directory / SKOPS_FILE, skops.io.dumps(estimator))
        file_format = "skops"
    atomic_write_bytes(directory / CLASS_FILE, _record(estimator, file_format, class_names))
    return directory


def label_model_files(files: dict[str, bytes], class_names: Sequence[str]) -> dict[str, bytes]:
    """The files of a saved model (relative path -> bytes, as :func:`save_estimator` wrote them)
    with ``class_names`` put into its record.

    Raises
    ------
    ValueError
        If ``files`` hold no record.
    """
    if CLASS_FILE not in files:
        raise ValueError(f"a saved model without {CLASS_FILE}: not written by save_estimator")
    record = json.loads(files[CLASS_FILE])
    record["class_names"] = [str(name) for name in class_names]
    return {**files, CLASS_FILE: json.dumps(record).encode()}


def _read_record(directory: Path) -> dict | None:
    path = directory / CLASS_FILE
    return read_json_object(path) if path.is_file() else None


def saved_class_names(directory: str | Path) -> tuple[str, ...] | None:
    """Names of the classes a saved model predicts, indexed by label: the one reader of them.

    A model card's are the FER-2013 classes it can output (:attr:`fer_bench.cards.ClassMapping.class_names`).
    From a model folder's own record (``estimator.json``); for a model saved before
    records held them, from the record of its run (``RUN_DIR/results.json``:
    the estimator's own ``class_names``, else the run's).

    Returns
    -------
    tuple of str or None
        None when neither says.

    Raises
    ------
    ValueError
        If the record or the run's results file is corrupt (naming it).
    """
    directory = Path(directory)
    if is_card(directory):
        from ..cards import open_card

        return open_card(directory).mapping.class_names
    record = _read_record(directory) if directory.is_dir() else None
    names = (record or {}).get("class_names")
    if names is None:
        names = _run_class_names(directory)
    if names is None:
        return None
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        raise ValueError(f"{directory / CLASS_FILE}: class_names must be a non-empty list of strings")
    return tuple(names)


def _run_class_names(directory: Path) -> list[str] | None:
    run_dir = directory.parent.parent
    if directory.parent.name != "models" or not (run_dir / RESULTS_FILE).is_file():
        return None
    manifest, records = ResultsStore(run_dir).load()
    own = next((record.class_names for record in records if record.name == directory.name), None)
    return own or manifest.class_names or None


def pickle_files(directory: str | Path) -> list[Path]:
    """Files under ``directory`` that would be unpickled: ``*.joblib``, ``*.pkl``, ``*.pickle``, sorted."""
    return sorted(path for path in Path(directory).rglob("*") if path.suffix.lower() in PICKLE_SUFFIXES)


def is_card(path: str | Path) -> bool:
    """Whether ``--model`` names a model card (``NAME.toml``, :mod:`fer_bench.cards`, or the name of a built-in card
    where no such path exists) rather than a model folder."""
    from ..cards.builtin import BUILTIN_CARDS

    return Path(path).suffix.lower() == CARD_SUFFIX or (str(path) in BUILTIN_CARDS and not Path(path).exists())


def folder_card(directory: Path, runtime: str) -> Path:
    """The card in a model folder whose model is in ``runtime``'s format (``fer_bench export`` writes one beside
    the model it exports).

    Raises
    ------
    ValueError
        If the folder holds no such card.
    """
    from ..cards import read_card

    for path in sorted(directory.glob(f"*{CARD_SUFFIX}")):
        if read_card(path).format == runtime:
            return path
    raise ValueError(f"--runtime {runtime}: {directory} holds no {runtime} model (no card *{CARD_SUFFIX} of "
                     f"format {runtime}); export it first, or leave --runtime out")


def load_estimator(directory: str | Path, trust: bool = False, runtime: str | None = None):
    """Load an estimator written by :func:`save_estimator`, or a model card, ready to ``predict``, running none
    of its code.

    Parameters
    ----------
    directory : path
        A ``RUN_DIR/models/NAME/`` folder, or a model card ``NAME.toml`` (loaded as a
        :class:`~fer_bench.estimators.card_model.CardClassifier`).
    trust : bool
        Load what could run code: a ``model.joblib`` (unpickled), skops types
        outside :data:`TRUSTED_TYPES`, a self-saving class from outside
        fer_bench. Only for folders whose author you trust (``--trust-model``).
    runtime : str, optional
        ``onnx``: run the model's ONNX file (a card of format ``onnx``, or one in the model folder; see
        :func:`folder_card`); None: the model's own.

    Returns
    -------
    estimator
        A fitted classifier with ``classes_``, ``predict`` and (usually) ``predict_proba``.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist or holds no saved model.
    UntrustedModelError
        Without ``trust``: if the folder holds any pickle file (checked before
        anything is read), a skops type outside the trusted list or a class from
        outside fer_bench; the message names the file.
    ValueError
        If a file of the model is corrupt or does not fit its record (naming it), a card is malformed (naming the
        key), or the model has no file for ``runtime``.
    ImportError
        If a card's runtime is not installed (giving the install command).
    """
    directory = Path(directory)
    if runtime is not None and not is_card(directory) and directory.is_dir():
        directory = folder_card(directory, runtime)
    if is_card(directory):
        from .card_model import load_card_model

        return load_card_model(directory, runtime)
    if runtime is not None:
        raise ValueError(f"--runtime {runtime}: {directory}: no such model folder or card")
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such model folder (expected RUN_DIR/models/NAME)")
    if not any((directory / name).is_file() for name in (CLASS_FILE, SKOPS_FILE, JOBLIB_FILE)):
        raise FileNotFoundError(f"{directory}: holds neither {CLASS_FILE} nor {SKOPS_FILE}; not a saved fer_bench model")
    pickles = pickle_files(directory)
    if pickles and not trust:
        raise UntrustedModelError(f"{pickles[0]}: a pickle file, which can run any code when loaded: fer_bench "
                                  f"refuses it; {_trust_hint(directory)}")
    for path in sorted(directory.iterdir()):
        if path.suffix in ARCHIVE_SUFFIXES and zipfile.is_zipfile(path):
            check_archive(path)
    if (directory / SKOPS_FILE).is_file():
        estimator = _load_skops(directory / SKOPS_FILE, trust)
    elif trust and (directory / JOBLIB_FILE).is_file():
        import joblib

        estimator = joblib.load(directory / JOBLIB_FILE)
    else:  # the record names a self-saving class (an untrusted model.joblib was refused above)
        estimator = _load_self_saved(directory, trust)
    if not hasattr(estimator, "classes_") or not callable(getattr(estimator, "predict", None)):
        raise ValueError(f"{directory}: holds a {type(estimator).__name__}, not a fitted classifier")
    return estimator


def check_archive(path: Path, limit: int | None = None) -> None:
    """Refuse a zip archive that inflates to more than ``limit`` bytes (default :data:`MAX_MODEL_BYTES`), or
    a skops schema over :data:`MAX_SCHEMA_BYTES`, from its directory alone, before any of it is read.

    Raises
    ------
    ValueError
        Naming the file and its inflated size; or if it is not a readable archive.
    """
    limit = MAX_MODEL_BYTES if limit is None else limit
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {item.filename: item.file_size for item in archive.infolist()}
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{path}: not a readable archive, truncated or corrupt ({error})") from error
    total, schema = sum(sizes.values()), sizes.get("schema.json", 0)
    if total > limit or schema > MAX_SCHEMA_BYTES:
        raise ValueError(f"{path}: inflates to {total / 2**20:,.0f} MiB (schema {schema / 2**20:,.0f} MiB), more "
                         f"than a saved fer_bench model may ({limit / 2**20:,.0f} MiB, schema "
                         f"{MAX_SCHEMA_BYTES / 2**20:,.0f} MiB); refused before reading it")


def _load_skops(path: Path, trust: bool):
    import skops.io

    try:
        data = _with_moved_classes(path.read_bytes())
        unknown = skops.io.get_untrusted_types(data=data)
        refused = [name for name in unknown if name not in TRUSTED_TYPES]
        if refused and not trust:
            raise UntrustedModelError(f"{path}: holds types outside fer_bench's trusted list ({', '.join(refused)}); "
                                      f"{_trust_hint(path.parent)}")
        return skops.io.loads(data, trusted=unknown)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, EOFError) as error:
        raise ValueError(f"{path}: not a readable skops file, truncated or corrupt ({error})") from error
    except RecursionError as error:
        raise ValueError(f"{path}: its schema is nested too deeply to be a fer_bench model; the file is corrupt") from error


def _with_moved_classes(data: bytes) -> bytes:
    """A skops file's bytes with every class of :data:`MOVED_CLASSES` named by its present path (the rest as it was)."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        if not _rename_moved(schema):
            return data
        rewritten = io.BytesIO()
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in archive.infolist():
                copy.writestr(item, json.dumps(schema) if item.filename == "schema.json" else archive.read(item))
    return rewritten.getvalue()


def _rename_moved(node) -> bool:
    """Rename, in place, the ``__module__`` of every moved class in a skops schema; True if any was."""
    renamed = False
    if isinstance(node, dict):
        moved = MOVED_CLASSES.get(f"{node.get('__module__')}.{node.get('__class__')}")
        if moved:
            node["__module__"] = moved.rpartition(".")[0]
            renamed = True
        for value in node.values():
            renamed = _rename_moved(value) or renamed
    elif isinstance(node, list):
        for value in node:
            renamed = _rename_moved(value) or renamed
    return renamed


def _load_self_saved(directory: Path, trust: bool):
    path = directory / CLASS_FILE
    try:
        module_name, qualname = _read_record(directory)["class"].split(":")
        if f"{module_name}.{qualname}" in MOVED_CLASSES:
            module_name, _, qualname = MOVED_CLASSES[f"{module_name}.{qualname}"].rpartition(".")
    except (KeyError, AttributeError, ValueError) as error:
        raise ValueError(f"{path}: does not name a loadable estimator class ({error})") from error
    if not module_name.startswith(TRUSTED_MODULE_PREFIX) and not trust:
        raise UntrustedModelError(f"{path}: names the class {module_name}:{qualname} from outside fer_bench, whose "
                                  f"import could run any code; {_trust_hint(directory)}")
    try:
        kind = importlib.import_module(module_name)
        for part in qualname.split("."):
            kind = getattr(kind, part)
        load = kind.load
    except (ImportError, AttributeError) as error:
        raise ValueError(f"{path}: does not name a loadable estimator class ({error})") from error
    if not isinstance(kind, type) or not callable(load):
        raise ValueError(f"{path}: {module_name}:{qualname} is not an estimator class with a load method")
    try:
        return load(directory)
    except (KeyError, TypeError) as error:  # a config.json that is JSON but not this class's
        raise ValueError(f"{directory / CONFIG_FILE}: does not describe a saved {qualname} ({error!r})") from error
