"""The per-class table of the audit's text."""

from __future__ import annotations


def test_text_has_a_per_class_table(audit):
    lines = audit.format_text().splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("class "))
    columns = [column.strip() for column in lines[header].split("  ")]
    assert "Training in groups" in columns and "PrivateTest exact" in columns and "blank" in columns
    total = lines[header + 8].split()
    assert total[0] == "total" and lines[header + 1].startswith("Angry")
    assert [int(value) for value in total[1:]] == [4, 0, 0, 1, 1, 2, 2, 2]
