"""Expressions on a camera or a video file, frame by frame, with an optional annotated video."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..datasets.image_files import MAX_PIXELS, check_pixel_count
from .annotate import draw_faces
from ._opencv import import_cv2 as _cv2
from .predict import FacePipeline

VIDEO_CODEC = "mp4v"
WINDOW = "fer_bench (q quits)"
DEFAULT_FPS = 30.0


@dataclass
class LiveStats:
    """What a :func:`run_live` session did: frames read, faces analysed, wall seconds, frames per second."""

    frames: int
    analysed_frames: int
    seconds: float

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def open_source(source: str, max_pixels: int = MAX_PIXELS):
    """Open a camera (``"0"``, ``"1"``, ...) or a video file with OpenCV.

    The frame size is checked against ``max_pixels`` from the source's header, before any frame is decoded.

    Raises
    ------
    FileNotFoundError
        If ``source`` is neither a camera index nor an existing file.
    ValueError
        If OpenCV cannot open or decode it, or its frames have more than ``max_pixels`` pixels.
    """
    cv2 = _cv2()
    if source.isdigit():
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # a missing camera: our error, not its warnings
        try:
            capture = cv2.VideoCapture(int(source))
        finally:
            cv2.utils.logging.setLogLevel(level)
        what = f"camera {source}"
    else:
        if not Path(source).is_file():
            raise FileNotFoundError(f"{source}: no such video file (or give a camera index such as 0)")
        capture = cv2.VideoCapture(source)
        what = f"{source}"
    if not capture.isOpened():
        raise ValueError(f"{what}: OpenCV cannot open it as a video source")
    try:
        check_pixel_count(int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                          what, max_pixels)
    except ValueError:
        capture.release()
        raise
    return capture


def window_available() -> bool:
    """True when frames can be shown in a window: a display and an OpenCV build with GUI support."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    cv2 = _cv2()
    try:
        cv2.namedWindow(WINDOW)
    except cv2.error:  # opencv-python-headless has no highgui
        return False
    return True


def run_live(source: str, pipeline: FacePipeline, every: int = 5, out: str | Path | None = None,
             show: bool | None = None, max_frames: int | None = None, log=None,
             max_pixels: int = MAX_PIXELS) -> LiveStats:
    """Annotate faces and expressions on each frame of ``source`` until it ends, ``q`` or Ctrl-C.

    Faces are detected and classified on every ``every``-th frame; the frames in
    between reuse those boxes and labels, which keeps a slow detector off most frames.

    Parameters
    ----------
    source : str
        Camera index (``"0"``) or a video file.
    pipeline : FacePipeline
    every : int
        Analyse one frame in ``every`` (>= 1).
    out : path, optional
        Write the annotated frames to this video (MPEG-4, the source's frame rate).
    show : bool, optional
        Show a window (``q`` quits); default: when a display and GUI support exist.
    max_frames : int, optional
        Stop after this many frames.
    log : callable, optional
        Receives progress messages.
    max_pixels : int
        Largest frame, in pixels (see :func:`open_source`).

    Returns
    -------
    LiveStats
        Frames per second measured over the whole loop (reading, analysing, drawing, writing).

    Raises
    ------
    FileNotFoundError, ValueError
        If the source cannot be opened or its frames exceed ``max_pixels``, ``every`` < 1, or the
        output video cannot be written.
    """
    cv2 = _cv2()
    if every < 1:
        raise ValueError(f"--every must be >= 1, got {every}")
    if out is not None and Path(out).is_dir():
        raise ValueError(f"{out}: is a folder, cannot write a video there (give a file name such as out.mp4)")
    log = log or (lambda message: None)
    show = window_available() if show is None else show
    capture = open_source(source, max_pixels)
    if not show and source.isdigit():
        log(f"camera {source}, no window: Ctrl-C stops")
    writer = temporary = None
    frames = analysed = 0
    faces = []
    started = time.perf_counter()
    fps_text = ""
    finished = False
    try:
        while max_frames is None or frames < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            if writer is None and out is not None:
                writer, temporary = _open_writer(Path(out), capture.get(cv2.CAP_PROP_FPS), frame.shape)
            if frames % every == 0:
                faces = pipeline.analyze(frame)
                analysed += 1
            frames += 1
            if frames % 10 == 0:
                fps_text = f"{frames / (time.perf_counter() - started):.1f} fps"
            annotated = draw_faces(frame, faces, fps_text)
            if writer is not None:
                writer.write(annotated)
            if show:
                cv2.imshow(WINDOW, annotated)
                if cv2.waitKey(1) & 0xFF == ord("q"):
                    break
        finished = True
    except KeyboardInterrupt:
        log("interrupted")
        finished = True
    finally:
        seconds = time.perf_counter() - started
        capture.release()
        if writer is not None:
            writer.release()
            if finished:
                os.replace(temporary, out)
                log(f"annotated video {out}")
            else:
                temporary.unlink(missing_ok=True)
        if show:
            cv2.destroyAllWindows()
    return LiveStats(frames, analysed, seconds)


def _open_writer(out: Path, fps: float, shape):
    """An MPEG-4 writer into a temporary file beside ``out`` (renamed at the end, so no half video is left)."""
    cv2 = _cv2()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.stem}.partial{out.suffix or '.mp4'}")
    writer = cv2.VideoWriter(str(temporary), cv2.VideoWriter_fourcc(*VIDEO_CODEC), fps if fps and fps > 0 else DEFAULT_FPS,
                             (shape[1], shape[0]))
    if not writer.isOpened():
        raise ValueError(f"{out}: OpenCV cannot write a {VIDEO_CODEC} video there (use a .mp4 name in a writable folder)")
    return writer, temporary
