"""``python -m tracker.bench --corpus --recognise``: does ``--exercise auto`` name the right
exercise on the corpus's single-exercise clips, and nothing on its negatives?

One row per clip (not per ``count_as`` exercise): the recording subsampled to the analysis
rate as ``tracker analyze`` takes it, the recogniser's answer, and the truth (the clip's
exercise, or "none" for a negative). Tables: recognised / unsure / none / wrong per split,
and a confusion matrix (truth rows, answer columns) per split.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tracker.bench.clips import RENDERED_EXERCISE
from tracker.bench.corpus import CORPUS, SPLITS, subsample

ANSWERS_EXTRA = ("unsure", "none")  # columns after the exercises


def corpus_clips(folder: str | os.PathLike | None = None, split: str = "both") -> list[dict]:
    """``{clip, recording, split, truth, view, posture}`` per clip with a meta file."""
    out = []
    folder = Path(folder or CORPUS)
    for meta_path in sorted(folder.glob("*_meta.json")) if folder.is_dir() else []:
        meta = json.loads(meta_path.read_text())
        if split != "both" and meta.get("split") != split:
            continue
        ex = meta.get("exercise")
        truth = "none" if meta.get("expect") == "none" or not ex else RENDERED_EXERCISE.get(ex, ex)
        cond = meta.get("conditions") or {}
        clip = meta_path.name.removesuffix("_meta.json")
        out.append({"clip": clip, "recording": str(meta_path.with_name(clip + ".npz")),
                    "split": meta.get("split", "report"), "truth": truth,
                    "view": cond.get("view", meta.get("view")), "posture": cond.get("posture", meta.get("posture"))})
    return out


def recognise_clip(clip: dict, max_fps: float | None) -> dict:
    """The recogniser's answer for one clip: the exercise, "unsure" or "none"."""
    from tracker.counting.recognise import recognise
    from tracker.pose.recording import load_recording

    row = dict(clip)
    try:
        r = recognise(subsample(load_recording(clip["recording"]), max_fps))
    except Exception as exc:  # one row per clip, never a traceback
        return dict(row, answer="error", error=f"{type(exc).__name__}: {exc}")
    answer = r.exercise if r.verdict == "recognised" else r.verdict
    return dict(row, answer=answer, body=r.best.exercise, confidence=round(r.confidence, 3), line=r.describe(),
                fits={f.exercise: round(f.score, 3) for f in r.fits})


def _job(args):
    return recognise_clip(*args)


def run_recognition(clips: list[dict], max_fps: float | None = None, jobs: int | None = None) -> list[dict]:
    from tracker.app.analyze import DEFAULT_MAX_FPS

    max_fps = DEFAULT_MAX_FPS if max_fps is None else (max_fps or None)
    work = [(c, max_fps) for c in clips]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work) or 1))
    if jobs == 1:
        return [_job(w) for w in work]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_job, work, chunksize=4))


def summarize(rows: list[dict]) -> dict:
    """Exercise clips: right / wrong / unsure / none; negatives: none, unsure or (wrongly) named."""
    ex = [r for r in rows if r["truth"] != "none"]
    neg = [r for r in rows if r["truth"] == "none"]
    right = sum(r["answer"] == r["truth"] for r in ex)
    wrong = sum(r["answer"] not in (r["truth"], "unsure", "none", "error") for r in ex)
    return {"clips": len(ex), "right": right, "wrong": wrong,
            "unsure": sum(r["answer"] == "unsure" for r in ex), "none": sum(r["answer"] == "none" for r in ex),
            "errors": sum(r["answer"] == "error" for r in rows),  # failed to run: not a wrong answer
            "body_right": sum(r.get("body") == r["truth"] for r in ex),
            "rate": right / len(ex) if ex else None, "negatives": len(neg),
            "negatives_named": sum(r["answer"] not in ("unsure", "none", "error") for r in neg)}


def markdown_summary(rows: list[dict]) -> str:
    lines = ["| split | exercise clips | recognised right | wrong exercise | unsure (asks) | no rep counted (none) | "
             "best body fit right | negatives | negatives named an exercise | errors |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        if part:
            s = summarize(part)
            rate = f"{s['right']} ({100 * s['rate']:.0f}%)" if s["rate"] is not None else ""
            body = f"{s['body_right']} ({100 * s['body_right'] / s['clips']:.0f}%)" if s["clips"] else ""
            lines.append(f"| {split} | {s['clips']} | {rate} | {s['wrong']} | {s['unsure']} | {s['none']} | {body} | "
                         f"{s['negatives']} | {s['negatives_named']} | {s['errors']} |")
    return "\n".join(lines)


def markdown_confusion(rows: list[dict], split: str, key: str = "answer") -> str:
    """Truth (rows) against the answer (columns) for one split; ``key="body"``: against the
    best posture-and-view fit, whether or not its counter then counted a rep."""
    from tracker.exercises import ROUTINE

    part = [r for r in rows if r["split"] == split]
    cols = list(ROUTINE) + (list(ANSWERS_EXTRA) if key == "answer" else [])
    cols += ["error"] if any(r["answer"] == "error" for r in part) else []
    truths = [t for t in list(ROUTINE) + ["none"] if any(r["truth"] == t for r in part)]
    head = "answer" if key == "answer" else "best body fit"
    lines = [f"| {split}: truth \\ {head} | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for t in truths:
        cells = [sum(r["truth"] == t and r.get(key, r["answer"]) == c for r in part) for c in cols]
        lines.append(f"| {t} | " + " | ".join(str(c) if c else "·" for c in cells) + " |")
    return "\n".join(lines)


def markdown_recognition(rows: list[dict]) -> str:
    text = ["## Exercise recognition (`--exercise auto`)", "", markdown_summary(rows)]
    for split in SPLITS:
        if any(r["split"] == split for r in rows):
            text += ["", markdown_confusion(rows, split), "", markdown_confusion(rows, split, "body")]
    misses = [r for r in rows if r["answer"] != r["truth"] and not (r["truth"] == "none" and r["answer"] == "unsure")]
    if misses:
        text += ["", "Not recognised right (clip, split, view, posture: answer):", ""]
        text += [f"- {r['clip']} ({r['split']}, {r['view']}, {r['posture']}): {r.get('line', r.get('error'))}"
                 for r in misses]
    return "\n".join(text)
