"""Self-contained HTML pages of the studies and evaluations (Jinja2, autoescaped).

Every page is one file: inline CSS, figures as PNG data URIs, no scripts and
no external resources, so it opens offline and can be mailed or archived.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import jinja2
from matplotlib.figure import Figure

from .._io import atomic_write_bytes

DPI = 100


def _percent(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.PackageLoader("fer_bench.pipeline", "templates"), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["percent"] = _percent
    return environment


def figure_data_uri(figure: Figure) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def write_page(path: str | Path, template: str, **context: Any) -> Path:
    """Render ``templates/<template>`` with ``context`` and write it atomically to ``path``; return ``path``."""
    path = Path(path)
    html = _environment().get_template(template).render(**context)
    atomic_write_bytes(path, html.encode("utf-8"))
    return path
