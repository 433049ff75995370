"""Named budgets (smoke, quick, full; small for folder data sets) read from TOML package data.

A profile fixes how much data each split keeps and how hard each estimator
trains, so a run is reproducible from its profile name and seed alone (the
named-budget idea of automlbenchmark's ``constraints.yaml``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

PROFILE_NAMES: tuple[str, ...] = ("smoke", "quick", "full", "small", "bovw")
RUNNER_KEYS: frozenset[str] = frozenset({"train_size"})
"""Per-estimator keys the runner consumes itself; never passed to an estimator."""


@dataclass(frozen=True)
class Profile:
    """A named budget.

    Attributes
    ----------
    name : str
        ``smoke``, ``quick``, ``full`` or a user file's stem.
    description : str
        One line shown in the report.
    data : dict
        Subset sizes per split: ``{"Training": n, "PublicTest": n, "PrivateTest": n}``;
        a split that is absent or 0 is kept whole. Subsets are stratified by class.
    networks : dict
        Training settings shared by all neural networks (``epochs``, ``batch_size``,
        ``max_lr``, ...).
    estimators : dict of str to dict
        Per-estimator overrides, keyed by registered name.
    """

    name: str
    description: str = ""
    data: dict[str, int] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)
    estimators: dict[str, dict[str, Any]] = field(default_factory=dict)

    def params(self, estimator: str, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
        """Settings for ``estimator``: ``defaults``, then this profile's overrides.

        Network estimators pass no defaults of their own: they start from :attr:`networks`.
        """
        merged = {**(defaults or {}), **self.estimators.get(estimator, {})}
        return {key: value for key, value in merged.items() if key not in RUNNER_KEYS}

    def network_params(self, estimator: str) -> dict[str, Any]:
        """Settings of a neural network: :attr:`networks`, then its own overrides."""
        return self.params(estimator, self.networks)

    def train_size(self, estimator: str, family: str) -> int | None:
        """How many Training faces ``estimator`` fits on (a stratified subset), or None for all."""
        own = self.estimators.get(estimator, {}).get("train_size")
        if own is None and family == "network":
            own = self.networks.get("train_size")
        return int(own) if own else None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "data": dict(self.data),
                "networks": dict(self.networks), "estimators": {k: dict(v) for k, v in self.estimators.items()}}


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a built-in profile by name, or a TOML file by path.

    Raises
    ------
    ValueError
        If the name is neither a built-in profile nor an existing ``.toml`` file,
        or the file is not valid TOML.
    """
    text_name = str(name_or_path)
    if text_name in PROFILE_NAMES:
        text = resources.files("fer_bench.profiles").joinpath(f"{text_name}.toml").read_text()
        origin, stem = f"built-in profile {text_name!r}", text_name
    else:
        path = Path(text_name)
        if path.suffix != ".toml" or not path.is_file():
            raise ValueError(f"--profile {text_name!r}: expected one of {', '.join(PROFILE_NAMES)} or a .toml file")
        text, origin, stem = path.read_text(), str(path), path.stem
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{origin}: not valid TOML: {error}") from error
    return Profile(name=raw.get("name", stem), description=raw.get("description", ""),
                   data=dict(raw.get("data", {})), networks=dict(raw.get("networks", {})),
                   estimators={k: dict(v) for k, v in raw.get("estimators", {}).items()})
