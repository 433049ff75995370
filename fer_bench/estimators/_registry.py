"""One registry of estimator factories (the timm ``_registry`` pattern).

A plugin is one factory and one decorator; the factory's name is the estimator's name::

    @register_estimator(family="classical", framework="sklearn",
                        source="plugin: logistic regression on HOG features")
    def hog_logreg():
        return make_pipeline(...)

The factory returns the unfitted estimator at its defaults;
:func:`~fer_bench.estimators.create_estimator` applies a profile's settings and the
seed. The built-in estimators are modules named in :data:`BUILTIN_MODULES`, imported
by name as plugins are; third-party packages add theirs through the entry-point
group ``fer_bench.estimators``; a local file or module through ``--plugin``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Callable

from sklearn.base import ClassifierMixin

ENTRY_POINT_GROUP = "fer_bench.estimators"
BUILTIN_MODULES: tuple[str, ...] = ("fer_bench.estimators.classical.zoo", "fer_bench.estimators.keras.zoo",
                                    "fer_bench.estimators.card_zoo", "fer_bench.estimators.torch.zoo")
"""The modules that register the built-in estimators, in listing order."""
FAMILIES: tuple[str, ...] = ("classical", "network", "pretrained")
PLUGIN_MODULE_PREFIX = "fer_bench_plugin_"
"""The module name of a ``--plugin`` file: this and the file's stem."""

Factory = Callable[[], ClassifierMixin]


@dataclass(frozen=True)
class EstimatorSpec:
    """A registered estimator: its name, factory and what the report says of it.

    Attributes
    ----------
    name : str
        Registry key, as typed on the command line.
    factory : callable
        ``factory() -> estimator``, unfitted, at its defaults; must not train or
        import heavy frameworks until called.
    family : str
        ``classical``, ``network`` or ``pretrained``.
    framework : str
        ``sklearn``, ``torch``, ``keras`` or a plugin's own.
    source : str
        Where the model comes from (seed, paper, recipe).
    classes : tuple of str or None
        The class names the estimator is trained and scored on when it is a
        model of a label subset (e.g. the seed's 5-class Keras CNN); the runner
        keeps only faces of those classes and relabels them ``0 .. k-1`` in this
        order. None: all of the data set's classes.
    parameters : int or None
        The network's published parameter count, for listings; None when not fixed.
    requires : tuple of str
        Top-level modules of optional packages the estimator needs (e.g. ``("fer",)``);
        where one is missing, the run records the estimator as ``skipped`` instead of fitting it.
    install : str or None
        The command that installs ``requires`` (default: ``pip install`` of the missing modules).
    """

    name: str
    factory: Factory
    family: str
    framework: str
    source: str
    classes: tuple[str, ...] | None = None
    parameters: int | None = None
    requires: tuple[str, ...] = ()
    install: str | None = None

    def missing_requirements(self) -> list[str]:
        """The modules of :attr:`requires` that cannot be imported here (found without importing them)."""
        return [module for module in self.requires if importlib.util.find_spec(module) is None]

    def install_command(self, missing: list[str] | None = None) -> str:
        """The command that installs the missing requirements: :attr:`install`, else ``pip install`` of them."""
        return self.install or f"pip install {' '.join(self.missing_requirements() if missing is None else missing)}"



class EstimatorNameTaken(ValueError):
    """A factory registered under a name that a factory defined elsewhere (a built-in, another plugin) has."""


_REGISTRY: dict[str, EstimatorSpec] = {}


