import numpy as np
import pytest

from fer_bench.cli import main
from fer_bench.pipeline import build_pipeline
from fer_bench.pipeline.live import run_live

from .conftest import cv2


def frames_of(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(frame)


def test_live_writes_the_annotated_video_and_reports_fps(capsys, tiny_model, video, tmp_path):
    out = tmp_path / "annotated.mp4"
    status = main(["live", "--source", str(video), "--every", "3", "--out", str(out), "--model", str(tiny_model),
                   "--no-window", "--detect-width", "320"])
    err = capsys.readouterr().err
    assert status == 0
    source, annotated = frames_of(video), frames_of(out)
    assert len(annotated) == len(source) == 24 and annotated[0].shape == (480, 640, 3)
    assert np.abs(annotated[12].astype(int) - source[12]).mean() > 1  # boxes, labels and fps drawn
    assert "24 frames in" in err and "frames/s (8 analysed)" in err
    assert [path.name for path in tmp_path.iterdir()] == ["annotated.mp4"]  # no partial file left


def test_both_moving_faces_are_found_and_boxes_are_reused_between_analysed_frames(tiny_model, video):
    pipeline = build_pipeline(tiny_model)
    calls = []
    analyze = pipeline.analyze
    pipeline.analyze = lambda frame: calls.append(len(analyze(frame))) or analyze(frame)
    stats = run_live(str(video), pipeline, every=5, show=False, max_frames=12)
    assert stats.frames == 12 and stats.analysed_frames == 3 and stats.fps > 0
    assert calls == [2, 2, 2]


@pytest.mark.parametrize("options, message", [
    (["--source", "nowhere.mp4"], "nowhere.mp4: no such video file"),
    (["--every", "0"], "--every must be >= 1"),
    (["--detect-width", "10"], "--detect-width must be >= 32"),
])
def test_bad_sources_and_options_give_status_2(capsys, tiny_model, video, options, message):
    options = options if options[0] == "--source" else ["--source", str(video), *options]
    status = main(["live", *options, "--model", str(tiny_model), "--no-window"])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: ") and message in err


def test_a_file_that_is_no_video_is_named(capsys, tiny_model, tmp_path):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00not a video" * 100)
    status = main(["live", "--source", str(fake), "--model", str(tiny_model), "--no-window"])
    assert status == 2 and f"{fake}: OpenCV cannot open it" in capsys.readouterr().err


def test_an_unwritable_output_leaves_no_file(capsys, tiny_model, video, tmp_path):
    out = tmp_path / "video.mp4"
    out.mkdir()  # a folder where the video should go
    status = main(["live", "--source", str(video), "--out", str(out / ""), "--model", str(tiny_model), "--no-window"])
    assert status == 2 and "cannot write" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_a_camera_that_is_not_there_is_named(capsys, tiny_model):
    status = main(["live", "--source", "63", "--model", str(tiny_model), "--no-window"])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: camera 63: OpenCV cannot open it")


def test_frames_over_the_pixel_limit_are_refused_before_decoding(capsys, tiny_model, video):
    with pytest.raises(ValueError, match=r"moving\.mp4: 640x480 pixels \(307,200\) exceed the limit of 300,000"):
        run_live(str(video), build_pipeline(tiny_model), show=False, max_pixels=300_000)
    status = main(["live", "--source", str(video), "--model", str(tiny_model), "--no-window", "--max-pixels", "300000"])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: ") and "exceed the limit of 300,000 pixels" in err
