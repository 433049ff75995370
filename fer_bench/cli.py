"""``python -m fer_bench``: argument parsing and dispatch only.

Every failure prints one ``error:`` line to standard error that names the file
or argument at fault: errors in the user's input (a bad data or model file, an
unknown estimator or profile) exit with status 2, any other failure with 1.
``--debug`` also prints the traceback.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import traceback
from pathlib import Path

from .cli_folder import FOLDER_ONLY_OPTIONS, add_folder_options, add_groups_options, evaluation_groups
from .labels import LABEL_MAPS, SPLITS
from .profiles import PROFILE_NAMES

DEFAULT_DATA_FILES: tuple[str, ...] = ("data/fer2013.csv", "data/fer2013.csv.gz")
EXIT_USAGE = 2
EXIT_FAILURE = 1
BACKENDS: tuple[str, ...] = ("loky", "dask", "ray")  # fer_bench.execution.BACKENDS, without importing joblib
DEFAULT_NEAR_THRESHOLD = 4  # fer_bench.datasets.audit's defaults, without importing imagehash
DEFAULT_BLANK_STD = 2.0
DEFAULT_MAX_PIXELS = 40_000_000  # fer_bench.datasets.image_files.MAX_PIXELS, without importing Pillow
LABEL_SETS: tuple[str, ...] = ("ferplus",)
"""Label sets ``--labels SET FILE`` can apply to FER-2013 rows."""


def _add_plugin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plugin", action="append", default=[], metavar="MODULE_OR_FILE",
                        help="import an estimator plugin (a module name or a .py file); repeatable")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _add_max_pixels_option(parser) -> None:
    parser.add_argument("--max-pixels", type=_positive_int, default=DEFAULT_MAX_PIXELS, metavar="N",
                        help="refuse images and video frames of more than N pixels, read from their header before "
                             f"decoding (default: {DEFAULT_MAX_PIXELS:,})")


def _add_face_options(parser: argparse.ArgumentParser) -> None:
    _add_model_option(parser)
    _add_max_pixels_option(parser)
    face = parser.add_argument_group("face detection and cropping")
    face.add_argument("--detector", choices=("haar", "mtcnn"), default="haar",
                      help="haar: OpenCV's frontal-face cascade (default); mtcnn: stronger, slower (needs facenet-pytorch)")
    face.add_argument("--cascade", metavar="FILE.xml", help="haar: a cascade of your own instead of OpenCV's frontal face")
    face.add_argument("--scale-factor", type=float, metavar="F", help="haar: search-window scale step (default 1.1)")
    face.add_argument("--min-neighbors", type=int, metavar="N", help="haar: overlapping detections to keep a face (default 5)")
    face.add_argument("--min-size", type=int, metavar="PX", help="smallest face in pixels (default: haar 30, mtcnn 20)")
    face.add_argument("--margin", type=float, default=0.1, metavar="FRACTION",
                      help="border added around each face, fraction of its side (default 0.1)")
    face.add_argument("--interpolation", default="area", choices=("area", "linear", "cubic", "nearest", "lanczos"),
                      help="resampling of faces to 48x48 (default: area)")
def _add_labels_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", nargs=2, metavar=("SET", "FILE"),
                        help="relabel FER-2013 rows: 'ferplus fer2013new.csv' gives FER+'s 8 classes (plurality "
                             "vote; ties, unknown and not-a-face rows dropped)")


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL_DIR", help="a saved model, RUN_DIR/models/NAME")
    parser.add_argument("--trust-model", action="store_true",
                        help="load a model folder even if it holds pickle files (model.joblib, *.pkl), types or "
                             "classes outside fer_bench's own: these can run any code; only for folders you trust")


def _add_debug_option(parser: argparse.ArgumentParser, default=argparse.SUPPRESS) -> None:
    """``--debug`` before the command and after it: the subcommands' copy keeps the top one's value unless given."""
    parser.add_argument("--debug", action="store_true", default=default,
                        help="on failure, print the traceback as well as the error line")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _add_debug_option(subparser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fer_bench",
                                     description="Facial expression recognition benchmark on FER-2013.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="train and score estimators, write results and the HTML report",
                              description="Fit on Training, select on PublicTest, score on PrivateTest.")
    run.add_argument("names", nargs="*", default=["all"], metavar="NAME",
                     help="registered estimators to run, or 'all' (default)")
    run.add_argument("--data", metavar="PATH",
                     help="fer2013.csv[.gz], icml_face_data.csv, train.csv or an image folder; default: "
                          f"{' or '.join(DEFAULT_DATA_FILES)} if present, else the embedded synthetic set")
    run.add_argument("--profile", metavar="NAME",
                     help=f"{', '.join(PROFILE_NAMES)} or a .toml file (default: smoke; with --resume the stored one)")
    run.add_argument("--out", metavar="RUN_DIR", help="run directory (default: reports/<timestamp>-<profile>/)")
    run.add_argument("--seed", type=int, help="seed of subsets and estimators (default: 0; with --resume the stored one)")
    run.add_argument("--save-models", choices=("none", "networks", "all"),
                     help="which fitted models to keep under RUN_DIR/models/ (default: networks; with --resume "
                          "the stored choice)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    cleaning = run.add_argument_group("data cleaning (see `data audit`; every run scores PrivateTest also "
                                      "without the faces that occur in Training)")
    cleaning.add_argument("--dedupe", choices=("train",),
                          help="train: drop Training faces that are exact or near copies of a test face, before fitting")
    cleaning.add_argument("--drop-blank", action="store_true", default=None,
                          help="drop near-blank faces (pixel std < 2) from every split")
    execution = run.add_argument_group("execution")
    execution.add_argument("--backend", choices=BACKENDS, default="loky",
                           help="where fits run: loky (local processes, default), dask (a dask.distributed "
                                "cluster, with --scheduler) or ray (a Ray cluster; needs ray installed)")
    execution.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address, e.g. tcp://10.0.0.5:8786")
    execution.add_argument("--n-jobs", type=int, metavar="N",
                           help="estimators fitted at once (default: 1 with loky, every worker with dask/ray); "
                                "network estimators still fit one at a time per machine")
    execution.add_argument("--time-limit", type=float, metavar="SECONDS",
                           help="stop an estimator after SECONDS of fitting and predicting (status timed_out); "
                                "each estimator then runs in a child process")
    execution.add_argument("--resume", metavar="RUN_DIR",
                           help="complete an interrupted run: rerun the estimators without an ok record, "
                                "with the stored profile, seed, data and cleaning (plugins: give --plugin again)")
    execution.add_argument("--overwrite", action="store_true",
                           help="replace the run in --out (its results, predictions and models); without it a "
                                "folder that holds a run is refused")
    _add_labels_option(run)
    _add_plugin_option(run)
    add_folder_options(run)

    report = commands.add_parser("report", help="rebuild RUN_DIR/report.html from stored results, without training")
    report.add_argument("run_dir", metavar="RUN_DIR")

    compare = commands.add_parser("compare", help="compare two runs estimator by estimator, with significance tests",
                                  description="Print PrivateTest accuracy of A and B, the difference and its p-value "
                                              "(exact McNemar on the same faces, else a two-proportion z-test), "
                                              "and write an HTML page.")
    compare.add_argument("run_a", metavar="RUN_A")
    compare.add_argument("run_b", metavar="RUN_B")
    compare.add_argument("--out", metavar="FILE.html", help="the HTML page (default: RUN_B/compare-<RUN_A name>.html)")

    listing = commands.add_parser("list", help="list registered estimators, and what an unavailable one needs")
    _add_plugin_option(listing)

    data = commands.add_parser("data", help="inspect data files")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    info = data_commands.add_parser("info", help="counts per split and class, and the file's sha256")
    info.add_argument("path", metavar="PATH")
    audit = data_commands.add_parser(
        "audit", help="exact and near duplicates within and across splits, blank faces, label conflicts",
        description="Audit a FER data set: pixel-identical faces within and across splits (with label agreement), "
                    "test faces that are near copies of Training faces (perceptual hash), blank faces and "
                    "identical faces with different labels. Cached by the data's sha256.")
    audit.add_argument("path", metavar="PATH", help="any layout `run --data` reads")
    audit.add_argument("--json", action="store_true",
                       help="print the full audit as JSON: counts, duplicate groups and pairs, row ids")
    audit.add_argument("--near-threshold", type=int, default=DEFAULT_NEAR_THRESHOLD, metavar="BITS",
                       help=f"largest Hamming distance of 64-bit phash codes counted as a near duplicate "
                            f"(default: {DEFAULT_NEAR_THRESHOLD})")
    audit.add_argument("--blank-std", type=float, default=DEFAULT_BLANK_STD, metavar="STD",
                       help=f"faces with a pixel standard deviation below this are blank (default: {DEFAULT_BLANK_STD:g})")

    predict = commands.add_parser("predict", help="find faces in photos and label their expressions")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--out", metavar="DIR", help="write each photo with boxes and labels to DIR/<name>_faces.<ext>")
    predict.add_argument("--json", action="store_true", help="print a JSON array, one object per image")
    _add_face_options(predict)

    live = commands.add_parser("live", help="label expressions on a camera or a video file")
    live.add_argument("--source", default="0", help="camera index or video file (default: 0)")
    live.add_argument("--every", type=int, default=5, help="analyse every N-th frame, reuse its faces between (default 5)")
    live.add_argument("--out", metavar="OUT.mp4", help="write the annotated video")
    live.add_argument("--no-window", action="store_true", help="never show a window (default: show one if a display exists)")
    live.add_argument("--max-frames", type=int, help="stop after N frames")
    live.add_argument("--detect-width", type=int, default=320,
                      help="shrink frames to this width for detection only, 0 = full size (default 320: faster)")
    _add_face_options(live)

    serve = commands.add_parser("serve", help="a local web page: upload a photo, see its expressions")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    _add_face_options(serve)
    _add_labels_option(info)

    study = commands.add_parser("study", help="studies of a saved model")
    study_commands = study.add_subparsers(dest="study_command", required=True, metavar="STUDY")
    resize = study_commands.add_parser(
        "resize", help="accuracy of a saved model on faces down-sampled to 48..12 px and back, per interpolation",
        description="Down-sample every test face to 48, 40, 32, 24, 16 and 12 pixels and back to 48 with OpenCV's "
                    "cubic, linear, Lanczos-4 and area interpolation; score the model on each.")
    _add_model_option(resize)
    resize.add_argument("--data", metavar="PATH", help="a FER-2013 layout (default as for run)")
    resize.add_argument("--split", default="PrivateTest", choices=SPLITS, help="faces to study (default: PrivateTest)")
    resize.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/studies/resize-NAME/)")
    _add_labels_option(resize)

    evaluate = commands.add_parser(
        "evaluate", help="score a saved model on a FER-2013 split or on another data set's class folders",
        description="Score a saved model on a FER-2013 layout (--data, PrivateTest by default) or on a folder of "
                    "class folders (--data-folder DIR/<class name>/*.png|jpg, any size and colour).")
    _add_model_option(evaluate)
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="PATH", help="a FER-2013 layout")
    source.add_argument("--data-folder", metavar="DIR", help="DIR/<class name>/ image folders")
    evaluate.add_argument("--split", default="PrivateTest", choices=SPLITS, help="with --data (default: PrivateTest)")
    evaluate.add_argument("--label-map", choices=sorted(LABEL_MAPS),
                          help="with --data-folder: folder names of another data set (ck+: anger, contempt, ...)")
    evaluate.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/studies/evaluate-NAME-DATA/)")
    _add_max_pixels_option(evaluate)
    _add_labels_option(evaluate)
    add_groups_options(evaluate)
    _add_debug_option(parser, default=False)
    return parser


def _load_plugins(paths: list[str]) -> None:
    """Import each ``--plugin``; any failure of its code becomes an ImportError naming it."""
    from .estimators import load_plugin

    for path in paths:
        try:
            load_plugin(path)
        except ImportError:
            raise
        except Exception as error:
            raise ImportError(f"--plugin {path}: importing it failed: {error_line(error).removeprefix('error: ')}") from error


def _resolve_names(names: list[str]) -> list[str]:
    from .estimators import available_estimators, get_estimator_spec

    if names == ["all"]:
        return list(available_estimators())
    for name in names:
        get_estimator_spec(name)  # raises KeyError naming the known estimators
    return names


def _load_data(path: str | None, labels: list[str] | None = None, max_pixels: int = DEFAULT_MAX_PIXELS):
    from .datasets import load_dataset, make_synthetic

    if labels is not None and labels[0] not in LABEL_SETS:
        raise ValueError(f"--labels {labels[0]!r}: expected one of {', '.join(LABEL_SETS)}")
    if path is None:
        path = next((candidate for candidate in DEFAULT_DATA_FILES if Path(candidate).is_file()), None)
    if path is None:
        print("no --data given and no data/fer2013.csv[.gz]: using the embedded SYNTHETIC data set", file=sys.stderr)
        dataset = make_synthetic()
    else:
        dataset = load_dataset(path, max_pixels=max_pixels)
    if labels is None:
        return dataset
    from .datasets.ferplus import apply_ferplus_labels

    dataset, dropped = apply_ferplus_labels(dataset, labels[1])
    print(f"FER+ labels from {labels[1]}: {len(dataset):,} faces kept; dropped "
          + ", ".join(f"{count:,} {reason}" for reason, count in dropped.items()), file=sys.stderr)
    return dataset


def _plugin_reference(plugin: str) -> str:
    """A plugin file as an absolute path (workers and --resume may start elsewhere); a module name as is."""
    return str(Path(plugin).resolve()) if plugin.endswith(".py") and Path(plugin).is_file() else plugin


def _stored_run_settings(args) -> dict:
    """Settings of the run ``--resume`` re-opens; options given on the command line win (and are checked)."""
    from .datasets import make_synthetic
    from .profiles import Profile, load_profile
    from .results import ResultsStore

    if args.names != ["all"] or args.out:
        raise ValueError("--resume runs the stored run's estimators in its own directory: give no NAME and no --out")
    manifest, _ = ResultsStore(args.resume).load()
    plugins = [_plugin_reference(plugin) for plugin in args.plugin]
    _check_resume_plugins(args.resume, manifest, plugins)
    stored_data = manifest["data"]
    if args.data is not None:
        dataset = _load_data(args.data, args.labels)
    elif stored_data.get("synthetic"):
        dataset = make_synthetic()
    elif Path(stored_data["source"]).exists():
        dataset = _load_data(stored_data["source"], args.labels)
    else:
        raise FileNotFoundError(f"--resume {args.resume}: the run's data {stored_data['source']} is not there; "
                                "name it with --data")
    cleaning = manifest.get("cleaning", {})
    return {
        "names": manifest["estimators"],
        "profile": load_profile(args.profile) if args.profile else Profile(**manifest["profile"]),
        "seed": manifest["seed"] if args.seed is None else args.seed,
        "save_models": args.save_models or manifest.get("execution", {}).get("save_models", "networks"),
        "dataset": dataset,
        "run_dir": Path(args.resume),
        "plugins": plugins,
        "dedupe_train": (args.dedupe or cleaning.get("dedupe")) == "train",
        "drop_blank": bool(cleaning.get("drop_blank") if args.drop_blank is None else args.drop_blank),
    }


def _check_resume_plugins(run_dir: str, manifest: dict, plugins: list[str]) -> None:
    """Import the ``--plugin`` given now, never those ``results.json`` names (a file anyone could edit).

    Says which plugins the stored run used; raises ImportError when one of the
    run's estimators is not registered without them.
    """
    from .estimators import available_estimators

    stored = manifest.get("plugins") or []
    if stored:
        _stderr(f"--resume {run_dir}: the stored run used the plugin(s) {', '.join(map(str, stored))}; "
                "they are imported only when given again with --plugin")
    _load_plugins(plugins)
    missing = [name for name in manifest.get("estimators", []) if name not in available_estimators()]
    if missing:
        hint = (f"give the stored run's plugin again, e.g. --plugin {shlex.quote(str(stored[0]))}" if stored
                else "give the plugin that registers it with --plugin")
        raise ImportError(f"--resume {run_dir}: estimator(s) {', '.join(missing)} of the run are not registered; {hint}")


def _new_run_settings(args) -> dict:
    from .profiles import load_profile
    from .runner import default_run_dir

    plugins = [_plugin_reference(plugin) for plugin in args.plugin]
    _load_plugins(plugins)
    profile = load_profile(args.profile or "smoke")
    names = _resolve_names(args.names)
    dataset = _load_data(args.data, args.labels)
    return {"names": names, "profile": profile, "seed": args.seed or 0, "save_models": args.save_models or "networks",
            "dataset": dataset,
            "run_dir": Path(args.out) if args.out else default_run_dir(profile), "plugins": plugins,
            "dedupe_train": args.dedupe == "train", "drop_blank": bool(args.drop_blank)}


def _command_run(args) -> int:
    from .report import render_report
    from .runner import RunNotStoredError, run_benchmark

    if args.data_folder:
        from .cli_folder import command_run_folder

        return command_run_folder(args, _command_line(args))
    folder_only = [option for option in FOLDER_ONLY_OPTIONS if getattr(args, option) not in (None, "subject")]
    if folder_only:
        raise ValueError(f"--{folder_only[0].replace('_', '-')} goes with --data-folder")
    settings = _stored_run_settings(args) if args.resume else _new_run_settings(args)
    run_dir = settings["run_dir"]
    command = _command_line(args)
    try:
        records = run_benchmark(settings["names"], settings["dataset"], settings["profile"], run_dir,
                                seed=settings["seed"], save_models=settings["save_models"], command=command,
                                progress=not args.quiet, dedupe_train=settings["dedupe_train"],
                                drop_blank=settings["drop_blank"], backend=args.backend, scheduler=args.scheduler,
                                n_jobs=args.n_jobs, time_limit=args.time_limit, resume=bool(args.resume),
                                overwrite=args.overwrite, plugins=settings["plugins"])
    except KeyboardInterrupt:  # stop now: the report's figures and bootstrap can take minutes on a busy machine
        if (run_dir / "results.json").is_file():
            quoted = shlex.quote(str(run_dir))
            print(f"interrupted: what finished is in {run_dir / 'results.json'}; its report: "
                  f"python -m fer_bench report {quoted}", file=sys.stderr)
            print(f"complete the run with: python -m fer_bench run --resume {quoted}", file=sys.stderr)
        return 130
    except RunNotStoredError as error:  # what finished is shown here, the unstored records only here
        _print_summary(error.stored)
        _print_summary(error.unstored, " (NOT STORED)")
        raise
    report_path = render_report(run_dir)
    _print_summary(records)
    print(report_path)
    failed = [record.name for record in records if record.status not in ("ok", "skipped")]
    if failed:
        print(f"error: {len(failed)} estimator(s) did not finish: {', '.join(failed)} (see {report_path})", file=sys.stderr)
        return 1
    return 0


def _print_summary(records, note: str = "") -> None:
    for record in records:
        if record.status == "skipped":
            print(f"{record.name:<16} SKIPPED  {record.error}{note}", file=sys.stderr)
            continue
        accuracy = record.metrics.get("accuracy")
        figure = f"PrivateTest accuracy {accuracy:6.2%}" if accuracy is not None else record.status.upper()
        print(f"{record.name:<16} {figure}  fit {record.fit_seconds or 0:8.1f} s{note}", file=sys.stderr)


def _command_report(args) -> int:
    from .report import render_report
    from .report.crossval import CROSSVAL_JSON, write_crossval_page

    print(write_crossval_page(args.run_dir) if (Path(args.run_dir) / CROSSVAL_JSON).is_file()
          else render_report(args.run_dir))
    return 0


def _command_compare(args) -> int:
    from .report.compare import compare_runs, format_comparison, write_comparison_html

    comparison = compare_runs(args.run_a, args.run_b)
    out = Path(args.out) if args.out else Path(args.run_b) / f"compare-{Path(args.run_a).resolve().name}.html"
    print(format_comparison(comparison))
    print(write_comparison_html(comparison, out))
    return 0


def _command_list(args) -> int:
    from .estimators import available_estimators

    _load_plugins(args.plugin)
    specs = available_estimators().values()
    print(f"{'name':<17} {'family':<11} {'framework':<10} {'parameters':>10}  {'classes':<8} {'available':<9} source")
    missing = {}
    for spec in specs:
        parameters = f"{spec.parameters:,}" if spec.parameters else "-"
        classes = str(len(spec.classes)) if spec.classes else "all"
        absent = spec.missing_requirements()
        if absent:
            missing[spec.name] = f"needs {', '.join(absent)}: {spec.install_command(absent)}"
        print(f"{spec.name:<17} {spec.family:<11} {spec.framework:<10} {parameters:>10}  {classes:<8} "
              f"{'no' if absent else 'yes':<9} {spec.source}")
    for name, hint in missing.items():
        print(f"not available: {name} {hint} (a run records it as skipped)")
    return 0


def _command_data(args) -> int:
    from .datasets import describe_dataset

    dataset = _load_data(args.path, getattr(args, "labels", None))
    if args.data_command == "info":
        print(describe_dataset(dataset))
        return 0
    from .datasets.audit import cached_audit

    audit = cached_audit(dataset, near_threshold=args.near_threshold, blank_std=args.blank_std)
    print(json.dumps(audit.to_dict()) if args.json else audit.format_text())
    return 0


def _face_pipeline(args):
    from .pipeline import build_pipeline

    return build_pipeline(args.model, args.detector, args.margin, args.interpolation,
                          detect_width=getattr(args, "detect_width", None), trust_model=args.trust_model,
                          cascade=args.cascade,
                          scale_factor=args.scale_factor, min_neighbors=args.min_neighbors, min_size=args.min_size)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _command_predict(args) -> int:
    import json

    from .pipeline import predict_images

    results, errors = predict_images(args.images, _face_pipeline(args), args.out, log=_stderr, max_pixels=args.max_pixels)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            faces = ", ".join(f"{face['label']} {face['probabilities'][face['label']]:.0%} at {face['box']}"
                              for face in result["faces"])
            print(f"{result['image']}: {'unreadable' if 'error' in result else faces or 'no face'}")
    if errors:
        _stderr(f"error: {len(errors)} of {len(results)} image(s) could not be read")
        return 1
    return 0


def _command_live(args) -> int:
    from .pipeline.live import run_live

    stats = run_live(args.source, _face_pipeline(args), every=args.every, out=args.out,
                     show=False if args.no_window else None, max_frames=args.max_frames, log=_stderr,
                     max_pixels=args.max_pixels)
    _stderr(f"{stats.frames} frames in {stats.seconds:.1f} s: {stats.fps:.1f} frames/s "
            f"({stats.analysed_frames} analysed)")
    return 0


def _command_serve(args) -> int:
    from .pipeline.serve import serve

    serve(_face_pipeline(args), args.host, args.port, model_name=Path(args.model).name, log=_stderr,
          max_pixels=args.max_pixels)
    return 0


def _command_line(args) -> str:
    return "python -m fer_bench " + shlex.join(args.argv)


def _command_study(args) -> int:
    from .estimators.persistence import load_estimator
    from .datasets import split_faces
    from .studies.evaluate import default_output_dir
    from .studies.resize import run_resize_study, table_text, write_resize_study

    faces = split_faces(_load_data(args.data, args.labels), args.split)
    model = load_estimator(args.model, args.trust_model)
    study = run_resize_study(model, args.model, faces, progress=lambda line: print(line, file=sys.stderr))
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"resize-{Path(args.model).name}")
    _, html_path = write_resize_study(study, out_dir, _command_line(args))
    print(f"{faces.scope} accuracy\n{table_text(study, 'accuracy')}\n\nmacro-F1\n{table_text(study, 'macro_f1')}")
    print(html_path)
    return 0


def _command_evaluate(args) -> int:
    from .estimators.persistence import load_estimator
    from .datasets import read_class_folder, split_faces
    from .studies.evaluate import default_output_dir, evaluate, summary_text, write_evaluation

    if args.data_folder is not None:
        if args.labels is not None:
            raise ValueError("--labels relabels FER-2013 rows; it goes with --data, not --data-folder")
        faces, dataset = read_class_folder(args.data_folder, args.label_map, args.max_pixels), None
    else:
        if args.label_map is not None:
            raise ValueError("--label-map maps folder names; it goes with --data-folder, not --data")
        dataset = _load_data(args.data, args.labels, args.max_pixels)
        faces = split_faces(dataset, args.split)
    groups = evaluation_groups(args, len(faces.labels), dataset)
    model = load_estimator(args.model, args.trust_model)
    evaluation = evaluate(model, args.model, faces, groups, args.min_group_size)
    data_name = Path(args.data_folder or args.data).name.split(".")[0] or "data"
    out_dir = Path(args.out) if args.out else default_output_dir(args.model, f"evaluate-{Path(args.model).name}-{data_name}")
    _, html_path = write_evaluation(evaluation, out_dir, _command_line(args))
    print(summary_text(evaluation))
    if evaluation["groups"]:
        from .metrics_groups import format_group_table

        print(format_group_table(evaluation["groups"]))
    print(html_path)
    return 0


COMMANDS = {"run": _command_run, "report": _command_report, "compare": _command_compare, "list": _command_list,
            "data": _command_data, "predict": _command_predict, "live": _command_live, "serve": _command_serve,
            "study": _command_study, "evaluate": _command_evaluate}


INPUT_ERRORS = (ValueError, KeyError, FileNotFoundError, ImportError)
"""Failures caused by the user's input (DataError is a ValueError): exit status 2; any other: 1."""


def error_line(error: BaseException) -> str:
    """One line for a failure: its message, which names the culprit file or argument.

    Errors of fer_bench's own making carry their message; an ``OSError`` gets its
    file name (``error.filename``); any other exception its type and the first
    line of its message.
    """
    if isinstance(error, KeyError) and error.args:
        message = str(error.args[0])
    elif isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    else:
        message = str(error)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    message = lines[0] if lines else ""
    own = type(error).__module__.startswith("fer_bench.")
    if not (own or isinstance(error, INPUT_ERRORS + (OSError,))) or not message:
        kind = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
        message = f"{kind}: {message}" if message else kind
    return f"error: {message}"


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status (0 success, 1 failure, 2 bad input, 130 interrupted)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = [arg for arg in argv if arg != "--debug"]  # recorded in the run manifest
    try:
        return COMMANDS[args.command](args)
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        expected = isinstance(error, INPUT_ERRORS)
        print(error_line(error) + ("" if expected or args.debug else "  (--debug shows the traceback)"), file=sys.stderr)
        return EXIT_USAGE if expected else EXIT_FAILURE
