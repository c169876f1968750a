"""``tracker analyze`` and ``tracker demo``: recorded videos (or recordings) → reps, CSV, plots.

Inputs may be files, folders (every video inside) or landmark recordings (.npz). Each file
is one set. Outputs are checked before any work starts, rows are flushed as each set
completes (through the same ``Recorder`` as live), and Ctrl-C analyses what was seen so
far, writes it, and exits 130.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tracker.app.options import SetOptions, add_model_option, add_set_options
from tracker.app.plan_use import add_plan_option, apply_plan, plan_options, planned_step
from tracker.errors import EXIT_INTERRUPTED, InputError, TrackerError, UsageError
from tracker.exercises import EXERCISES, custom_exercises, get_exercise, register_custom

PROJECT = Path(__file__).resolve().parents[2]


def expand_inputs(paths: list[str]) -> list[Path]:
    from tracker.pose.recording import RECORDING_EXTS
    from tracker.sources.capture import VIDEO_EXTS, find_videos

    out: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"{p}: no such file or folder; check the path")
        if p.is_dir():
            found = find_videos(p) + sorted(x for x in p.rglob("*") if x.suffix.lower() in RECORDING_EXTS)
            if not found:
                raise InputError(f"{p} holds no videos ({', '.join(VIDEO_EXTS)}) or recordings (.npz)")
            out += found
        else:
            out.append(p)
    return out


DEFAULT_MAX_FPS = 15.0  # offline analysis rate: reps last > 0.5 s; halves the work on 30 fps video


def analyze_path(path: Path, exercise: str, side: str = "auto", mode: str = "active", target: int = 10,
                 model: str | None = None, profile: str = "default", progress: bool = False,
                 image_mode: bool = False, max_fps: float | None = DEFAULT_MAX_FPS, view: str = "auto"):
    """One file → SetResult. Ctrl-C during the pose pass analyses the frames seen so far and
    re-raises with the partial result attached as ``exc.result``. ``view``: auto (the
    close-up method when the body is missing from most frames), body or closeup."""
    from tracker.app.closeup import analyze_closeup_video, fall_back
    from tracker.counting.offline import analyze_recording
    from tracker.pose.recording import is_recording, load_recording

    ex = get_exercise(exercise)
    if is_recording(path):
        if view == "closeup":
            raise UsageError(f"{path}: --view closeup needs the video; a landmark recording holds no pixels")
        rec = load_recording(path)
        return analyze_recording(rec, ex, side, mode, target, source=str(path), profile=profile)
    closeup_kw = dict(exercise=ex.key, side=side, mode=mode, target=target, profile=profile, progress=progress)
    if view == "closeup":
        return analyze_closeup_video(path, **closeup_kw)
    from tracker.app.paths import progress_bar
    from tracker.pose.estimator import PoseEstimator
    from tracker.pose.recording import record_video
    from tracker.sources.capture import open_source

    with open_source(path, max_fps=max_fps or None) as src, \
            PoseEstimator(model, mode="image" if image_mode else "video") as est:
        total = src.info.frame_count // getattr(src, "stride", 1) if src.info.frame_count else None
        with progress_bar(total, desc=path.name, enabled=None if progress else False) as bar:
            try:
                rec = record_video(src, est, progress=bar)
            except KeyboardInterrupt as exc:
                partial = getattr(exc, "partial", None)
                res = None
                if partial is not None and len(partial) > 1:
                    import dataclasses

                    res = analyze_recording(partial, ex, side, mode, target, source=str(path), profile=profile)
                    note = f"interrupted after {partial.t[-1]:.1f} s: only that part was analysed"
                    res.summary = dataclasses.replace(res.summary, warnings=res.summary.warnings + (note,))
                    res.warnings = res.warnings + (note,)
                exc.result = res
                raise
    if not rec.norm.size:
        raise InputError(f"{path} has no frames")
    res = analyze_recording(rec, ex, side, mode, target, source=str(path), profile=profile)
    return fall_back(path, res, **closeup_kw) if view == "auto" else res


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
    line = (f"{Path(res.info.source).name}: {res.info.exercise} ({res.info.side}, {res.info.mode}) "
            f"{s.reps_counted}/{res.info.target} reps{rom}" + (f" [{', '.join(flags)}]" if flags else "")
            + f"  (method: {res.info.method})")
    for w in res.warnings:
        line += f"\n  warning: {w}"
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

    @classmethod
    def from_args(cls, args) -> "AnalyzeOptions":
        return cls(annotate=args.annotate, plot=args.plot, json=args.json, jobs=args.jobs,
                   image_mode=args.image_mode, max_fps=args.max_fps, view=args.view)


def run_analyze(args) -> int:
    plan, opts = plan_options(args, live=False)
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


def _run_each(files, kw, done, failed) -> None:
    for f in files:
        try:
            done(analyze_path(f, progress=True, **kw))
        except TrackerError as exc:
            if len(files) == 1:
                raise
            failed(str(exc), " (skipped)")


class _Outputs:
    """Where each analysed set goes: the recorder (CSV, summary, history), the terminal, the
    plot. One object so that a set is saved the same way whichever way it was analysed."""

    def __init__(self, opts: SetOptions, ana: AnalyzeOptions, plan=None):
        self.opts, self.ana, self.plan = opts, ana, plan
        self.recorder = opts.recorder()
        self.results: list = []
        self.failures: list[str] = []

    def say(self, text: str) -> None:
        if not self.ana.json:
            print(text, flush=True)

    def done(self, res) -> None:
        if self.plan is not None:  # --plan: holds checked, the plan's step recorded
            apply_plan(res, self.plan)
        self.recorder.record(res.info, res.reps, res.summary)
        self.results.append(res)
        self.say(format_result(res))
        if self.ana.plot:
            from tracker.sinks.plot import plot_set

            csv_path = Path(self.opts.csv)
            png = csv_path.with_name(f"{csv_path.stem}_{Path(res.info.source).stem}.png")
            plot_set(res, png)
            self.say(f"  plot: {png}")

    def failed(self, message: str, suffix: str = "") -> None:
        self.failures.append(message)
        print(f"tracker: {message}{suffix}", file=sys.stderr)


def _check(paths: list[str], opts: SetOptions, ana: AnalyzeOptions) -> list[Path]:
    """Every input and output checked before the first frame."""
    from tracker.pose.model_files import resolve_model

    if opts.exercise is None:
        raise UsageError("--exercise is required")
    files = expand_inputs(paths)
    resolve_model(opts.model)  # a bad --model is an error even when only recordings are given
    opts.check_outputs(ana.annotate)
    if ana.annotate and len(files) != 1:
        raise UsageError("--annotate takes one input video at a time")
    if ana.plot and not opts.csv:
        raise UsageError("--plot writes PNGs next to the --csv file; give --csv too")
    return files


def analyze_files(paths: list[str], opts: SetOptions, ana: AnalyzeOptions, plan=None) -> int:
    """Analyse every input as one set each; returns the exit code."""
    files = _check(paths, opts, ana)
    out = _Outputs(opts, ana, plan)
    kw = dict(exercise=opts.exercise, side=opts.side, mode=opts.mode, target=opts.target, model=opts.model,
              profile=opts.profile, image_mode=ana.image_mode, max_fps=ana.max_fps, view=ana.view)
    try:
        if ana.jobs > 1 and len(files) > 1:
            _run_pool(files, kw, ana.jobs, out.done, out.failed)
        else:
            _run_each(files, kw, out.done, out.failed)
        if ana.annotate and out.results and out.results[0].recording is None:
            out.say("  annotated video: not available for the close-up method yet")
        elif ana.annotate and out.results:
            from tracker.sinks.video import annotate_video

            annotate_video(files[0], out.results[0], ana.annotate)
            out.say(f"  annotated video: {ana.annotate}")
    except KeyboardInterrupt as exc:
        if getattr(exc, "result", None) is not None:
            out.done(exc.result)
        print(f"tracker: interrupted; {sum(r.summary.reps_counted for r in out.results)} reps so far are saved"
              + (f" in {opts.csv}" if opts.csv else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        out.recorder.release()
    if ana.json:
        print(json.dumps({"sets": [result_json(r) for r in out.results], "failures": out.failures}, indent=1))
    if out.failures:
        print(f"tracker: {len(out.failures)} of {len(files)} files could not be analysed (see above)", file=sys.stderr)
        return 3
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser("analyze", help="count and measure reps in recorded videos, folders or recordings",
                       description="Count reps in recorded videos (or a folder of them, or a landmark "
                                   "recording made by 'tracker pose'); write per-rep and per-set CSV.")
    p.add_argument("paths", nargs="+", help="video file(s), folder(s) or .npz recording(s)")
    add_set_options(p, exercise_required=True)
    p.add_argument("--annotate", help="write the video with the overlay drawn on it (.mp4)")
    p.add_argument("--plot", action="store_true", help="a PNG per set (angle over time) next to the CSV")
    p.add_argument("--json", action="store_true", help="print results as JSON instead of text")
    p.add_argument("--jobs", type=int, default=1, help="files analysed in parallel processes (default 1)")
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
    out.mkdir(parents=True, exist_ok=True)
    print(f"Analysing the bundled sample {clip.name} ({ex.title}, {meta.get('reps')} reps, "
          f"{meta.get('side')} foot)...", flush=True)
    opts = SetOptions(exercise=ex.key, side=meta.get("side", "auto"), model=args.model, profile="demo",
                      csv=str(out / "reps.csv"), summary=str(out / "summary.csv"), history=False, force=True)
    code = analyze_files([str(clip)], opts, AnalyzeOptions(annotate=str(out / "annotated.mp4"), plot=True))
    if code == 0:
        print(f"Results are in {out}{os.sep}: reps.csv, summary.csv, reps_*.png, annotated.mp4")
    return code
