"""Accuracy: every clip counted offline and live, against its known count and angles.

Counting is judged as ``tracker analyze`` counts (same analysis rate) and as the live
session counts (the landmarks of every video frame, as a camera feeds them, played frame
by frame through ``LiveSession``): true
vs counted reps, exact and off-by-one, MAE normalised by the true count, false reps where
nothing (or another exercise) is done; on rendered clips the angle RMSE after removing a
constant offset, the offset, and the gain (slope of measured on true angle), with the
truth interpolated at each measured frame's time (frames paired by timestamp).
"""
from __future__ import annotations

import csv
import gzip
import time
from pathlib import Path

import numpy as np

from tracker.bench.clips import CLOSEUPS, Clip
from tracker.counting.offline import analyze_recording
from tracker.exercises import get_exercise


def read_truth(path: Path, column: str, sign: int = 1) -> tuple[np.ndarray, np.ndarray] | None:
    """(time_s, sign * column) of a per-frame truth CSV (``.csv`` or ``.csv.gz``); None when
    the file, the column or the ``time_s`` column is missing."""
    if path is None or not Path(path).exists():
        return None
    with (gzip.open if str(path).endswith(".gz") else open)(path, "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or column not in rows[0] or "time_s" not in rows[0]:
        return None
    t = np.array([float(r["time_s"]) for r in rows])
    return t, sign * np.array([float(r[column]) for r in rows])


def true_holds(path: Path) -> list[tuple[float, float, float]]:
    """(start_s, end_s, hold_s) of every rep in a per-frame truth file: the rep's span and
    how long its ``phase`` was "hold" (frames over the frame rate)."""
    if path is None or not Path(path).exists():
        return []
    with (gzip.open if str(path).endswith(".gz") else open)(path, "rt", newline="") as f:
        rows = [r for r in csv.DictReader(f) if int(r.get("rep") or 0) > 0]
    reps: dict[int, list[tuple[float, bool]]] = {}
    for r in rows:
        reps.setdefault(int(r["rep"]), []).append((float(r["time_s"]), r.get("phase") == "hold"))
    out = []
    for frames in reps.values():
        t = np.array([f[0] for f in frames])
        dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
        out.append((float(t[0]), float(t[-1]), dt * sum(f[1] for f in frames)))
    return out


def hold_errors(holds: list[tuple[float, float, float]], reps) -> list[tuple[float, float]]:
    """(true hold, measured hold) for each counted rep whose peak falls inside a true rep."""
    pairs = []
    for r in reps:
        if r.counted:
            for start, end, hold in holds:
                if start <= r.peak_t <= end:
                    pairs.append((hold, r.hold_s))
                    break
    return pairs


def paired_angle_metrics(t_truth: np.ndarray, truth: np.ndarray, t: np.ndarray, measured: np.ndarray) -> dict | None:
    """RMSE after removing a constant offset, the offset, the gain and r of ``measured`` (at
    times ``t``) against the truth, interpolated at those times: frames are paired by
    timestamp, never by index (a 30 fps truth against a clip analysed at 15 fps)."""
    t, measured = np.asarray(t, float), np.asarray(measured, float)
    order = np.argsort(t_truth)
    t_truth, truth = np.asarray(t_truth, float)[order], np.asarray(truth, float)[order]
    inside = (t >= t_truth[0] - 1e-6) & (t <= t_truth[-1] + 1e-6)
    tr = np.full(len(t), np.nan)
    tr[inside] = np.interp(t[inside], t_truth, truth)
    ok = np.isfinite(measured) & np.isfinite(tr)
    if ok.sum() < 10 or np.ptp(tr[ok]) < 1e-6:
        return None
    m, tr = measured[ok], tr[ok]
    offset = float(np.mean(m - tr))
    rmse = float(np.sqrt(np.mean((m - tr - offset) ** 2)))
    gain = float(np.polyfit(tr, m, 1)[0])
    r = float(np.corrcoef(tr, m)[0, 1]) if np.ptp(m) > 0 else 0.0
    return {"rmse_deg": rmse, "offset_deg": offset, "gain": gain, "r": r}


def angle_metrics(clip, t: np.ndarray, measured: np.ndarray) -> dict | None:
    """``paired_angle_metrics`` against the clip's rendered truth (None without one)."""
    if clip.truth_csv is None or not clip.truth_column:
        return None
    truth = read_truth(clip.truth_csv, clip.truth_column, clip.truth_sign)
    return paired_angle_metrics(*truth, t, measured) if truth else None


def run_accuracy(clips: list[Clip], model: str, use_cache: bool = True, log=print,
                 max_fps: float | None = None, live_every_frame: bool = True) -> list[dict]:
    """Count every clip as ``tracker analyze`` would (same analysis rate by default), and live
    as a camera would feed it: every frame of the video (``live_every_frame``; else the
    landmarks taken at the analysis rate)."""
    from tracker.app.analyze import DEFAULT_MAX_FPS
    from tracker.pose.cache import cached_recording

    max_fps = DEFAULT_MAX_FPS if max_fps is None else (max_fps or None)
    rows = []
    for clip in clips:
        if not clip.path.exists():
            continue
        rec = cached_recording(clip.path, model, use_cache=use_cache, max_fps=max_fps)
        ex = get_exercise(clip.exercise)
        t0 = time.perf_counter()
        res = analyze_recording(rec, ex, side=clip.side, source=str(clip.path))
        t_count = time.perf_counter() - t0
        counted = res.summary.reps_counted
        live_rec = cached_recording(clip.path, model, use_cache=use_cache, max_fps=None) \
            if live_every_frame and max_fps else rec
        live = live_set(live_rec, ex, clip.side)
        row = {"clip": clip.name, "group": clip.group, "exercise": clip.exercise, "model": model,
               "true": clip.true_reps, "counted": counted, "low_conf": res.summary.reps_low_confidence,
               "expect": clip.expect, "wrong_view": clip.wrong_view, "side": res.info.side,
               "warnings": list(res.warnings), "count_ms": 1000 * t_count, "frames": len(rec),
               "live_frames": len(live_rec),
               "live_counted": live.reps_counted, "live_low_conf": live.reps_low_confidence,
               "live_side": live.info.side, "live_warnings": list(live.warnings)}
        if clip.true_reps is not None:
            err = counted - clip.true_reps
            row.update(exact=err == 0, obo=abs(err) <= 1, abs_err=abs(err),
                       mae_norm=abs(err) / clip.true_reps if clip.true_reps else None)
        row.update(_closeup_row(clip))
        row["ok"] = judge(clip, counted, res.warnings)
        row["live_ok"] = judge(clip, live.reps_counted, live.warnings)
        # in the rep direction, so gain > 0 means the movement is seen the right way round
        am = angle_metrics(clip, res.t, res.direction * res.signal)
        if am and ex.rep_direction(res.info.side) == 0:
            am["gain"], am["r"] = abs(am["gain"]), abs(am["r"])  # direction learned, sign arbitrary
        if am:
            row.update(am)
        rows.append(row)
        log(_row_line(row))
    return rows


def _closeup_row(clip: Clip) -> dict:
    """A real close-up of the feet also through the close-up method, which `tracker analyze`
    falls back to when the pose model finds no body (issue 14's benchmark rows)."""
    if clip.name not in CLOSEUPS:
        return {}
    from tracker.app.closeup import analyze_closeup_video

    return {"closeup_counted": analyze_closeup_video(clip.path, clip.exercise, clip.side).summary.reps_counted}


def judge(clip, counted: int, warnings) -> bool | None:
    """Right answer? A wrong view must be warned and not counted; a negative counts 0."""
    if clip.wrong_view:
        return any("wrong camera view" in w for w in warnings) and counted == 0
    if clip.expect == "none":
        return counted == 0
    if clip.expect == "count" and clip.true_reps is not None:
        return counted == clip.true_reps
    return None


def live_set(rec, ex, side: str, reps: list | None = None):
    """The live session over the same landmarks, frame by frame (no model, no window): the
    path patients use, through the code it runs behind a camera. Returns its SetSummary;
    ``reps``, if given, receives every rep it saved (counted or not)."""
    from tracker.app.live.session import LiveSession
    from tracker.pose.replay import RecordingEstimator, replay_frames

    on_rep = None if reps is None else (lambda _session, rep: reps.append(rep))
    sess = LiveSession(RecordingEstimator(rec), ex.key, side=side, source="benchmark", on_rep=on_rep)
    image = np.full((rec.height, rec.width, 3), 128, np.uint8)
    for frame in replay_frames(rec, image):
        sess.step(frame)
    return sess.finish()[-1]


def _row_line(r: dict) -> str:
    ang = f" rmse {r['rmse_deg']:.1f} off {r['offset_deg']:+.1f} gain {r['gain']:.2f}" if "rmse_deg" in r else ""
    return f"  {r['model']:5s} {r['clip']:45s} {r['exercise']:12s} true {str(r['true']):>4s} " \
           f"counted {r['counted']:2d} " \
           f"(+{r['low_conf']} low) {_mark(r['ok'])}; live {r['live_counted']:2d} {_mark(r['live_ok'])}{ang}"


def _mark(ok) -> str:
    return "OK" if ok else ("--" if ok is None else "FAIL")


PATHS = {"offline": "", "live": "live_"}  # the benchmark judges both: row keys per path


def summarize(rows: list[dict], path: str = "offline") -> dict:
    k = PATHS[path]
    scored = [r for r in rows if r.get("true") is not None and r["expect"] == "count" and not r["wrong_view"]]
    neg = [r for r in rows if r["expect"] == "none"]
    other = [r for r in rows if r["expect"] == "other"]
    wrong = [r for r in rows if r["wrong_view"]]
    errs = [r[k + "counted"] - r["true"] for r in scored]
    return {
        "clips_scored": len(scored),
        "exact_rate": float(np.mean([e == 0 for e in errs])) if scored else None,
        "obo_rate": float(np.mean([abs(e) <= 1 for e in errs])) if scored else None,
        "mae_norm": float(np.mean([abs(e) / r["true"] for e, r in zip(errs, scored) if r["true"]])) if scored else None,
        "false_reps_negative": int(sum(r[k + "counted"] for r in neg)),
        "false_reps_other_exercise": int(sum(r[k + "counted"] for r in other)),
        "wrong_view_handled": f"{sum(bool(r[k + 'ok']) for r in wrong)}/{len(wrong)}",
    }


def _result(r: dict, k: str) -> str:
    n, ok = r[k + "counted"], r[k + "ok"]
    if r["wrong_view"]:
        return "warned, not counted" if ok else "NOT warned"
    if r["expect"] == "none":
        return "0 false" if ok else f"{n} FALSE"
    if r["expect"] == "other":
        return f"{n} (other exercise)"
    if r.get("true") is None:
        return ""
    return "exact" if n == r["true"] else ("OBO" if abs(n - r["true"]) <= 1 else "miss")


def markdown_accuracy(rows: list[dict]) -> str:
    lines = ["| clip | group | exercise | model | true | offline | result | live | live result | low-conf "
             "(offline / live) | angle RMSE° | offset° | gain |", "|---" * 13 + "|"]
    for r in rows:
        f = lambda k, fmt, r=r: (fmt.format(r[k]) if k in r else "")
        lines.append(f"| {r['clip']} | {r['group']} | {r['exercise']} | {r['model']} | "
                     f"{'' if r['true'] is None else r['true']} | {r['counted']} | {_result(r, '')} | "
                     f"{r['live_counted']} | {_result(r, 'live_')} | {r['low_conf']} / {r['live_low_conf']} | "
                     f"{f('rmse_deg', '{:.1f}')} | {f('offset_deg', '{:+.1f}')} | {f('gain', '{:.2f}')} |")
    return "\n".join(lines)


def markdown_closeups(rows: list[dict]) -> str:
    """The real close-ups: the pose path's count beside the close-up method's."""
    have = [r for r in rows if "closeup_counted" in r]
    if not have:
        return ""
    lines = ["| close-up clip | exercise | true | pose path (offline) | close-up method | result |", "|---" * 6 + "|"]
    for r in have:
        n = r["closeup_counted"]
        res = "exact" if n == r["true"] else ("OBO" if abs(n - r["true"]) <= 1 else "miss")
        lines.append(f"| {r['clip']} | {r['exercise']} | {r['true']} | {r['counted']} | {n} | {res} |")
    return "\n".join(lines)


def markdown_summary(summ: dict[str, dict]) -> str:
    lines = ["| model | path | clips scored | exact | off-by-one | MAE/true | false reps (no exercise) | "
             "reps on other exercises | wrong view handled |", "|---|---|---|---|---|---|---|---|---|"]
    pct = lambda v: "" if v is None else f"{100 * v:.0f}%"  # noqa: E731
    for model, by_path in summ.items():
        for path, s in by_path.items():
            lines.append(f"| {model} | {path} | {s['clips_scored']} | {pct(s['exact_rate'])} | {pct(s['obo_rate'])} | "
                         f"{'' if s['mae_norm'] is None else format(s['mae_norm'], '.3f')} | "
                         f"{s['false_reps_negative']} | {s['false_reps_other_exercise']} | {s['wrong_view_handled']} |")
    return "\n".join(lines)
