"""``tracker analyze`` and ``tracker demo``: recorded videos (or recordings) → reps, CSV, plots.

Inputs may be files, folders (every video inside) or landmark recordings (.npz). Each file
is one set. Outputs are checked before any work starts, rows are flushed as each set
completes (through the same ``Recorder`` as live), and Ctrl-C analyses what was seen so
far, writes it, and exits 130.
"""
from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tracker.app.auto_exercise import AUTO, AUTO_HELP, analyse_partial, exercise_for, is_auto, take_auto
from tracker.app.inputs import expand_inputs
from tracker.app.options import SetOptions, add_model_option, add_set_options, saved_in
from tracker.app.plan_use import add_plan_option, apply_plan, plan_options, planned_step
from tracker.app.resume import not_finished
from tracker.app.routine_cmd import check_routine, run_routine
from tracker.errors import EXIT_INTERRUPTED, InputError, UsageError, each_file, printable
from tracker.exercises import EXERCISES, custom_exercises, get_exercise, register_custom

PROJECT = Path(__file__).resolve().parents[2]


DEFAULT_MAX_FPS = 15.0  # offline analysis rate: reps last > 0.5 s; halves the work on 30 fps video


def analyze_path(path: Path, exercise: str, side: str = "auto", mode: str = "active", target: int = 10,
                 model: str | None = None, profile: str = "default", progress: bool = False,
                 image_mode: bool = False, max_fps: float | None = DEFAULT_MAX_FPS, view: str = "auto",
                 provisional=None):
    """One file → SetResult. Ctrl-C during the pose pass analyses the frames seen so far and
    re-raises with the partial result attached as ``exc.result``. ``view``: auto (the
    close-up method when the body is missing from most frames), body or closeup.
    ``provisional(info, reps)``, if given, gets the reps found while the pose pass goes on
    (``Checkpoints``), for the CSV to keep until the set's final reps replace them."""
    from tracker.app.closeup import analyze_closeup_video, fall_back
    from tracker.counting.offline import analyze_recording
    from tracker.pose.recording import is_recording, load_recording

    ex = None if is_auto(exercise) else get_exercise(exercise)  # auto: recognised from the landmarks
    if is_recording(path):
        if view == "closeup":
            raise UsageError(f"{path}: --view closeup needs the video; a landmark recording holds no pixels")
        rec = load_recording(path)
        ex, chosen = exercise_for(rec, ex, path, side)
        res = analyze_recording(rec, ex, side, mode, target, source=str(path), profile=profile)
        return res.with_warnings(chosen, rec.meta.get("source", {}).get("damaged"))
    closeup_kw = dict(exercise=ex and ex.key, side=side, mode=mode, target=target, profile=profile, progress=progress)
    if view == "closeup":
        return analyze_closeup_video(path, **closeup_kw)
    from tracker.app.paths import progress_bar
    from tracker.counting.checkpoint import Checkpoints
    from tracker.pose.estimator import PoseEstimator
    from tracker.pose.recording import record_video
    from tracker.sources.capture import open_source

    with open_source(path, max_fps=max_fps or None) as src, \
            PoseEstimator(model, mode="image" if image_mode else "video",
                          foot_turn=None if ex is None else ex.foot_turn) as est:
        total = src.info.frame_count // getattr(src, "stride", 1) if src.info.frame_count else None
        checkpoints = provisional and ex and Checkpoints(ex, provisional, side, mode, target, str(path), profile)
        with progress_bar(total, desc=path.name, enabled=None if progress else False) as bar:
            try:
                rec = record_video(src, est, progress=bar, on_frame=checkpoints.on_frame if checkpoints else None)
            except KeyboardInterrupt as exc:
                exc.result = analyse_partial(getattr(exc, "partial", None), ex, path, side, mode, target, profile)
                raise
        damage = src.damage_note() if hasattr(src, "damage_note") else None
    if not rec.norm.size:
        raise InputError(f"{path} has no frames")
    ex, chosen = exercise_for(rec, ex, path, side)
    res = analyze_recording(rec, ex, side, mode, target, source=str(path), profile=profile)
    res = fall_back(path, res, **dict(closeup_kw, exercise=ex.key)) if view == "auto" else res
    return res.with_warnings(chosen, damage)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which cancels what is queued and saves what is done."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker(args: tuple):
    path, kw, custom = args
    for ex in custom:  # a plan's custom exercises: a spawned process starts without them
        register_custom(ex)
    try:
        return path, analyze_path(Path(path), **kw), None
    except Exception as exc:  # reported per file by the parent, never a traceback
        return path, None, f"{type(exc).__name__}: {exc}" if not hasattr(exc, "exit_code") else str(exc)


