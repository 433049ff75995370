"""``list``: the registered estimators, and what an unavailable one needs."""

from __future__ import annotations

import argparse

from .inputs import load_plugins
from .options import add_plugin_option


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``list`` parser, on ``commands``."""
    listing = commands.add_parser("list", help="list registered estimators, and what an unavailable one needs")
    listing.set_defaults(handler=command_list)
    add_plugin_option(listing)
    return [listing]


def command_list(args) -> int:
    from ..estimators import available_estimators

    load_plugins(args.plugin)
    specs = available_estimators().values()
    print(f"{'name':<17} {'family':<11} {'framework':<10} {'parameters':>10}  {'classes':<8} {'available':<9} source")
    missing = {}
    for spec in specs:
        parameters = f"{spec.parameters:,}" if spec.parameters else "-"
        classes = str(len(spec.classes)) if spec.classes else "all"
        absent = spec.missing_requirements()
        if absent:
            missing[spec.name] = f"needs {', '.join(absent)}: {spec.install_command(absent)}"
        print(f"{spec.name:<17} {spec.family:<11} {spec.framework:<10} {parameters:>10}  {classes:<8} "
              f"{'no' if absent else 'yes':<9} {spec.source}")
    for name, hint in missing.items():
        print(f"not available: {name} {hint} (a run records it as skipped)")
    return 0
