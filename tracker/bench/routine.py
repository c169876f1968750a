"""``python -m tracker.bench --routine``: whole-session recordings (tests/routine_corpus).

Why per set: a routine clip is right only when every set is found where it is, recognised as
the exercise done and counted exactly, and nothing done between sets (crossing the leg,
standing up) is counted. Each truth set is matched to the found set that overlaps it most;
its boundaries are right within ``BOUNDARY_S`` of the truth's first rep's start and last
rep's end. A truth stretch that is no exercise (a knee swing) is right when nothing is
counted there. Reps counted outside every truth set (``TRANSITION_PAD_S`` around it) are
reps in transitions. Tune on the ``tune`` half (even seeds) only; report both.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from tracker.pose.recording import load_recording

PROJECT = Path(__file__).resolve().parents[2]
ROUTINE_CORPUS = Path(os.environ.get("TRACKER_ROUTINE_CORPUS", PROJECT / "tests" / "routine_corpus"))
BOUNDARY_S = 1.5
TRANSITION_PAD_S = 0.5


def discover(folder: Path | None = None, split: str = "both") -> list[tuple[Path, dict]]:
    folder = Path(folder or ROUTINE_CORPUS)
    out = []
    for meta_path in sorted(folder.glob("*_meta.json")):
        meta = json.loads(meta_path.read_text())
        npz = meta_path.with_name(meta_path.name.replace("_meta.json", ".npz"))
        if meta.get("kind") == "routine" and npz.exists() and split in ("both", meta["split"]):
            out.append((npz, meta))
    return out


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def match_sets(truths: list[dict], found: list) -> list:
    """Each truth set's found set (``RoutineSet``) or None, one to one: pairs taken by largest
    overlap first, so one long found set is credited to one true set, not to all it spans."""
    pairs = sorted(((_overlap(t["start_s"], t["end_s"], *f.span), i, j) for i, t in enumerate(truths)
                    for j, f in enumerate(found)), reverse=True)
    match: list = [None] * len(truths)
    used: set[int] = set()
    for ov, i, j in pairs:
        if ov > 0 and match[i] is None and j not in used:
            match[i] = found[j]
            used.add(j)
    return match


def score_set(truth: dict, best) -> dict:
    """One truth set against its matched found set (``match_sets``; None: none)."""
    got = best.exercise if best is not None else None
    counted = best.result.summary.reps_counted if best is not None and best.result is not None else 0
    bounds = best is not None and (abs(best.span[0] - truth["start_s"]) <= BOUNDARY_S
                                   and abs(best.span[1] - truth["end_s"]) <= BOUNDARY_S)
    bounds = bounds or (best is None and not truth["exercise"])  # nothing found where nothing is an exercise
    return {"exercise": truth["exercise"] or truth["motion"], "start_s": truth["start_s"], "end_s": truth["end_s"],
            "reps": truth["reps"], "found": best is not None, "found_start_s": best and round(best.span[0], 2),
            "found_end_s": best and round(best.span[1], 2), "boundaries_ok": bool(bounds),
            "recognised": got, "confidence": best and best.recognition and round(best.recognition.confidence, 2),
            "exercise_ok": got == truth["exercise"], "counted": counted,
            "count_ok": got == truth["exercise"] and counted == truth["reps"]}  # a count of the wrong exercise is wrong


def run_clip(npz: Path, meta: dict, side: str = "auto") -> dict:
    from tracker.counting.routine import analyse_routine

    rec = load_recording(npz)
    routine = analyse_routine(rec, side=meta["side"] if side == "known" else side)
    spans = [(s["start_s"] - TRANSITION_PAD_S, s["end_s"] + TRANSITION_PAD_S) for s in meta["sets"] if s["exercise"]]
    stray = sum(1 for s in routine.sets if s.result is not None for r in s.result.reps
                if r.counted and not any(a <= r.peak_t <= b for a, b in spans))
    return {"clip": meta["name"], "split": meta["split"], "routine": meta["routine"], "view": meta["view"],
            "sets": [score_set(t, m) for t, m in zip(meta["sets"], match_sets(meta["sets"], list(routine.sets)))],
            "found_sets": [s.describe() for s in routine.sets], "moves_found": len(routine.moves),
            "moves_true": len(meta["moves"]), "reps_in_transitions": stray}


def _totals(rows: list[dict]) -> dict:
    sets = [s for r in rows for s in r["sets"]]
    return {"clips": len(rows), "sets": len(sets), "boundaries_ok": sum(s["boundaries_ok"] for s in sets),
            "exercise_ok": sum(s["exercise_ok"] for s in sets), "count_ok": sum(s["count_ok"] for s in sets),
            "reps_in_transitions": sum(r["reps_in_transitions"] for r in rows)}


def markdown(rows: list[dict]) -> str:
    head = ("| clip | split | view | sets (truth: exercise reps) | boundaries ±1.5 s | exercise right | "
            "count exact | reps in transitions |\n|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        n, ok = len(r["sets"]), lambda key, r=r: sum(s[key] for s in r["sets"])
        truth = ", ".join(f"{s['exercise']} {s['reps']}" for s in r["sets"])
        got = ", ".join(f"{s['recognised'] or '-'} {s['counted']}" for s in r["sets"])
        lines.append(f"| {r['clip']} | {r['split']} | {r['view']} | {truth} → {got} | "
                     f"{ok('boundaries_ok')}/{n} | {ok('exercise_ok')}/{n} | {ok('count_ok')}/{n} | "
                     f"{r['reps_in_transitions']} |")
    for split in ("tune", "report"):
        part = [r for r in rows if r["split"] == split]
        if part:
            t = _totals(part)
            n = t["sets"]
            lines.append(f"| **{split}** ({t['clips']} clips) | | | {n} sets | {t['boundaries_ok']}/{n} | "
                         f"{t['exercise_ok']}/{n} | {t['count_ok']}/{n} | {t['reps_in_transitions']} |")
    return "\n".join(lines)


def run_routine_bench(folder: str | None, split: str, side: str, json_path: str | None, live: bool = True) -> int:
    """Offline (``analyze --routine``) and, unless ``live`` is False, live (``routine_live``)."""
    import sys

    from tracker.bench.routine_live import STARTS, markdown_live, run_clip_live, totals

    cases = discover(Path(folder) if folder else None, split)
    if not cases:
        print(f"bench: no routine recordings in {folder or ROUTINE_CORPUS} (split {split})", file=sys.stderr)
        return 2
    rows = [run_clip(npz, meta, side) for npz, meta in cases]
    print(markdown(rows))
    summary = {sp: _totals([r for r in rows if r["split"] == sp]) for sp in ("tune", "report")}
    if live:
        for row, (npz, meta) in zip(rows, cases):
            row["live"] = run_clip_live(npz, meta, TRANSITION_PAD_S)
        print("\n## Live (`tracker live --routine`, the clip played as the camera)")
        print(markdown_live(rows))
        summary["live"] = {sp: {start: totals([r for r in rows if r["split"] == sp], start)
                                for start in STARTS} for sp in ("tune", "report")}
    Path(json_path or "routine_results.json").write_text(json.dumps({"summary": summary, "clips": rows}, indent=1))
    return 0
