"""``data info`` and ``data audit``: inspect a data file."""

from __future__ import annotations

import argparse
import json

from ..datasets.audit import DEFAULT_BLANK_STD, DEFAULT_NEAR_THRESHOLD
from .inputs import load_data
from .options import add_labels_option


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``data`` parser and its ``info`` and ``audit`` subcommands, on ``commands``."""
    data = commands.add_parser("data", help="inspect data files")
    data.set_defaults(handler=command_data)
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    info = data_commands.add_parser("info", help="counts per split and class, and the file's sha256")
    info.add_argument("path", metavar="PATH")
    add_labels_option(info)
    audit = data_commands.add_parser(
        "audit", help="exact and near duplicates within and across splits, blank faces, label conflicts",
        description="Audit a FER data set: pixel-identical faces within and across splits (with label agreement), "
                    "test faces that are near copies of Training faces (perceptual hash), blank faces and "
                    "identical faces with different labels. Cached by the data's sha256.")
    audit.add_argument("path", metavar="PATH", help="any layout `run --data` reads")
    audit.add_argument("--json", action="store_true",
                       help="print the full audit as JSON: counts, duplicate groups and pairs, row ids")
    audit.add_argument("--near-threshold", type=int, default=DEFAULT_NEAR_THRESHOLD, metavar="BITS",
                       help=f"largest Hamming distance of 64-bit phash codes counted as a near duplicate "
                            f"(default: {DEFAULT_NEAR_THRESHOLD})")
    audit.add_argument("--blank-std", type=float, default=DEFAULT_BLANK_STD, metavar="STD",
                       help=f"faces with a pixel standard deviation below this are blank (default: {DEFAULT_BLANK_STD:g})")
    return [data, info, audit]


def command_data(args) -> int:
    from ..datasets import describe_dataset

    dataset = load_data(args.path, getattr(args, "labels", None), ferplus_mode=getattr(args, "ferplus_mode", "majority"))
    if args.data_command == "info":
        print(describe_dataset(dataset))
        return 0
    from ..datasets.audit import cached_audit

    audit = cached_audit(dataset, near_threshold=args.near_threshold, blank_std=args.blank_std)
    print(json.dumps(audit.to_dict()) if args.json else audit.format_text())
    return 0
