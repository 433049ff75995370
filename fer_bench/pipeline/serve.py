"""A small local web page: upload a photo, see its faces boxed with expressions and class probabilities.

Built on Flask; :func:`create_app` makes the app (tests use it directly),
:func:`serve` runs it with Werkzeug's server on the loopback address by default.
"""

from __future__ import annotations

import base64
import threading
from pathlib import Path

from ..datasets.image_files import MAX_PIXELS
from .predict import FacePipeline, encode_image

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest accepted upload (10 MiB); larger requests get HTTP 413."""

UPLOAD_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
"""File name endings accepted; others get HTTP 415."""

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

PORTS = (1, 65535)
"""The ports :func:`serve` listens on; 0 (the system picks one) is refused: the page's address would be unknown."""

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>fer_bench: expressions in a photo</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
img { max-width: 100%; border: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
td, th { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.error { color: #a00; font-weight: bold; }
</style></head>
<body>
<h1>Facial expressions in a photo</h1>
<p>Model: <code>{{ model }}</code>. Faces are found by the {{ detector }} detector, cropped to 48x48 grayscale and classified.</p>
<form action="{{ url_for('predict') }}" method="post" enctype="multipart/form-data">
  <input type="file" id="photo" name="photo" accept="{{ accept }}" required>
  <button type="submit" id="submit">Analyse</button>
  <small>JPEG, PNG, BMP, GIF, TIFF or WebP, up to {{ max_mib }} MiB.</small>
</form>
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
{% if result %}
<h2 id="summary">{{ result.image }}: {{ result.faces|length }} face(s)</h2>
<img id="annotated" alt="annotated photo" src="data:image/png;base64,{{ annotated }}">
{% for face in result.faces %}
<h3 class="face">Face {{ loop.index }}: <span class="label">{{ face.label }}</span>, box {{ face.box }}</h3>
<table class="probabilities"><tr><th>expression</th><th>probability</th></tr>
{% for name, p in face.probabilities.items() %}<tr><td>{{ name }}</td><td>{{ "%.1f"|format(100 * p) }} %</td></tr>{% endfor %}
</table>
{% endfor %}
{% endif %}
</body></html>
"""


def create_app(pipeline: FacePipeline, model_name: str = "model", max_upload_bytes: int = MAX_UPLOAD_BYTES,
               max_pixels: int = MAX_PIXELS):
    """Build the Flask app.

    Routes: ``GET /`` the upload form; ``POST /predict`` (form field ``photo``) the
    annotated photo and a probability table per face, or JSON
    ``{"image", "faces": [{"box", "label", "probabilities"}]}`` when the request
    accepts ``application/json`` best. Errors: 400 (no file, not an image), 413 (over
    ``max_upload_bytes``, or an image of more than ``max_pixels`` pixels, refused
    from its header before decoding), 415 (not an image type), each with a one-line message.
    """
    from flask import Flask, jsonify, render_template_string, request
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from .annotate import draw_faces
    from ..datasets.image_files import ImageTooLargeError
    from .faces import decode_image

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes
    lock = threading.Lock()  # OpenCV's cascade and the model are not shared between threads
    context = {"model": model_name, "detector": type(pipeline.detector).__name__.replace("Detector", ""),
               "accept": ",".join(UPLOAD_SUFFIXES), "max_mib": max_upload_bytes // (1024 * 1024)}

    def wants_json() -> bool:
        return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"

    def reply(status: int, error: str | None = None, result: dict | None = None, annotated: str | None = None):
        if wants_json():
            return jsonify(result if error is None else {"error": error}), status
        return render_template_string(PAGE, error=error, result=result, annotated=annotated, **context), status

    @app.get("/")
    def index():
        return reply(200)

    @app.post("/predict")
    def predict():
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            return reply(400, "no photo uploaded: choose a file for the form field 'photo'")
        name = Path(upload.filename).name
        if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
            return reply(415, f"{name}: unsupported file type; upload one of {', '.join(UPLOAD_SUFFIXES)}")
        try:
            image = decode_image(upload.read(), name, max_pixels)
        except ImageTooLargeError as error:
            return reply(413, str(error))
        except ValueError as error:
            return reply(400, str(error))
        with lock:
            faces = pipeline.analyze(image)
        result = {"image": name, "faces": [face.to_dict() for face in faces]}
        annotated = base64.b64encode(encode_image(draw_faces(image, faces), ".png")).decode("ascii")
        return reply(200, result=result, annotated=annotated)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return reply(413, f"upload too large: the limit is {max_upload_bytes // (1024 * 1024)} MiB")

    @app.errorhandler(HTTPException)
    def http_error(error):
        return reply(error.code or 500, f"{error.name}: {error.description}")

    return app


def serve(pipeline: FacePipeline, host: str = "127.0.0.1", port: int = 8000, model_name: str = "model", log=None,
          max_pixels: int = MAX_PIXELS) -> None:
    """Serve :func:`create_app` on ``host:port`` until Ctrl-C (Werkzeug's threaded server, for local use).

    Raises
    ------
    ValueError
        If ``port`` is outside :data:`PORTS` or the address cannot be listened on (port in use, host not of
        this machine).
    """
    if isinstance(port, bool) or not isinstance(port, int) or not PORTS[0] <= port <= PORTS[1]:
        raise ValueError(f"--port {port}: expected a TCP port from {PORTS[0]} to {PORTS[1]}")
    log = log or (lambda message: None)
    _check_can_listen(host, port)
    if host not in LOOPBACK_HOSTS:
        log(f"warning: serving on {host}: other machines can reach this page; it has no authentication")
    log(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    create_app(pipeline, model_name, max_pixels=max_pixels).run(host=host, port=port, threaded=True, use_reloader=False)


def _check_can_listen(host: str, port: int) -> None:
    """Bind ``host:port`` once, as the server will, so a busy port is a clear error rather than Werkzeug's exit."""
    import socket

    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except (OSError, OverflowError) as error:
        raise ValueError(f"cannot serve on {host}:{port}: {error}") from error
