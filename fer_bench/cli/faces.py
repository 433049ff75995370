"""``predict``, ``live`` and ``serve``: the face pipeline on photos, a camera or video, and a web page."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..pipeline import DETECTORS, INTERPOLATIONS, MAX_MARGIN
from ..pipeline.serve import PORTS
from .errors import EXIT_FAILURE
from .inputs import stderr
from .options import add_max_pixels_option, add_model_option, integer_between, number_between


def _add_face_options(parser: argparse.ArgumentParser) -> None:
    add_model_option(parser)
    add_max_pixels_option(parser)
    face = parser.add_argument_group("face detection and cropping")
    face.add_argument("--detector", choices=DETECTORS, default="haar",
                      help="haar: OpenCV's frontal-face cascade (default); mtcnn: stronger, slower (needs facenet-pytorch)")
    face.add_argument("--cascade", metavar="FILE.xml", help="haar: a cascade of your own instead of OpenCV's frontal face")
    face.add_argument("--scale-factor", type=float, metavar="F", help="haar: search-window scale step (default 1.1)")
    face.add_argument("--min-neighbors", type=int, metavar="N", help="haar: overlapping detections to keep a face (default 5)")
    face.add_argument("--min-size", type=int, metavar="PX", help="smallest face in pixels (default: haar 30, mtcnn 20)")
    face.add_argument("--margin", type=number_between(0, MAX_MARGIN, "a fraction of the face's side"), default=0.1,
                      metavar="FRACTION",
                      help=f"border added around each face, fraction of its side, 0 to {MAX_MARGIN:g} (default 0.1)")
    face.add_argument("--interpolation", default="area", choices=INTERPOLATIONS,
                      help="resampling of faces to 48x48 (default: area)")


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``predict``, ``live`` and ``serve`` parsers, on ``commands``."""
    predict = commands.add_parser("predict", help="find faces in photos and label their expressions")
    predict.set_defaults(handler=command_predict)
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--out", metavar="DIR", help="write each photo with boxes and labels to DIR/<name>_faces.<ext>")
    predict.add_argument("--json", action="store_true", help="print a JSON array, one object per image")
    _add_face_options(predict)

    live = commands.add_parser("live", help="label expressions on a camera or a video file")
    live.set_defaults(handler=command_live)
    live.add_argument("--source", default="0", help="camera index or video file (default: 0)")
    live.add_argument("--every", type=int, default=5, help="analyse every N-th frame, reuse its faces between (default 5)")
    live.add_argument("--out", metavar="OUT.mp4", help="write the annotated video")
    live.add_argument("--no-window", action="store_true", help="never show a window (default: show one if a display exists)")
    live.add_argument("--max-frames", type=int, help="stop after N frames")
    live.add_argument("--detect-width", type=int, default=320,
                      help="shrink frames to this width for detection only, 0 = full size (default 320: faster)")
    _add_face_options(live)

    serve = commands.add_parser("serve", help="a local web page: upload a photo, see its expressions")
    serve.set_defaults(handler=command_serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=integer_between(*PORTS, "a TCP port"), default=8000,
                       help=f"port, {PORTS[0]} to {PORTS[1]} (default: 8000)")
    _add_face_options(serve)
    return [predict, live, serve]


def _face_pipeline(args):
    from ..pipeline import build_pipeline

    return build_pipeline(args.model, args.detector, args.margin, args.interpolation,
                          detect_width=getattr(args, "detect_width", None), trust_model=args.trust_model,
                          runtime=args.runtime,
                          cascade=args.cascade,
                          scale_factor=args.scale_factor, min_neighbors=args.min_neighbors, min_size=args.min_size)


def command_predict(args) -> int:
    from ..pipeline import predict_images

    results, errors = predict_images(args.images, _face_pipeline(args), args.out, log=stderr, max_pixels=args.max_pixels)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            faces = ", ".join(f"{face['label']} {face['probabilities'][face['label']]:.0%} at {face['box']}"
                              for face in result["faces"])
            print(f"{result['image']}: {'unreadable' if 'error' in result else faces or 'no face'}")
    if errors:
        stderr(f"error: {len(errors)} of {len(results)} image(s) could not be read")
        return EXIT_FAILURE
    return 0


def command_live(args) -> int:
    from ..pipeline.live import run_live

    stats = run_live(args.source, _face_pipeline(args), every=args.every, out=args.out,
                     show=False if args.no_window else None, max_frames=args.max_frames, log=stderr,
                     max_pixels=args.max_pixels)
    stderr(f"{stats.frames} frames in {stats.seconds:.1f} s: {stats.fps:.1f} frames/s "
           f"({stats.analysed_frames} analysed)")
    return 0


def command_serve(args) -> int:
    from ..pipeline.serve import serve

    serve(_face_pipeline(args), args.host, args.port, model_name=Path(args.model).name, log=stderr,
          max_pixels=args.max_pixels)
    return 0