def format_result(res) -> str:
    s = res.summary
    rom = f", range {s.mean_rom_deg:.1f}° mean / {s.best_rom_deg:.1f}° best" if s.mean_rom_deg is not None else ""
    flags = []
    if s.reps_low_confidence:
        flags.append(f"{s.reps_low_confidence} not counted (low confidence, or the leg moved, not the ankle)")
    if s.assisted:
        flags.append(f"{s.assisted} assisted")
    if s.compensated:
        flags.append(f"{s.compensated} with compensation")
    line = (f"{printable(Path(res.info.source).name)}: {res.info.exercise} ({res.info.side}, {res.info.mode}) "
            f"{s.reps_counted}/{res.info.target} reps{rom}" + (f" [{', '.join(flags)}]" if flags else "")
            + f"  (method: {res.info.method})")
    for w in res.warnings:
        line += f"\n  warning: {printable(w)}"
    return line


def result_json(res) -> dict:
    return {"info": asdict(res.info), "summary": {k: v for k, v in asdict(res.summary).items() if k != "info"},
            "reps": [r.as_dict() for r in res.reps], "warnings": list(res.warnings)}


@dataclass(frozen=True)
class AnalyzeOptions:
    """What only ``analyze`` asks for (the shared options are in ``SetOptions``)."""

    annotate: str | None = None
    plot: bool = False
    json: bool = False
    jobs: int = 1
    image_mode: bool = False
    max_fps: float = DEFAULT_MAX_FPS
    view: str = "auto"
    scheduler: str | None = None  # a Dask scheduler's address: files are analysed on its workers
    auto_exercise: bool = False  # --exercise auto: each file's exercise is recognised
    routine: bool = False  # --routine: each file is a whole session, its sets found and recognised

    def __post_init__(self):
        if not (math.isfinite(self.max_fps) and self.max_fps >= 0):
            raise UsageError(f"--max-fps {self.max_fps}: give frames per second above 0 (or 0 for every frame)")
        if self.jobs < 1:
            raise UsageError(f"--jobs {self.jobs}: give a number of processes, 1 or more")

    def workers(self, files: int) -> int:
        """Processes to run: at most one per file and one per CPU (more only compete)."""
        cpus = os.cpu_count() or 1
        if self.jobs > cpus and files > 1:
            print(f"tracker: note: --jobs {self.jobs} is more than the {cpus} CPUs; using {cpus}", file=sys.stderr)
        return min(self.jobs, cpus, files)

    @classmethod
    def from_args(cls, args) -> "AnalyzeOptions":
        return cls(annotate=args.annotate, plot=args.plot, json=args.json, jobs=args.jobs,
                   image_mode=args.image_mode, max_fps=args.max_fps, view=args.view, scheduler=args.scheduler,
                   auto_exercise=args.auto_exercise, routine=args.routine)


def run_analyze(args) -> int:
    check_routine(args)  # --routine: every set's exercise recognised (no --exercise, no --plan)
    take_auto(args)  # --exercise auto: recognised per file (refused with --plan)
    plan, opts = plan_options(args, live=False)
    if plan is not None and opts.exercise is None:
        raise UsageError("--exercise is required with --plan: a recording is one set of one of the plan's "
                         f"exercises ({', '.join(pe.exercise for pe in plan.exercises)})")
    planned_step(plan, opts.exercise or "")  # the plan must list the exercise: checked before any work
    return analyze_files(args.paths, opts, AnalyzeOptions.from_args(args), plan=plan)


