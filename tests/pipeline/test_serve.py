import json
import shutil
import subprocess
import threading
import time
import urllib.request

import pytest

from fer_bench.pipeline import build_pipeline
from fer_bench.pipeline.serve import create_app

flask = pytest.importorskip("flask", reason="serve needs Flask")


@pytest.fixture(scope="module")
def app(tiny_model):
    return create_app(build_pipeline(tiny_model), model_name="tiny", max_upload_bytes=2 * 1024 * 1024)


def upload(client, path, name=None, json_reply=False):
    headers = {"Accept": "application/json"} if json_reply else {}
    with open(path, "rb") as handle:
        return client.post("/predict", data={"photo": (handle, name or path.name)}, headers=headers,
                           content_type="multipart/form-data")


def test_the_form_page(app):
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'type="file" id="photo" name="photo"' in page and "tiny" in page and "2 MiB" in page


def test_an_uploaded_photo_comes_back_annotated_with_probabilities(app, photos):
    response = upload(app.test_client(), photos["astronaut"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "astronaut.png: 1 face(s)" in page and 'src="data:image/png;base64,' in page
    assert page.count("<tr><td>") == 7  # one probability row per class


def test_json_is_returned_when_asked_for(app, photos):
    response = upload(app.test_client(), photos["group"], json_reply=True)
    assert response.status_code == 200 and response.is_json
    result = response.get_json()
    assert result["image"] == "group.jpg" and len(result["faces"]) == 3
    assert set(result["faces"][0]) == {"box", "label", "probabilities"}


def test_a_photo_without_face_is_not_an_error(app, photos):
    response = upload(app.test_client(), photos["cat"], json_reply=True)
    assert response.status_code == 200 and response.get_json()["faces"] == []


@pytest.mark.parametrize("case, status, message", [
    ("no file", 400, "no photo uploaded"),
    ("text file", 415, "notes.txt: unsupported file type"),
    ("corrupt", 400, "corrupt.jpg: not a readable image"),
    ("too large", 413, "upload too large: the limit is 2 MiB"),
])
def test_bad_uploads_get_a_4xx_with_a_clear_message(app, photos, tmp_path, case, status, message):
    client = app.test_client()
    if case == "no file":
        response = client.post("/predict", data={}, content_type="multipart/form-data")
    elif case == "text file":
        response = upload(client, photos["astronaut"], name="notes.txt")
    elif case == "corrupt":
        response = upload(client, photos["corrupt"])
    else:
        big = tmp_path / "big.png"
        big.write_bytes(b"\x89PNG" + bytes(3 * 1024 * 1024))
        response = upload(client, big)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_errors_are_json_for_json_clients(app, photos):
    response = upload(app.test_client(), photos["corrupt"], json_reply=True)
    assert response.status_code == 400 and "not a readable image" in response.get_json()["error"]
    assert app.test_client().get("/nowhere", headers={"Accept": "application/json"}).status_code == 404


CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, url):
        import websocket

        self.socket = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message.get("method"))

    def wait_for(self, event, seconds=60):
        deadline = time.monotonic() + seconds
        while event not in self.events:
            assert time.monotonic() < deadline, f"no {event} within {seconds} s"
            message = json.loads(self.socket.recv())
            self.events.append(message.get("method"))
        self.events.clear()

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)["result"].get("value")


@pytest.fixture
def server(app):
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    pytest.importorskip("websocket", reason="the browser test needs websocket-client")
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file, deadline = profile / "DevToolsActivePort", time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert process.poll() is None and time.monotonic() < deadline, "chromium did not start its DevTools server"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as reply:
            page = next(target for target in json.load(reply) if target["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        yield tools
        tools.socket.close()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_person_uploads_a_photo_in_headless_chromium_and_reads_the_result(server, browser, photos):
    browser.call("Page.enable")
    browser.call("Page.navigate", url=server + "/")
    browser.wait_for("Page.loadEventFired")
    root = browser.call("DOM.getDocument")["root"]["nodeId"]
    file_input = browser.call("DOM.querySelector", nodeId=root, selector="#photo")["nodeId"]
    browser.call("DOM.setFileInputFiles", nodeId=file_input, files=[str(photos["astronaut"])])
    browser.evaluate("document.querySelector('#submit').click()")
    browser.wait_for("Page.loadEventFired")
    page = browser.evaluate("""JSON.stringify({
        summary: document.querySelector('#summary').textContent,
        labels: [...document.querySelectorAll('.face .label')].map(node => node.textContent),
        rows: document.querySelectorAll('table.probabilities tr').length,
        width: document.querySelector('#annotated').naturalWidth})""")
    result = json.loads(page)
    assert result["summary"] == "astronaut.png: 1 face(s)"
    assert len(result["labels"]) == 1 and result["labels"][0]
    assert result["rows"] == 8  # header and seven classes
    assert result["width"] == 512  # the annotated photo decoded in the browser


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_serve_command_answers_on_loopback(tiny_model, tmp_path):
    import os
    import sys
    from pathlib import Path

    port = free_port()
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-m", "fer_bench", "serve", "--model", str(tiny_model), "--port", str(port)],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(root)})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    assert reply.status == 200 and 'name="photo"' in reply.read().decode()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "the server did not answer within 120 s"
                time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(10)
    assert f"serving on http://127.0.0.1:{port}/" in process.stderr.read()


def test_a_busy_port_is_a_clear_error(capsys, tiny_model):
    import socket

    from fer_bench.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        status = main(["serve", "--model", str(tiny_model), "--port", str(busy.getsockname()[1])])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: cannot serve on 127.0.0.1:")


@pytest.mark.parametrize("port", [0, -1, 65536, 99999])
def test_serve_refuses_a_port_out_of_range_before_listening(port):
    from fer_bench.pipeline.serve import serve

    with pytest.raises(ValueError, match=f"--port {port}: expected a TCP port from 1 to 65535"):
        serve(None, port=port)


@pytest.mark.parametrize("side, message", [(20000, "Pillow's hard limit"), (8000, "exceed the limit of 40,000,000 pixels")])
def test_a_decompression_bomb_gets_413_and_the_server_stays_responsive(app, photos, tmp_path, side, message):
    from ..crafted_images import bomb_png

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png(side, side))
    client = app.test_client()
    response = upload(client, bomb, json_reply=True)
    assert response.status_code == 413
    assert response.get_json()["error"].startswith("bomb.png: ") and message in response.get_json()["error"]
    assert upload(client, photos["astronaut"], json_reply=True).status_code == 200


def test_the_pixel_limit_of_the_app_is_a_parameter(tiny_model, photos):
    app = create_app(build_pipeline(tiny_model), max_pixels=100_000)
    response = upload(app.test_client(), photos["astronaut"])
    assert response.status_code == 413 and "exceed the limit of 100,000 pixels" in response.get_data(as_text=True)
