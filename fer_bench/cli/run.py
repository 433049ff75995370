"""``run``, ``report`` and ``compare``: train and score estimators, and read what runs stored."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..cards.builtin import BUILTIN_CARDS
from ..datasets.audit import DEFAULT_BLANK_STD
from ..profiles import PROFILE_NAMES
from ..results import CROSSVAL_JSON, MAX_SEED, RESULTS_FILE, fit_label
from ..runner import BACKENDS, SAVE_MODELS_CHOICES
from .errors import EXIT_FAILURE
from .crossdata import add_also_test_option, run_targets
from .crossval import (FOLDER_ONLY_OPTIONS, add_folder_options, check_folder_options, check_partition_options,
                       command_run_folder)
from .inputs import (DEFAULT_DATA_FILES, command_line, folder_notes, load_data, load_plugins, plugin_reference,
                     read_folder_faces, resolve_names, stderr)
from .options import (add_labels_option, add_plugin_option, integer_between, positive_int, positive_number,
                      time_limit_seconds)
from .tracking import add_track_option, run_tracking


def add_parsers(commands) -> list[argparse.ArgumentParser]:
    """The ``run``, ``report`` and ``compare`` parsers, on ``commands`` (``add_subparsers``'s)."""
    run = commands.add_parser("run", help="train and score estimators, write results and the HTML report",
                              description="Fit on Training, select on PublicTest, score on PrivateTest.")
    run.set_defaults(handler=command_run)
    run.add_argument("names", nargs="*", default=[], metavar="NAME",
                     help="registered estimators to run, or 'all' (default, unless --pretrained is given)")
    run.add_argument("--pretrained", action="append", default=[], metavar="CARD.toml",
                     help="also score the model a card describes (trained elsewhere, never trained here) on "
                          "PrivateTest, beside its authors' claimed accuracy; a card file or a built-in card's name "
                          f"({', '.join(BUILTIN_CARDS)}); repeatable (see docs/cards.md)")
    run.add_argument("--data", metavar="PATH",
                     help="fer2013.csv[.gz], fer2013.tar.gz, icml_face_data.csv, train.csv or an image folder; "
                          f"default: {' or '.join(DEFAULT_DATA_FILES)} if present, else the embedded synthetic set")
    run.add_argument("--profile", metavar="NAME",
                     help=f"{', '.join(PROFILE_NAMES)} or a .toml file (default: smoke; with --resume the stored one)")
    run.add_argument("--out", metavar="RUN_DIR", help="run directory (default: reports/<timestamp>-<profile>/)")
    run.add_argument("--seed", type=integer_between(0, MAX_SEED, "a seed"),
                     help=f"first seed, 0 to {MAX_SEED}: of the splits' subsets and of the estimators "
                          "(default: 0; with --resume the stored one)")
    run.add_argument("--seeds", type=positive_int, metavar="N",
                     help="train every estimator with the seeds SEED .. SEED+N-1, one record each; the report gives "
                          "mean and sd over seeds (default: the profile's, 1; with --resume, more seeds complete the run)")
    budget = run.add_argument_group("budget (every network the same; overrides the profile's [budget])")
    budget.add_argument("--budget-minutes", type=positive_number, metavar="M",
                        help="train each network for M minutes on this machine, its learning-rate schedule planned "
                             "to end there (budgeted training, Li et al. 2020)")
    budget.add_argument("--epochs", type=positive_int, metavar="E",
                        help="train each network for E epochs of the profile's recipe")
    budget.add_argument("--steps-from", metavar="RUN_DIR",
                        help="train each network (and seed) exactly the steps that the time budget of RUN_DIR "
                             "planned: the same training, repeated on this machine")
    run.add_argument("--save-models", choices=SAVE_MODELS_CHOICES,
                     help="which fitted models to keep under RUN_DIR/models/ (default: networks; with --resume "
                          "the stored choice)")
    run.add_argument("--quiet", action="store_true",
                     help="no progress bars and no epoch lines (these still go to RUN_DIR/logs/NAME.log)")
    cleaning = run.add_argument_group("data cleaning (see `data audit`; every run scores PrivateTest also "
                                      "without the faces that occur in Training)")
    cleaning.add_argument("--dedupe", choices=("train",),
                          help="train: drop Training faces that are exact or near copies of a test face, before fitting")
    cleaning.add_argument("--drop-blank", action="store_true", default=None,
                          help=f"drop near-blank faces (pixel std < {DEFAULT_BLANK_STD:g}) from every split")
    execution = run.add_argument_group("execution")
    execution.add_argument("--backend", choices=BACKENDS, default="loky",
                           help="where fits run: loky (local processes, default), dask (a dask.distributed "
                                "cluster, with --scheduler) or ray (a Ray cluster; needs ray installed)")
    execution.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address, e.g. tcp://10.0.0.5:8786")
    execution.add_argument("--n-jobs", type=int, metavar="N",
                           help="estimators fitted at once (default: 1 with loky, every worker with dask/ray); "
                                "network estimators still fit one at a time per machine")
    execution.add_argument("--time-limit", type=time_limit_seconds, metavar="SECONDS",
                           help="stop an estimator after SECONDS of fitting and predicting (status timed_out), "
                                "at most 20 days; each estimator then runs in a child process")
    execution.add_argument("--resume", metavar="RUN_DIR",
                           help="complete an interrupted run: rerun the estimators without an ok record, "
                                "with the stored profile, seed, data and cleaning (plugins: give --plugin again)")
    execution.add_argument("--overwrite", action="store_true",
                           help="replace the run in --out (its results, predictions, models, logs, report and "
                                "tensorboard/) once the new run stores its first result; without it a folder that "
                                "holds a run is refused")
    add_also_test_option(run)
    add_track_option(run)
    add_labels_option(run)
    add_plugin_option(run)
    add_folder_options(run)

    report = commands.add_parser("report", help="rebuild RUN_DIR/report.html from stored results, without training")
    report.set_defaults(handler=command_report)
    report.add_argument("run_dir", metavar="RUN_DIR")

    compare = commands.add_parser("compare", help="compare two runs estimator by estimator, with significance tests",
                                  description="Print PrivateTest accuracy of A and B, the difference and its p-value "
                                              "(exact McNemar on the same faces, else a two-proportion z-test), "
                                              "and write an HTML page.")
    compare.set_defaults(handler=command_compare)
    compare.add_argument("run_a", metavar="RUN_A")
    compare.add_argument("run_b", metavar="RUN_B")
    compare.add_argument("--out", metavar="FILE.html", help="the HTML page (default: RUN_B/compare-<RUN_A name>.html)")
    return [run, report, compare]


def _stored_run_settings(args) -> dict:
    """Settings of the run ``--resume`` re-opens (:func:`fer_bench.runner.resume.resumed_run`); options given on
    the command line win."""
    from ..runner.resume import ResumeChanges, resumed_run

    if args.also_test:
        raise ValueError("--also-test goes without --resume: a resumed run scores its models on the stored run's "
                         "targets again")
    if args.names not in ([], ["all"]) or args.out or args.pretrained:
        raise ValueError("--resume runs the stored run's estimators in its own directory: give no NAME, no "
                         "--pretrained and no --out")
    plugins = [plugin_reference(plugin) for plugin in args.plugin]
    changes = ResumeChanges(data=args.data, profile=args.profile, budget_minutes=args.budget_minutes,
                            epochs=args.epochs, seed=args.seed, seeds=args.seeds, save_models=args.save_models,
                            dedupe=args.dedupe, drop_blank=args.drop_blank)
    def load(path, stored_labels=None):
        if stored_labels is None:
            return load_data(path, args.labels, ferplus_mode=args.ferplus_mode)
        votes_file, mode = stored_labels
        return load_data(path, ["ferplus", votes_file] if votes_file else None, ferplus_mode=mode)

    resumed = resumed_run(args.resume, changes, plugins, load, load_plugins, stderr, register_cards=_register_cards)
    return {"names": resumed.names, "profile": resumed.profile, "seed": resumed.seed, "seeds": resumed.seeds,
            "save_models": resumed.save_models, "dataset": resumed.dataset, "run_dir": Path(args.resume),
            "plugins": plugins, "cards": resumed.cards, "dedupe_train": resumed.dedupe_train,
            "drop_blank": resumed.drop_blank, "targets": run_targets(resumed.targets, resumed.dataset.sha256)}


def _register_cards(cards: list[str]) -> list[str]:
    """Register each model card (``--pretrained``, or a resumed run's) as an estimator; their names, in order."""
    from ..estimators import available_estimators
    from ..estimators.card_zoo import register_card

    available_estimators()  # the built-ins first: a card may not take one's name
    return [register_card(card) for card in cards]


def _new_run_settings(args, dataset=None) -> dict:
    """Settings of a new run; ``dataset``: the data when it is not ``--data``'s (a data folder's own partition)."""
    from ..profiles import load_profile, with_budget
    from ..runner import default_run_dir

    plugins = [plugin_reference(plugin) for plugin in args.plugin]
    load_plugins(plugins)
    profile = with_budget(load_profile(args.profile or "smoke"), args.budget_minutes, args.epochs)
    cards = [card if card in BUILTIN_CARDS else str(Path(card).resolve()) for card in args.pretrained]
    card_names = _register_cards(cards)
    names = resolve_names(args.names) if args.names or not cards else []
    names = list(dict.fromkeys([*(name for name in names if name not in card_names), *card_names]))
    dataset = dataset if dataset is not None else load_data(args.data, args.labels, ferplus_mode=args.ferplus_mode)
    return {"names": names, "profile": profile, "seed": args.seed or 0, "seeds": args.seeds,
            "save_models": args.save_models or "networks",
            "dataset": dataset,
            "run_dir": Path(args.out) if args.out else default_run_dir(profile), "plugins": plugins, "cards": cards,
            "dedupe_train": args.dedupe == "train", "drop_blank": bool(args.drop_blank),
            "targets": run_targets(args.also_test, dataset.sha256)}


def command_run(args) -> int:
    from ..report import render_report
    from ..runner import RunNotStoredError, run_benchmark

    dataset = None
    if args.data_folder:
        if args.pretrained:
            raise ValueError("--pretrained scores a card on PrivateTest: it goes without --data-folder (score a card "
                             "on a face folder with `evaluate --model CARD.toml`)")
        check_folder_options(args)
        faces = read_folder_faces(args)
        if faces.partition is None:
            return command_run_folder(args, command_line(args), faces)
        check_partition_options(args)
        from ..datasets.own_partition import partition_dataset

        dataset = partition_dataset(faces, args.seed or 0)
        print(f"{faces.source} ({faces.layout}, its own partition): {len(faces.files):,} faces; "
              + "; ".join(f"{split} " + ", ".join(f"{name} {count:,}" for name, count in counts.items())
                          for split, counts in dataset.counts().items()) + folder_notes(faces), file=sys.stderr)
    else:
        folder_only = [option for option in FOLDER_ONLY_OPTIONS if getattr(args, option) not in (None, "subject")]
        if folder_only:
            raise ValueError(f"--{folder_only[0].replace('_', '-')} goes with --data-folder")
    if args.steps_from and (args.budget_minutes or args.epochs):
        raise ValueError("--steps-from repeats an earlier run's planned steps: give it without --budget-minutes "
                         "and --epochs")
    settings = _stored_run_settings(args) if args.resume else _new_run_settings(args, dataset)
    run_dir = settings["run_dir"]
    command = command_line(args)
    before = _file_identity(run_dir / RESULTS_FILE)
    args.kept = lambda: _kept_by_run(run_dir, before)
    with run_tracking(args.track, run_dir) as on_stored:  # the report goes to the tracker too
        try:
            records = run_benchmark(settings["names"], settings["dataset"], settings["profile"], run_dir,
                                    seed=settings["seed"], seeds=settings["seeds"], steps_from=args.steps_from,
                                    save_models=settings["save_models"], command=command,
                                    progress=not args.quiet, dedupe_train=settings["dedupe_train"],
                                    drop_blank=settings["drop_blank"], backend=args.backend,
                                    scheduler=args.scheduler, n_jobs=args.n_jobs, time_limit=args.time_limit,
                                    resume=bool(args.resume), overwrite=args.overwrite, plugins=settings["plugins"],
                                    cards=settings["cards"], cross_targets=settings["targets"],
                                    on_stored=on_stored)
        except RunNotStoredError as error:  # what finished is shown here, the unstored records only here
            _print_summary(error.stored)
            _print_summary(error.unstored, " (NOT STORED)")
            raise
        report_path = render_report(run_dir)
    _print_summary(records)
    print(report_path)
    several_seeds = len(records) > len(settings["names"])
    failed = [fit_label(record.name, record.seed, several_seeds)
              for record in records if record.status not in ("ok", "skipped")]
    if failed:
        print(f"error: {len(failed)} estimator(s) did not finish: {', '.join(failed)} (see {report_path})", file=sys.stderr)
        return EXIT_FAILURE
    return 0


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    """``path``'s inode, modification time and size (None when absent): the same file, unchanged, or not."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _kept_by_run(run_dir: Path, before: tuple[int, int, int] | None) -> list[str]:
    """What a run stopped by Ctrl-C or SIGTERM kept (``before``: the identity of its ``results.json`` then).

    It stops at once: the report's figures and bootstrap can take minutes on a busy machine.
    """
    results = run_dir / RESULTS_FILE
    now = _file_identity(results)
    if now is None:
        return [f"no result was written in {run_dir}"]
    if now == before:
        return [f"{run_dir} is as it was: the run stopped before it stored a result"]
    quoted = shlex.quote(str(run_dir))
    return [f"what finished is in {results}; its report: python -m fer_bench report {quoted}",
            f"complete the run with: python -m fer_bench run --resume {quoted}"]


def _print_summary(records, note: str = "") -> None:
    for record in records:
        if record.status == "skipped":
            print(f"{record.name:<16} SKIPPED  {record.error}{note}", file=sys.stderr)
            continue
        accuracy = record.metrics.get("accuracy")
        figure = f"PrivateTest accuracy {accuracy:6.2%}" if accuracy is not None else record.status.upper()
        seed = "" if record.seed is None else f"  seed {record.seed}"
        print(f"{record.name:<16} {figure}  fit {record.fit_seconds or 0:8.1f} s{seed}{note}", file=sys.stderr)


def command_report(args) -> int:
    from ..report import render_report
    from ..report.crossval import write_crossval_page

    print(write_crossval_page(args.run_dir) if (Path(args.run_dir) / CROSSVAL_JSON).is_file()
          else render_report(args.run_dir))
    return 0


def command_compare(args) -> int:
    from ..report.compare import compare_runs, format_comparison, write_comparison_html

    comparison = compare_runs(args.run_a, args.run_b)
    out = Path(args.out) if args.out else Path(args.run_b) / f"compare-{Path(args.run_a).resolve().name}.html"
    print(format_comparison(comparison))
    print(write_comparison_html(comparison, out))
    return 0
