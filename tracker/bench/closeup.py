"""``python -m tracker.bench --closeup``: the close-up method against rendered truth and real clips.

Rendered close-ups (``tests/closeup_corpus``: small videos made by ``tools/render_samples.py
--closeup``, with their per-frame truth) give exact counts and angles; the three real
close-ups of ``../shared/clips`` give hand counts. Each clip runs through the offline
close-up path (``tracker analyze --view closeup``) and, frame by frame, through the live
one (``tracker live --view closeup``). Even seeds are the tune half, odd seeds the report half.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tracker.bench.accuracy import paired_angle_metrics, read_truth
from tracker.bench.clips import CLOSEUPS, PROJECT, SHARED, TRUTH

CLOSEUP_CORPUS = PROJECT / "tests" / "closeup_corpus"
# a negative is counted as the exercise its posture is for
NEGATIVE_AS = {"standing": "heel_raise", "seated": "toe_raise", "crossed": "dorsiflexion"}


@dataclass(frozen=True)
class CloseupCase:
    name: str
    video: Path
    exercise: str
    true_reps: int
    split: str  # "tune" | "report" | "real"
    truth_csv: Path | None = None
    truth_column: str | None = None
    truth_sign: int = 1
    conditions: str = ""  # view, feet, camera

    @property
    def negative(self) -> bool:
        return self.true_reps == 0


def discover_rendered(folder: Path = CLOSEUP_CORPUS, split: str = "both") -> list[CloseupCase]:
    """Every ``<name>_meta.json`` with its video: even seeds tune, odd seeds report."""
    cases = []
    for meta_path in sorted(Path(folder).glob("*_meta.json")):
        meta = json.loads(meta_path.read_text())
        stem = meta_path.name[: -len("_meta.json")]
        video = meta_path.with_name(stem + ".mp4")
        if not video.exists():
            continue
        sp = "tune" if int(meta["seed"]) % 2 == 0 else "report"
        if split not in ("both", sp):
            continue
        feet = "bare" if meta["outfit"].get("socks") is None else "socks"
        cond = f"{meta['view']}, {feet}, {'shake %g°' % meta['shake_deg'] if meta.get('shake_deg') else 'still'}"
        if meta.get("exercise"):
            col, sign = TRUTH[meta["exercise"]]
            cases.append(CloseupCase(stem, video, meta["exercise"], int(meta["reps_true"]), sp,
                                     meta_path.with_name(stem + "_gt.csv.gz"), col, sign, cond))
        else:
            cases.append(CloseupCase(stem, video, NEGATIVE_AS[meta["posture"]], 0, sp, conditions=cond))
    return cases


def discover_real() -> list[CloseupCase]:
    """The real close-ups of ../shared/clips with their hand counts (none when absent)."""
    import csv

    labels = SHARED / "clips" / "labels.csv"
    if not labels.exists():
        return []
    with open(labels, newline="") as f:
        rows = [r for r in csv.DictReader(f) if Path(r["file"]).stem in CLOSEUPS]
    return [CloseupCase(Path(r["file"]).stem, labels.parent / r["file"], r["exercise"], int(r["reps"]), "real",
                        conditions=r["view"]) for r in rows if (labels.parent / r["file"]).exists()]


def run_case(case: CloseupCase, live: bool = True) -> dict:
    """One clip through the offline close-up path (and the live one): counts, angle metrics."""
    import time

    from tracker.app.closeup import analyze_closeup_video

    t0 = time.perf_counter()
    res = analyze_closeup_video(case.video, case.exercise)
    wall = time.perf_counter() - t0
    n = res.summary.reps_counted
    row = {"clip": case.name, "split": case.split, "exercise": case.exercise, "conditions": case.conditions,
           "true": case.true_reps, "counted": n, "exact": n == case.true_reps, "frames": len(res.t),
           "ms_per_frame": 1000 * wall / max(1, len(res.t))}
    if case.truth_csv is not None:
        truth = read_truth(case.truth_csv, case.truth_column, case.truth_sign)
        am = paired_angle_metrics(*truth, res.t, res.direction * res.signal) if truth else None
        if am:  # the image's rotation sign is the camera's: the direction is learned
            am["gain"], am["r"] = abs(am["gain"]), abs(am["r"])
            row.update(am)
    if live:
        lv = live_closeup_count(case.video, case.exercise)
        row.update(live_counted=lv["counted"], live_exact=lv["counted"] == case.true_reps,
                   live_ms_per_frame=lv["ms_per_frame"])
    return row


def summarize(rows: list[dict]) -> dict:
    pos = [r for r in rows if r["true"] > 0]
    neg = [r for r in rows if r["true"] == 0]
    ang = [r for r in pos if "gain" in r]
    out = {"clips": len(rows), "positives": len(pos),
           "exact": float(np.mean([r["exact"] for r in pos])) if pos else None,
           "false_reps_negative": sum(r["counted"] for r in neg), "negatives": len(neg),
           "gain_median": float(np.median([r["gain"] for r in ang])) if ang else None,
           "rmse_median": float(np.median([r["rmse_deg"] for r in ang])) if ang else None,
           "angle_ok": sum(0.8 <= r["gain"] <= 1.2 and r["rmse_deg"] <= 4 for r in ang), "angle_scored": len(ang)}
    if rows and "live_counted" in rows[0]:
        out["live_exact"] = float(np.mean([r["live_exact"] for r in pos])) if pos else None
        out["live_false_reps_negative"] = sum(r["live_counted"] for r in neg)
    return out


def markdown(rows: list[dict]) -> str:
    live = bool(rows) and "live_counted" in rows[0]
    head = "| split | clip | exercise | conditions | true | offline | live | gain | RMSE° | ms/frame |"
    lines = [head if live else head.replace(" live |", ""), "|---" * (10 if live else 9) + "|"]
    f = lambda r, k, fmt: format(r[k], fmt) if k in r else ""  # noqa: E731
    for r in rows:
        mark = lambda n, true=r["true"]: f"{n}" + ("" if n == true else " ✗")  # noqa: E731
        cells = [r["split"], r["clip"], r["exercise"], r["conditions"], str(r["true"]), mark(r["counted"])]
        cells += [mark(r["live_counted"])] if live else []
        cells += [f(r, "gain", ".2f"), f(r, "rmse_deg", ".1f"), f(r, "ms_per_frame", ".0f")]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| split | clips | exact (positives) | false reps on negatives | median gain | median RMSE° | "
                  "gain 0.8-1.2 and RMSE ≤ 4° |" + (" live exact | live false reps |" if live else ""),
              "|---" * (9 if live else 7) + "|"]
    pct = lambda v: "" if v is None else f"{100 * v:.0f}%"  # noqa: E731
    num = lambda v, fmt: "" if v is None else format(v, fmt)  # noqa: E731
    for sp in ("tune", "report", "real"):
        s = summarize([r for r in rows if r["split"] == sp])
        if not s["clips"]:
            continue
        line = (f"| {sp} | {s['clips']} | {pct(s['exact'])} of {s['positives']} | {s['false_reps_negative']} "
                f"on {s['negatives']} | {num(s['gain_median'], '.2f')} | {num(s['rmse_median'], '.1f')} | "
                f"{s['angle_ok']} of {s['angle_scored']} |")
        if live:
            line += f" {pct(s.get('live_exact'))} | {s.get('live_false_reps_negative', '')} |"
        lines.append(line)
    return "\n".join(lines)


def live_closeup_count(video, exercise: str) -> dict:
    """A video file as the camera through ``tracker live --view closeup``'s own session and
    loop (every frame, as fast as possible): reps counted and ms per frame (the benchmark)."""
    import time

    from tracker.app.live.loop import run_session
    from tracker.app.live.screen import Screen
    from tracker.app.live.session import LiveSession
    from tracker.sources.capture import open_source

    session = LiveSession(None, exercise, source=str(video), view="closeup")
    frames = []
    with open_source(video) as src:
        t0 = time.perf_counter()
        run_session(session, src, Screen(), realtime=False, on_frame=lambda f, timing: frames.append(timing))
        wall = time.perf_counter() - t0
    return {"counted": sum(s.reps_counted for s in session.sets), "frames": len(frames),
            "ms_per_frame": 1000 * wall / max(1, len(frames)), "sets": session.sets}
