"""``tracker analyze FILE --routine``: one recording of a whole session, one set per exercise.

Why its own path through ``analyze``: a routine file is many sets, each with the exercise it
is recognised as (``tracker.counting.routine``), so one input gives several results; each is
saved exactly as a single set is (the same recorder: per-rep rows and a summary row per set,
with the set's exercise). A stretch no exercise fits, or one the recogniser is unsure of, is
said on the terminal (and in ``--json``) and never counted.
"""
from __future__ import annotations

from pathlib import Path

from tracker.errors import InputError, UsageError, printable


def check_routine(args) -> None:
    """``--routine`` recognises every set's exercise: refused with a named exercise or a plan
    (and, for now, with the per-file --plot and --annotate)."""
    if not getattr(args, "routine", False):
        return
    if args.exercise and args.exercise.strip().lower() != "auto":
        raise UsageError("--routine recognises each set's exercise; leave out --exercise "
                         "(or cut the set out and analyse it with --exercise)")
    if getattr(args, "plan", None):
        raise UsageError("--routine recognises the exercises itself; leave out --plan")
    if getattr(args, "view", "auto") == "closeup":
        raise UsageError("--routine needs the body in view; leave out --view closeup")
    if getattr(args, "plot", False) or getattr(args, "annotate", None):
        raise UsageError("--routine does not draw --plot or --annotate yet (one file holds many sets)")
    if getattr(args, "scheduler", None) or (getattr(args, "jobs", 1) or 1) > 1:
        raise UsageError("--routine analyses one file at a time on this computer; leave out --jobs and --scheduler")
    args.exercise = None


def load_or_pose(path: Path, model: str | None, max_fps: float | None, image_mode: bool, progress: bool):
    """The landmark recording of ``path``: read (``.npz``) or made by the pose model."""
    from tracker.pose.recording import is_recording, load_recording, record_video

    if is_recording(path):
        return load_recording(path)
    from tracker.app.paths import progress_bar
    from tracker.pose.estimator import PoseEstimator
    from tracker.sources.capture import open_source

    with open_source(path, max_fps=max_fps or None) as src, \
            PoseEstimator(model, mode="image" if image_mode else "video") as est:
        total = src.info.frame_count // getattr(src, "stride", 1) if src.info.frame_count else None
        with progress_bar(total, desc=path.name, enabled=None if progress else False) as bar:
            rec = record_video(src, est, progress=bar)
    if not rec.norm.size:
        raise InputError(f"{path} has no frames")
    return rec


def routine_results(path: Path, side: str = "auto", mode: str = "active", target: int = 10,
                    model: str | None = None, profile: str = "default", max_fps: float | None = None,
                    image_mode: bool = False, progress: bool = False) -> list:
    """In the recording's order: a SetResult per recognised set, a line per stretch not counted."""
    try:
        rec = load_or_pose(path, model, max_fps, image_mode, progress)
    except KeyboardInterrupt as exc:  # Ctrl-C while posing: the sets seen so far are kept
        partial = getattr(exc, "partial", None)
        if partial is not None and len(partial) > 1:
            try:
                items = _sets_of(partial, path, side, mode, target, profile)
                exc.results = [x for x in items if not isinstance(x, str)]
            except InputError:
                pass  # nothing recognised in what was seen
        raise
    return _sets_of(rec, path, side, mode, target, profile)


def _sets_of(rec, path: Path, side: str, mode: str, target: int, profile: str) -> list:
    from tracker.counting.routine import analyse_routine

    routine = analyse_routine(rec, side, mode, target, source=str(path), profile=profile)
    out: list = []
    n, k = sum(s.result is not None for s in routine.sets), 0  # sets are numbered among the counted ones
    for s in routine.sets:
        if s.result is None:
            out.append(f"{printable(path.name)}: {s.describe()}")
        else:
            k += 1
            res = numbered(s.result, k)
            out.append(res.with_warnings(f"set {k} of {n} in the recording, {s.describe()} (--routine)"))
    if all(isinstance(x, str) for x in out):
        found = "; ".join(out) if out else "no set found (no foot kept moving)"
        raise InputError(f"{printable(path)}: no exercise recognised in the recording: {found}")
    return out


def numbered(res, k: int):
    """The set's number in its recording on its info (the CSVs' ``recording_set`` column:
    two sets of one exercise in a recording are told apart). In place; returns ``res``."""
    from dataclasses import replace

    res.info = replace(res.info, recording_set=k)
    res.summary = replace(res.summary, info=res.info)
    return res


def run_routine(files: list[Path], kw: dict, done, failed, say) -> list[str]:
    """Each file's sets handed to ``done`` in order; returns the lines of stretches not counted."""
    from tracker.errors import each_file

    notes: list[str] = []
    kw = {k: v for k, v in kw.items() if k in ("side", "mode", "target", "model", "profile", "max_fps", "image_mode")}

    def one(f: Path) -> None:
        for item in routine_results(f, progress=True, **kw):
            if isinstance(item, str):
                say(item)  # "FILE: 12.3-20.6 s: unrecognised movement (...); not counted"
                notes.append(item)
            else:
                done(item)

    each_file(files, failed, one)
    return notes
