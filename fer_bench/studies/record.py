"""What every study's record shares: when it was made and on which faces, and the writing of its JSON and page."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._io import atomic_write_json
from ..datasets import LabelledFaces
from ..report.templating import write_page


def record_header(faces: LabelledFaces, **model: Any) -> dict[str, Any]:
    """``created`` (ISO 8601, UTC, now), the model's keys as given, and ``data``: the faces' source, sha256,
    scope, count, synthetic flag, class names, the counts of images left out per class (``excluded``) and of
    images with no face found (``no_face``)."""
    return {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **model,
            "data": {"source": faces.source, "sha256": faces.sha256, "scope": faces.scope, "n": len(faces.labels),
                     "synthetic": faces.synthetic, "class_names": list(faces.class_names),
                     "excluded": faces.excluded, "no_face": faces.no_face}}


def write_record(record: dict[str, Any], json_path: Path, html_path: Path, template: str, title: str,
                 model_provenance: dict[str, str], command: str | None = None,
                 more_provenance: dict[str, str] | None = None, **context: Any) -> tuple[Path, Path]:
    """Write ``record`` (with ``command``) to ``json_path`` and its self-contained page to ``html_path``.

    The page's template gets ``title``, ``synthetic``, ``scope`` and ``context``; its provenance lists
    ``model_provenance``, the data and its sha256, when it was made, ``more_provenance`` and the command.

    Returns
    -------
    (json_path, html_path) : tuple of Path
    """
    atomic_write_json(json_path, {**record, "command": command})
    data = record["data"]
    provenance = {**model_provenance, "data": data["source"], "data sha256": data["sha256"],
                  "created": record["created"], **(more_provenance or {}), "command": command or "—"}
    return json_path, write_page(html_path, template, title=title, synthetic=data["synthetic"], scope=data["scope"],
                                 provenance=provenance, **context)

