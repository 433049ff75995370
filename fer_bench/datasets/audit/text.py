"""The text summary of a data audit (``python -m fer_bench data audit``)."""

from __future__ import annotations


def format_audit(audit) -> str:
    """A few lines summarising a :class:`~.result.DataAudit`'s counts, then its per-class table, for a terminal or a log."""
    c = audit.counts
    faces = ", ".join(f"{split} {n:,}" for split, n in c["faces"].items())
    exact = c["exact"]
    lines = [
        f"Audit of {audit.n_faces:,} faces ({faces}), sha256 {audit.sha256[:12] or '-'}",
        f"Exact duplicates: {exact['groups']:,} groups of {exact['faces']:,} identical faces, "
        f"{exact['conflict_groups']:,} groups with different labels ({exact['conflict_faces']:,} faces)",
    ]
    for split, within in exact["within"].items():
        lines.append(f"  within {split}: {within['faces']:,} faces in {within['groups']:,} groups, "
                     f"{within['conflict_groups']:,} groups with different labels")
    for name, across in exact["across"].items():
        lines.append(f"  {name}: {across['faces']:,} faces ({across['same_label']:,} with the same label)")
    lines.append(f"Near duplicates of Training faces ({audit.hash_method}, Hamming distance "
                 f"<= {audit.near_threshold} of 64 bits, exact copies excluded):")
    for split, leak in c["leak"].items():
        histogram = " ".join(f"{d}:{n}" for d, n in enumerate(leak["near_histogram"]))
        lines.append(f"  {split}: {leak['near_pairs']:,} pairs, {leak['near_faces']:,} faces, "
                     f"{leak['near_only']:,} without an exact copy; pairs by distance {histogram}")
    for split, leak in c["leak"].items():
        per_class = ", ".join(f"{name} {n['exact'] + n['near_only']}" for name, n in leak["per_class"].items())
        lines.append(f"Leaked {split} faces (exact or near copy in Training): {leak['any']:,} of "
                     f"{c['faces'][split]:,} ({leak['exact']:,} exact, {leak['near_only']:,} near only); "
                     f"per class: {per_class}")
    blank = c["blank"]
    per_split = ", ".join(f"{split} {n}" for split, n in blank["per_split"].items())
    lines.append(f"Blank faces (pixel std < {audit.blank_std:g}): {blank['faces']:,} ({per_split})")
    return "\n".join([*lines, "", *_class_table(audit)])


def _class_table(audit) -> list[str]:
    """Per class: faces in identical groups within each split, leaked test faces (exact, near only), blank faces."""
    c = audit.counts
    columns = {f"{split} in groups": {name: n for name, n in within["per_class"].items()}
               for split, within in c["exact"]["within"].items()}
    for split, leak in c["leak"].items():
        for kind, label in (("exact", "exact"), ("near_only", "near")):
            columns[f"{split} {label}"] = {name: n[kind] for name, n in leak["per_class"].items()}
    columns["blank"] = c["blank"]["per_class"]
    classes = list(dict.fromkeys(name for column in columns.values() for name in column))
    width = max(len(name) for name in [*classes, "class", "total"])
    widths = [len(header) for header in columns]
    lines = ["Per class (in groups: faces with an identical face in the same split; exact/near: test faces "
             "with a copy in Training):",
             "  ".join(["class".ljust(width), *columns])]
    for name in [*classes, "total"]:
        values = [sum(column.values()) if name == "total" else column.get(name, 0) for column in columns.values()]
        lines.append("  ".join([name.ljust(width), *(f"{value:>{w},}" for value, w in zip(values, widths))]))
    return lines
