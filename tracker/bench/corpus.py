"""The generated evaluation corpus (``tests/corpus``): clips nobody tuned the counter to.

Per clip ``<name>``: ``<name>.npz`` (landmarks of every video frame, full model),
``<name>_meta.json`` (the renderer's meta plus ``split`` tune/report, ``count_as``,
``expect`` count/none and ``conditions``) and ``<name>_gt.csv.gz`` (per-frame truth);
``manifest.csv`` lists the clips. Each (clip, ``count_as`` exercise) is one case, counted
twice from the same landmarks with no model: **offline** exactly as ``tracker analyze``
counts the video (landmarks subsampled to its default analysis rate, ``side`` auto) and
**live** through ``LiveSession`` on every frame, as a camera feeds it.
"""
from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tracker.bench.accuracy import hold_errors, judge, live_set, paired_angle_metrics, read_truth, true_holds
from tracker.bench.clips import PROJECT, RENDERED_EXERCISE, TRUTH
from tracker.counting.offline import analyze_recording
from tracker.errors import InputError
from tracker.exercises import EXERCISES, get_exercise
from tracker.pose.recording import PoseRecording, load_recording
from tracker.sources.capture import analysis_stride

CORPUS = Path(os.environ.get("TRACKER_CORPUS", PROJECT / "tests" / "corpus"))
SPLITS = ("tune", "report")
ROUTES = ("offline", "live")  # the two counting paths every case runs through


@dataclass
class CorpusCase:
    """One clip counted as one of its ``count_as`` exercises."""

    name: str  # the clip, or "clip[exercise]" when it is counted as several
    clip: str
    recording: Path
    exercise: str
    split: str  # "tune" | "report"
    expect: str  # "count" | "none" (a negative: 0 reps)
    true_reps: int
    side: str  # the exercising side from the meta ("left"/"right"), "auto" if unknown
    conditions: dict = field(default_factory=dict)
    truth_csv: Path | None = None
    truth_column: str | None = None
    truth_sign: int = 1
    wrong_view: bool = False  # must be warned and not counted


def is_wrong_view(exercise: str, view: str | None) -> bool:
    """A side-view exercise filmed from the front (or the reverse): it must be warned."""
    need = EXERCISES[exercise].view
    return need in ("side", "front") and view in ("side", "front") and view != need


def manifest_clips(folder: str | os.PathLike | None = None) -> list[str]:
    """The clip names ``manifest.csv`` lists (column ``name``, ``clip`` or ``file``, else the first)."""
    path = Path(folder or CORPUS) / "manifest.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return []
    col = next((c for c in ("name", "clip", "file") if c in rows[0]), next(iter(rows[0])))
    return [_stem(r[col]) for r in rows if r.get(col)]


def _stem(name: str) -> str:
    name = Path(name.strip()).name
    for suffix in ("_meta.json", "_gt.csv.gz", ".npz", ".mp4"):
        name = name.removesuffix(suffix)
    return name


def discover_corpus(folder: str | os.PathLike | None = None, split: str = "both") -> list[CorpusCase]:
    """Every case of the corpus in ``folder`` (default ``tests/corpus``); [] when it is absent.
    A clip whose ``.npz`` is missing still yields its cases (they fail to load and say so)."""
    folder = Path(folder or CORPUS)
    cases: list[CorpusCase] = []
    for meta_path in sorted(folder.glob("*_meta.json")) if folder.is_dir() else []:
        try:
            meta = json.loads(meta_path.read_text())
            if split == "both" or meta.get("split") == split:
                cases += cases_of(meta_path, meta)
        except (OSError, ValueError, KeyError, StopIteration) as exc:
            raise InputError(f"bad corpus entry {meta_path}: {type(exc).__name__} {exc}") from exc
    return cases


def cases_of(meta_path: Path, meta: dict) -> list[CorpusCase]:
    clip = meta_path.name.removesuffix("_meta.json")
    base = meta_path.with_name(clip)
    cond = dict(meta.get("conditions") or {})
    expect = meta.get("expect", "count")
    count_as = meta.get("count_as") or [meta["exercise"]]
    true = 0 if expect == "none" else int(next(meta[k] for k in ("reps_true", "expected_reps", "reps") if k in meta))
    side = {"L": "left", "R": "right", "left": "left", "right": "right"}.get(meta.get("side"), "auto")
    truth = base.with_name(clip + "_gt.csv.gz")
    out = []
    for ex in count_as:
        key = get_exercise(RENDERED_EXERCISE.get(ex, ex)).key  # the renderer's names too
        column, sign = TRUTH[key]
        wrong = expect == "count" and is_wrong_view(key, cond.get("view", meta.get("view")))
        out.append(CorpusCase(clip if len(count_as) == 1 else f"{clip}[{key}]", clip, base.with_suffix(".npz"),
                              key, meta.get("split", "report"), expect, true, side, cond,
                              truth if truth.exists() else None, column, sign, wrong))
    return out


