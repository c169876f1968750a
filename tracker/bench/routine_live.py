"""``python -m tracker.bench --routine``, live: each whole session played as the camera through
``tracker live --routine`` (the landmarks through ``tracker.pose.replay``).

Three starts (``STARTS``): on the routine's first exercise (dorsiflexion) with ``--side auto``, as
a user types ``tracker live --routine``; the same with the clip's side given (the figures before
``--side auto`` was measured); on the clip's first exercise (``--exercise X --routine``, its side),
which puts every change of position to the test. A session started on dorsiflexion in
another position moves there only when that exercise counts a rep (``position_watch.StartCandidate``).
Per truth set: the exercise the session was on at the set's middle, the reps counted in the set
(``pad`` around it: ``routine.TRANSITION_PAD_S``) under that exercise and under others; a count
is exact only when the exercise is right and no rep of another is counted there. Reps counted
outside every truth set are reps in transitions; flagged ones there are reported too, and the
rows written beyond one per truth set of an exercise (a wrong move's set). Tune on the ``tune``
half only; report both.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tracker.pose.recording import load_recording

STARTS = {"from_routine_start": ("dorsiflexion", "auto"), "from_routine_start_side": ("dorsiflexion", None),
          "from_clip_start": (None, None)}  # (first exercise, side): None is the clip's


def replay(npz: Path, meta: dict, first: str, side: str | None = None) -> tuple[list, list, list]:
    """The session's exercise at each change [(t, exercise)], its reps [(exercise, Rep)] and rows."""
    from tracker.app.live.session import LiveSession
    from tracker.pose.replay import RecordingEstimator, replay_frames

    rec = load_recording(npz)
    reps, seen = [], []
    sess = LiveSession(RecordingEstimator(rec), first, routine=True, target=10, side=side or meta["side"],
                       source="routine clip", on_rep=lambda s, r: reps.append((s.exercise.key, r)))
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        sess.step(frame)
        if not seen or seen[-1][1] != sess.exercise.key:
            seen.append((round(float(frame.t), 2), sess.exercise.key))
        if sess.quit:
            break
    sess.finish()
    return seen, reps, sess.sets


def score(meta: dict, seen: list, reps: list, rows: list, pad: float) -> dict:
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
    out = [(ex, round(r.peak_t, 1), r.counted) for ex, r in reps if not any(a <= r.peak_t <= b for a, b in spans)]
    return {"changes": seen, "sets": sets, "reps_in_transitions": [(ex, t) for ex, t, c in out if c],
            "flagged_in_transitions": [(ex, t) for ex, t, c in out if not c],
            "rows": [(r.info.exercise, r.reps_counted, r.reps_low_confidence) for r in rows],
            "extra_rows": max(0, len(rows) - len(spans))}


def run_clip_live(npz: Path, meta: dict, pad: float) -> dict:
    """Each start of ``STARTS`` (module docstring)."""
    return {start: score(meta, *replay(npz, meta, first or meta["sets"][0]["exercise"] or "dorsiflexion", side), pad)
            for start, (first, side) in STARTS.items()}


def totals(rows: list[dict], start: str) -> dict:
    sets = [s for r in rows for s in r["live"][start]["sets"]]
    return {"sets": len(sets), "exercise_ok": sum(s["exercise_ok"] for s in sets),
            "count_ok": sum(s["count_ok"] for s in sets),
            "reps_in_transitions": sum(len(r["live"][start]["reps_in_transitions"]) for r in rows),
            "flagged_in_transitions": sum(len(r["live"][start]["flagged_in_transitions"]) for r in rows),
            "extra_rows": sum(r["live"][start]["extra_rows"] for r in rows)}


def _cells(t: dict) -> str:
    return (f"{t['exercise_ok']}/{t['sets']} | {t['count_ok']}/{t['sets']} | {t['reps_in_transitions']} "
            f"({t['flagged_in_transitions']}) | {t['extra_rows']} |")


def markdown_live(rows: list[dict]) -> str:
    """One table per start: per clip, then per half."""
    out = []
    for start, (first, side) in STARTS.items():
        out += [f"\n### live from {first or 'the clip' + chr(39) + 's first exercise'}, side {side or 'of the clip'}\n",
                "| clip | split | view | exercise (counted) | exercise right | count exact | reps in transitions "
                "(flagged) | extra rows |", "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            live = r["live"][start]
            got = ", ".join(f"{s['on']} {s['counted']}" + (f"+{s['counted_as_other']}" if s["counted_as_other"] else "")
                            for s in live["sets"])
            out.append(f"| {r['clip']} | {r['split']} | {r['view']} | {got} | {_cells(totals([r], start))}")
        for split in ("tune", "report"):
            part = [r for r in rows if r["split"] == split]
            if part:
                t = totals(part, start)
                out.append(f"| **{split}** ({len(part)} clips) | | | {t['sets']} sets | {_cells(t)}")
    return "\n".join(out)
