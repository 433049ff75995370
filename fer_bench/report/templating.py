"""The one HTML page kit: the Jinja2 environment of every page fer_bench writes, its filters, and :func:`write_page`.

Used by the run report and comparison, the cross-validation page and the
studies' pages. Every page is one file: inline CSS, figures as PNG data URIs,
no scripts and no external resources, so it opens offline and can be mailed
or archived. Templates live in ``fer_bench/report/templates/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from .._io import atomic_write_bytes

MISSING = "—"


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the page templates: autoescaped, strict about undefined names."""
    environment = jinja2.Environment(loader=jinja2.PackageLoader("fer_bench.report", "templates"), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(percent=_percent, number=format_number, fraction=_fraction, pvalue=_p_value)
    return environment


def write_page(path: str | Path, template: str, **context: Any) -> Path:
    """Render ``templates/<template>`` with ``context`` and write it atomically to ``path``; return ``path``."""
    path = Path(path)
    page = environment().get_template(template).render(**context)
    atomic_write_bytes(path, page.encode("utf-8", errors="backslashreplace"))  # a file name's undecodable bytes
    return path


def _percent(value: float | None, digits: int = 2) -> str:
    return MISSING if value is None else f"{100 * value:.{digits}f}%"


def _p_value(value: float | None) -> str:
    if value is None or value != value:
        return MISSING
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _fraction(value: float | None) -> str:
    return MISSING if value is None else f"{value:.2f}"


def format_number(value: float | int | None) -> str:
    """Seconds, images/s, MiB: two decimals below 10, one below 1000, thousands separators above."""
    if value is None:
        return MISSING
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    return f"{value:.2f}" if magnitude < 10 else f"{value:.1f}" if magnitude < 1000 else f"{value:,.0f}"