def subsample(rec: PoseRecording, max_fps: float | None) -> PoseRecording:
    """The recording as ``tracker analyze`` would have taken it from the video at ``max_fps``:
    the source frames 0, s, 2s, ... (by their frame index, the stride ``open_source`` uses),
    keeping their timestamps; meta's fps and stride say so. Pure: ``rec`` is not changed."""
    src = dict(rec.meta.get("source", {}))
    stride = analysis_stride(rec.fps, max_fps)
    if stride == 1:
        return rec
    keep = (rec.index - rec.index[0]) % stride == 0
    src.update(fps=rec.fps / stride, stride=int(src.get("stride", 1)) * stride)
    out = rec.take(keep)
    out.meta["source"] = src
    return out


def _route(counted: int, summary, reps, warnings, side: str, case: CorpusCase, holds: list) -> dict:
    notes = Counter(r.note for r in reps if r.note)
    return {"counted": counted, "low_conf": summary.reps_low_confidence, "compensated": summary.compensated,
            "assisted": summary.assisted, "notes": dict(notes), "warnings": list(warnings), "side": side,
            "ok": judge(case, counted, warnings), "holds": hold_errors(holds, reps)}


def run_case(case: CorpusCase, rec: PoseRecording, max_fps: float | None, side: str = "auto") -> dict:
    """Offline (subsampled to ``max_fps``) and live (every frame) counts of one case."""
    ex = EXERCISES[case.exercise]
    side = case.side if side == "known" else "auto"
    off = subsample(rec, max_fps)
    res = analyze_recording(off, ex, side=side, source=str(case.recording))
    live_reps: list = []
    live = live_set(rec, ex, side, live_reps)
    row = _row(case)
    holds = true_holds(case.truth_csv) if case.expect == "count" else []
    row.update(frames=len(rec), offline_frames=len(off),
               offline=_route(res.summary.reps_counted, res.summary, res.reps, res.warnings, res.info.side, case,
                              holds),
               live=_route(live.reps_counted, live, live_reps, live.warnings, live.info.side, case, holds))
    truth = read_truth(case.truth_csv, case.truth_column, case.truth_sign) if case.expect == "count" else None
    am = paired_angle_metrics(*truth, res.t, res.direction * res.signal) if truth else None
    if am and ex.rep_direction(res.info.side) == 0:
        am["gain"], am["r"] = abs(am["gain"]), abs(am["r"])  # direction learned, sign arbitrary
    row.update(am or {})
    return row


def _row(case: CorpusCase) -> dict:
    return {"name": case.name, "clip": case.clip, "split": case.split, "exercise": case.exercise,
            "expect": case.expect, "true": case.true_reps, "wrong_view": case.wrong_view, "side_true": case.side,
            "conditions": case.conditions}


def run_clip(job: tuple) -> list[dict]:
    """All cases of one clip (the recording is loaded once); a clip that cannot be loaded or
    counted still gives one row per case, with ``error`` set."""
    cases, max_fps, side = job
    t0 = time.perf_counter()
    try:
        rec = load_recording(cases[0].recording)
        rows = [run_case(c, rec, max_fps, side) for c in cases]
    except Exception as exc:  # reported per clip in the tables, never a traceback
        rows = [dict(_row(c), error=f"{type(exc).__name__}: {exc}") for c in cases]
    for r in rows:
        r["seconds"] = (time.perf_counter() - t0) / len(rows)
    return rows


def run_corpus(cases: list[CorpusCase], max_fps: float | None = None, jobs: int | None = None,
               side: str = "auto", log=None) -> list[dict]:
    """Every case offline and live, clips spread over ``jobs`` processes (default: all
    cores); rows in the order of ``cases``. ``max_fps`` defaults to ``tracker analyze``'s."""
    from tracker.app.analyze import DEFAULT_MAX_FPS

    max_fps = DEFAULT_MAX_FPS if max_fps is None else (max_fps or None)
    by_clip: dict[str, list[CorpusCase]] = {}
    for c in cases:
        by_clip.setdefault(c.clip, []).append(c)
    work = [(cs, max_fps, side) for cs in by_clip.values()]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    _preload()
    if jobs == 1:
        results = map(run_clip, work)
        return _collect(results, log)
    with ProcessPoolExecutor(jobs) as pool:
        return _collect(pool.map(run_clip, work, chunksize=1), log)


def _preload() -> None:
    """Import what the first count imports lazily (the live session, scipy's filters) once,
    before the worker processes fork, instead of once in each (seconds on a busy machine)."""
    import importlib

    for name in ("tracker.app.live.session", "tracker.pose.replay", "scipy.signal"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _collect(results, log) -> list[dict]:
    rows = []
    for clip_rows in results:
        rows += clip_rows
        if log is not None:
            for r in clip_rows:
                log(_line(r))
    return rows


def _line(r: dict) -> str:
    if "error" in r:
        return f"  {r['name']:50s} ERROR {r['error']}"
    o, li = r["offline"], r["live"]
    return (f"  {r['split']:6s} {r['name']:50s} {r['exercise']:12s} true {r['true']:2d} "
            f"offline {o['counted']:2d} live {li['counted']:2d} ({r['seconds']:.1f} s)")


def angle_columns(rows: list[dict]) -> dict:
    """Medians of gain, RMSE after offset and r over the rows that have them."""
    have = [r for r in rows if "gain" in r]
    med = lambda k: float(np.median([r[k] for r in have])) if have else None  # noqa: E731
    return {"n_angle": len(have), "gain": med("gain"), "rmse_deg": med("rmse_deg"), "r": med("r")}