def _run_pool(files, kw, jobs, done, failed) -> None:
    """Files on ``jobs`` spawned processes; results are saved in input order (so a CSV is
    the same as a sequential run's), and on Ctrl-C every finished one is still saved."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    def take(fut) -> None:
        path, res, err = fut.result()
        done(res) if err is None else failed(f"{path}: {err}")

    # spawn, not fork: a process that already ran mediapipe holds threads whose locks a
    # forked child inherits locked (it hangs forever).
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_ignore_sigint)
    futures = [pool.submit(_worker, (str(f), kw, custom_exercises())) for f in files]
    taken = 0
    try:
        for fut in futures:
            take(fut)
            taken += 1
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        for fut in futures[taken:]:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                take(fut)
        raise
    pool.shutdown(wait=True)


def _run_each(files, kw, done, failed, provisional=None) -> None:
    each_file(files, failed, lambda f: done(analyze_path(f, progress=True, provisional=provisional, **kw)))


class _Outputs:
    """Where each analysed set goes: the recorder (CSV, summary, history), the terminal, the
    plot. One object so that a set is saved the same way whichever way it was analysed."""

    def __init__(self, opts: SetOptions, ana: AnalyzeOptions, plots: dict[str, Path], plan=None):
        self.opts, self.ana, self.plots, self.plan = opts, ana, plots, plan
        self.recorder = opts.recorder()
        self.results: list = []
        self.failures: list[str] = []

    def say(self, text: str) -> None:
        if not self.ana.json:
            print(text, flush=True)

    def done(self, res) -> None:
        if self.plan is not None:  # --plan: holds checked, the plan's step recorded
            apply_plan(res, self.plan)
        try:
            self.recorder.record(res.info, res.reps, res.summary)
        finally:  # a destination failing now (disk full) still leaves the result on the screen
            self.results.append(res)
            self.say(format_result(res))
        if self.ana.plot:
            from tracker.sinks.plot import plot_paths, plot_set

            png = self.plots.get(res.info.source)
            if png is None:  # a source not among the checked inputs (never expected)
                png = next(iter(plot_paths(self.opts.csv, [Path(res.info.source)]).values()))
            plot_set(res, png)
            self.say(f"  plot: {printable(png)}")

    def failed(self, message: str, suffix: str = "") -> None:
        self.failures.append(message)
        print(f"tracker: {printable(message)}{suffix}", file=sys.stderr)


def _check(paths: list[str], opts: SetOptions, ana: AnalyzeOptions) -> tuple[list[Path], dict[str, Path]]:
    """Every input and output checked before the first frame; returns the inputs and the
    plot of each."""
    from tracker.pose.model_files import resolve_model
    from tracker.sinks.plot import plot_paths

    if opts.exercise is None and not (ana.auto_exercise or ana.routine):
        raise UsageError("--exercise is required")
    files = not_finished(expand_inputs(paths), opts)
    resolve_model(opts.model)  # a bad --model is an error even when only recordings are given
    if ana.annotate and len(files) != 1:
        raise UsageError("--annotate takes one input video at a time")
    if ana.plot and not opts.csv:
        raise UsageError("--plot writes PNGs next to the --csv file; give --csv too")
    plots = plot_paths(opts.csv, files) if ana.plot else {}
    opts.check_outputs(files, {"--annotate": ana.annotate, **{f"--plot {p.name}": p for p in plots.values()}})
    return files, plots


def analyze_files(paths: list[str], opts: SetOptions, ana: AnalyzeOptions, plan=None) -> int:
    """Analyse every input as one set each; returns the exit code."""
    files, plots = _check(paths, opts, ana)
    out = _Outputs(opts, ana, plots, plan)
    kw = dict(exercise=opts.exercise or AUTO, side=opts.side, mode=opts.mode, target=opts.target, model=opts.model,
              profile=opts.profile, image_mode=ana.image_mode, max_fps=ana.max_fps, view=ana.view)
    notes: list[str] = []
    try:
        if ana.routine:
            notes = run_routine(files, kw, out.done, out.failed, out.say)
        elif ana.scheduler:
            from tracker.app.cluster import run_on_cluster

            run_on_cluster(files, kw, ana.scheduler, out.done, out.failed, task=_worker, extra=(custom_exercises(),))
        elif (jobs := ana.workers(len(files))) > 1:
            _run_pool(files, kw, jobs, out.done, out.failed)
        else:
            _run_each(files, kw, out.done, out.failed, out.recorder.provisional)
        if ana.annotate and out.results and out.results[0].recording is None:
            out.say("  annotated video: not available for the close-up method yet")
        elif ana.annotate and out.results:
            from tracker.sinks.video import annotate_video

            annotate_video(files[0], out.results[0], ana.annotate)
            out.say(f"  annotated video: {printable(ana.annotate)}")
    except KeyboardInterrupt as exc:
        for res in ([exc.result] if getattr(exc, "result", None) is not None else []) + getattr(exc, "results", []):
            out.done(res)  # what the pose pass saw before Ctrl-C, analysed
        out.recorder.release()  # first: a CSV that never got a row is removed, and not named below
        print(f"tracker: interrupted; {sum(r.summary.reps_counted for r in out.results)} reps so far are saved"
              + saved_in(opts.csv), file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        out.recorder.release()
    if ana.json:
        print(json.dumps({"sets": [result_json(r) for r in out.results], "failures": out.failures,
                          **({"not_counted": notes} if ana.routine else {})}, indent=1))
    if out.failures:
        print(f"tracker: {len(out.failures)} of {len(files)} files could not be analysed (see above)", file=sys.stderr)
        return 3
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser("analyze", help="count and measure reps in recorded videos, folders or recordings",
                       description="Count reps in recorded videos (or a folder of them, or a landmark "
                                   "recording made by 'tracker pose'); write per-rep and per-set CSV.")
    p.add_argument("paths", nargs="+", help="video file(s), folder(s) or .npz recording(s)")
    add_set_options(p, exercise_required=False, exercise_help=AUTO_HELP + " (required unless --routine)")
    p.add_argument("--routine", action="store_true",
                   help="each file is a whole session: its sets are found, each one's exercise recognised "
                        "and counted; a stretch that is no exercise is reported, never counted")
    p.add_argument("--annotate", help="write the video with the overlay drawn on it (.mp4)")
    p.add_argument("--plot", action="store_true", help="a PNG per set (angle over time) next to the CSV")
    p.add_argument("--json", action="store_true", help="print results as JSON instead of text")
    p.add_argument("--jobs", type=int, default=1,
                   help="files analysed in parallel processes (default 1; at most one per CPU)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="analyse the files on a Dask cluster's workers (a clinic's archive; see README); "
                        "this computer writes the CSV and the history")
    p.add_argument("--resume", action="store_true",
                   help="go on with a batch that was stopped: skip the files its --summary lists as done and "
                        "add to its --csv and --summary")
    p.add_argument("--image-mode", action="store_true", help="run the model per frame without tracking")
    p.add_argument("--max-fps", type=float, default=DEFAULT_MAX_FPS,
                   help="analyse at most this many frames per second (default %(default)g; 0 = every frame)")
    p.add_argument("--view", choices=("auto", "body", "closeup"), default="auto",
                   help="body: full-body pose; closeup: the feet filmed from close by (no head in view), "
                        "measured from the foot's motion; auto (default): close-up when no body is found")
    add_plan_option(p)
    p.set_defaults(func=run_analyze)

    d = sub.add_parser("demo", help="analyse a bundled sample clip: no camera or files needed",
                       description="Analyse one of the project's own sample clips and write the results "
                                   "(CSV, summary, plot, annotated video) into a folder.")
    d.add_argument("--exercise", "-e", default="dorsiflexion", help=f"one of: {', '.join(EXERCISES)}")
    d.add_argument("--out", default="footdrop-demo", help="folder for the results (default: %(default)s)")
    add_model_option(d)
    d.set_defaults(func=run_demo)


def sample_for(exercise: str) -> tuple[Path, dict]:
    folder = PROJECT / "sample_videos"
    for meta_path in sorted(folder.glob("*_meta.json")):
        meta = json.loads(meta_path.read_text())
        if meta.get("exercise") == exercise and meta.get("recommended_view", True):
            return meta_path.with_name(meta_path.name[: -len("_meta.json")] + ".mp4"), meta
    raise InputError(f"no bundled sample for '{exercise}' in {folder}; reinstall the project from its repository")


def run_demo(args) -> int:
    ex = get_exercise(args.exercise)
    clip, meta = sample_for(ex.key)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file; demo writes its results into a folder: give --out a folder name")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder {out}: {exc.strerror or exc}; "
                         "choose another --out") from exc
    print(f"Analysing the bundled sample {clip.name} ({ex.title}, {meta.get('reps')} reps, "
          f"{meta.get('side')} foot)...", flush=True)
    opts = SetOptions(exercise=ex.key, side=meta.get("side", "auto"), model=args.model, profile="demo",
                      csv=str(out / "reps.csv"), summary=str(out / "summary.csv"), history=False, force=True)
    code = analyze_files([str(clip)], opts, AnalyzeOptions(annotate=str(out / "annotated.mp4"), plot=True))
    if code == 0:
        print(f"Results are in {printable(out)}{os.sep}: reps.csv, summary.csv, reps_*.png, annotated.mp4")
    return code
