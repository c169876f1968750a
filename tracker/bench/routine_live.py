"""``python -m tracker.bench --routine``, live: each whole session played as the camera through
``tracker live --routine`` (the landmarks through ``tracker.pose.replay``, the clip's side given).

Why twice: started on the routine's first exercise (dorsiflexion, as ``tracker live --routine``
starts) a clip that begins in another position never shows the current exercise's position,
so the session never moves on (a first look is not trusted); started on the clip's first
exercise (``--exercise X --routine``) every change of position is put to the test. Per truth
set: the exercise the session was on at the set's middle, the reps counted in the set (``pad``
around it: ``routine.TRANSITION_PAD_S``) under that exercise and under others; a count is exact
only when the exercise is right and no rep of another is counted there. Reps counted outside
every truth set are reps in transitions. Tune on the ``tune`` half only; report both.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tracker.pose.recording import load_recording


def replay(npz: Path, meta: dict, first: str) -> tuple[list, list]:
    """The session's exercise at each change [(t, exercise)] and its reps [(exercise, Rep)]."""
    from tracker.app.live.session import LiveSession
    from tracker.pose.replay import RecordingEstimator, replay_frames

    rec = load_recording(npz)
    reps, seen = [], []
    sess = LiveSession(RecordingEstimator(rec), first, routine=True, target=10, side=meta["side"],
                       source="routine clip", on_rep=lambda s, r: reps.append((s.exercise.key, r)))
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        sess.step(frame)
        if not seen or seen[-1][1] != sess.exercise.key:
            seen.append((round(float(frame.t), 2), sess.exercise.key))
        if sess.quit:
            break
    sess.finish()
    return seen, reps


def score(meta: dict, seen: list, reps: list, pad: float) -> dict:
    spans = [(s["start_s"] - pad, s["end_s"] + pad) for s in meta["sets"] if s["exercise"]]
    sets = []
    for s in meta["sets"]:
        a, b = s["start_s"] - pad, s["end_s"] + pad
        inside = [ex for ex, r in reps if r.counted and a <= r.peak_t <= b]
        mid = 0.5 * (s["start_s"] + s["end_s"])
        on = [ex for t, ex in seen if t <= mid][-1]
        truth = s["exercise"]
        right = sum(ex == truth for ex in inside)
        exact = on == truth and right == s["reps"] == len(inside)
        sets.append({"exercise": truth or s["motion"], "reps": s["reps"], "on": on, "counted": right,
                     "counted_as_other": len(inside) - right, "exercise_ok": on == truth if truth else not inside,
                     "count_ok": exact if truth else not inside})
    stray = [(ex, round(r.peak_t, 1)) for ex, r in reps if r.counted and not any(a <= r.peak_t <= b for a, b in spans)]
    return {"changes": seen, "sets": sets, "reps_in_transitions": stray}


def run_clip_live(npz: Path, meta: dict, pad: float) -> dict:
    """Both starts (module docstring): ``from_routine_start`` and ``from_clip_start``."""
    return {start: score(meta, *replay(npz, meta, first), pad)
            for start, first in (("from_routine_start", "dorsiflexion"),
                                 ("from_clip_start", meta["sets"][0]["exercise"] or "dorsiflexion"))}


def totals(rows: list[dict], start: str) -> dict:
    sets = [s for r in rows for s in r["live"][start]["sets"]]
    return {"sets": len(sets), "exercise_ok": sum(s["exercise_ok"] for s in sets),
            "count_ok": sum(s["count_ok"] for s in sets),
            "reps_in_transitions": sum(len(r["live"][start]["reps_in_transitions"]) for r in rows)}


def markdown_live(rows: list[dict]) -> str:
    starts = ("from_routine_start", "from_clip_start")
    lines = ["| clip | split | view | live from dorsiflexion: exercise (counted) | exercise right | count exact | "
             "reps in transitions | live from the clip's first: exercise (counted) | exercise right | count exact | "
             "reps in transitions |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = []
        for start in starts:
            live = r["live"][start]
            n = len(live["sets"])
            got = ", ".join(f"{s['on']} {s['counted']}" + (f"+{s['counted_as_other']}" if s["counted_as_other"] else "")
                            for s in live["sets"])
            cells.append(f"{got} | {sum(s['exercise_ok'] for s in live['sets'])}/{n} | "
                         f"{sum(s['count_ok'] for s in live['sets'])}/{n} | {len(live['reps_in_transitions'])}")
        lines.append(f"| {r['clip']} | {r['split']} | {r['view']} | {cells[0]} | {cells[1]} |")
    for split in ("tune", "report"):
        part = [r for r in rows if r["split"] == split]
        if part:
            cells = []
            for start in starts:
                t = totals(part, start)
                cells.append(f"{t['sets']} sets | {t['exercise_ok']}/{t['sets']} | {t['count_ok']}/{t['sets']} | "
                             f"{t['reps_in_transitions']}")
            lines.append(f"| **{split}** ({len(part)} clips) | | | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)
