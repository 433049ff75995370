"""A package's public names imported from their modules on first use (PEP 562), so that importing the package
(for the command line's choices, say) loads none of its heavy dependencies."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable


def lazy_exports(package: str, names_by_module: dict[str, tuple[str, ...]]) -> tuple[Callable[[str], Any], list[str]]:
    """The module ``__getattr__`` and ``__all__`` of ``package`` that re-export ``names_by_module``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names_by_module : dict of str to tuple of str
        Each submodule's name (relative to ``package``) and the public names it defines.

    Returns
    -------
    getattr : callable
        Imports the submodule of a name on its first access; raises AttributeError for other names.
    all : list of str
        Every exported name, sorted.
    """
    module_of = {name: module for module, names in names_by_module.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module_of[name]}"), name)

    return __getattr__, sorted(module_of)
