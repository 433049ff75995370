from __future__ import annotations

import json

import numpy as np

from fer_bench.datasets import LabelledFaces
from fer_bench.labels import FER2013_CLASSES
from fer_bench.studies.record import record_header, write_record


def test_a_record_says_which_faces_and_its_page_lists_model_data_and_command_in_order(tmp_path):
    faces = LabelledFaces(np.zeros((3, 48, 48), np.uint8), np.array([0, 3, 3]), FER2013_CLASSES, "faces.csv",
                          "a" * 64, "PrivateTest", excluded={"contempt": 2})
    record = record_header(faces, model="runs/x/models/m", model_name="m")
    assert record["model_name"] == "m" and list(record)[:2] == ["created", "model"]
    assert record["data"] == {"source": "faces.csv", "sha256": "a" * 64, "scope": "PrivateTest", "n": 3,
                              "synthetic": False, "class_names": list(FER2013_CLASSES), "excluded": {"contempt": 2},
                              "no_face": faces.no_face}
    json_path, html_path = write_record(record, tmp_path / "r.json", tmp_path / "r.html", "resize.html.j2",
                                        "A title", {"model": "runs/x/models/m"}, "fer_bench study ...",
                                        {"seconds": "1.0 s"}, study={**record, "sizes": [], "interpolations": [],
                                                                     "accuracy": []},
                                        plot_src="", plot_alt="", tables=[])
    assert json.loads(json_path.read_text())["command"] == "fer_bench study ..."
    page = html_path.read_text()
    assert "A title" in page
    keys = ("runs/x/models/m", "a" * 64, record["created"], "1.0 s", "fer_bench study ...")
    order = [page.index(key) for key in keys]
    assert order == sorted(order)