def register_estimator(name: str | None = None, *, family: str, framework: str, source: str,
                       classes: tuple[str, ...] | None = None, parameters: int | None = None,
                       requires: tuple[str, ...] = (), install: str | None = None) -> Callable[[Factory], Factory]:
    """Decorator registering ``factory`` under its own name, or ``name`` where given
    (see :class:`EstimatorSpec` for the arguments).

    Raises
    ------
    ValueError
        If the name is already registered with a factory defined elsewhere (naming both modules), is not a plain
        file name, ``family`` is unknown, or ``classes`` has fewer than two or repeated names.
    """
    if family not in FAMILIES:
        raise ValueError(f"estimator {name!r}: family {family!r} is not one of {', '.join(FAMILIES)}")
    if classes is not None and (len(classes) < 2 or len(set(classes)) != len(classes)):
        raise ValueError(f"estimator {name!r}: classes={classes!r} must name at least two distinct classes")
    if name is not None:
        _check_name(name)

    def decorator(factory: Factory) -> Factory:
        key = name or _check_name(factory.__name__)
        existing = _REGISTRY.get(key)
        if existing is not None and _origin(existing.factory) != _origin(factory):
            taken = "the name of a built-in estimator," if existing.factory.__module__ in BUILTIN_MODULES else "a name"
            raise EstimatorNameTaken(f"{_module_label(factory)}: its estimator {key!r} takes {taken} already "
                                     f"registered by {_module_label(existing.factory)}; give it another name")
        _REGISTRY[key] = EstimatorSpec(key, factory, family, framework, source,
                                       None if classes is None else tuple(classes), parameters, tuple(requires), install)
        return factory

    return decorator


def _origin(factory: Factory) -> tuple[str, str]:
    """Where a factory is defined: a module imported again registers the same estimator again."""
    return factory.__module__, factory.__qualname__


def _module_label(factory: Factory) -> str:
    """A factory's module as the user gave it: the ``--plugin`` file, else the module name."""
    module = sys.modules.get(factory.__module__)
    path = getattr(module, "__file__", None)
    return f"--plugin {path}" if factory.__module__.startswith(PLUGIN_MODULE_PREFIX) and path else factory.__module__


def _check_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ValueError(f"estimator name {name!r}: use letters, digits, '_', '.' and '-' (it names files)")
    return name


def _load_builtins() -> None:
    for module in BUILTIN_MODULES:  # registration happens on import
        importlib.import_module(module)


def load_entry_point_plugins() -> list[str]:
    """Import every plugin advertised under ``fer_bench.estimators``; return their names."""
    loaded = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        entry_point.load()
        loaded.append(entry_point.name)
    return loaded


def load_plugin(module_or_file: str) -> None:
    """Import a plugin given as a module name or a ``.py`` file path.

    Raises
    ------
    ImportError
        If neither a file nor an importable module goes by that name.
    ValueError
        If it registers a name that a built-in estimator or another plugin has.
    """
    available_estimators()  # first, so that a plugin that takes a built-in name is the one refused
    path = Path(module_or_file)
    if path.suffix == ".py":
        if not path.is_file():
            raise ImportError(f"--plugin {module_or_file!r}: no such file")
        module_name = f"{PLUGIN_MODULE_PREFIX}{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    else:
        try:
            importlib.import_module(module_or_file)
        except ModuleNotFoundError as error:
            raise ImportError(f"--plugin {module_or_file!r}: not a .py file and not an importable module ({error})") from error


def available_estimators() -> dict[str, EstimatorSpec]:
    """All registered estimators: the built-ins in :data:`BUILTIN_MODULES`' order (whichever was imported first),
    then plugins and cards in registration order."""
    _load_builtins()
    load_entry_point_plugins()
    return dict(sorted(_REGISTRY.items(), key=lambda item: _listing_rank(item[1].factory)))


def _listing_rank(factory: Factory) -> int:
    """A built-in factory's module's place in :data:`BUILTIN_MODULES`; after them all for any other."""
    module = factory.__module__
    builtin = module in BUILTIN_MODULES and "<locals>" not in factory.__qualname__
    return BUILTIN_MODULES.index(module) if builtin else len(BUILTIN_MODULES)


def get_estimator_spec(name: str) -> EstimatorSpec:
    """Look up one registered estimator.

    Raises
    ------
    KeyError
        If no estimator of that name is registered; the message lists the known names.
    """
    registry = available_estimators()
    if name not in registry:
        raise KeyError(f"no estimator named {name!r}; registered: {', '.join(registry)}")
    return registry[name]
