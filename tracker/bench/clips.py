"""The benchmark's clips: the project's samples, ../shared/rendered and ../shared/clips.

Each clip carries what the right answer is: a count (samples and rendered clips from their
truth files, real clips from the hand-counted ``labels.csv``), "none" (nothing may be
counted), "other" (another exercise: reported), or a wrong view (must be warned).
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from tracker.exercises import EXERCISES

PROJECT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("TRACKER_SHARED", PROJECT.parent / "shared"))
SAMPLES = PROJECT / "sample_videos"

# ../shared/rendered uses its own exercise names.
RENDERED_EXERCISE = {"crossed_dorsi": "dorsiflexion", "seated_dorsi": "toe_raise", "heel_raise": "heel_raise",
                     "seated_eversion": "eversion"}
# The rendered truth column (and its sign) that each exercise's signal follows.
TRUTH = {"dorsiflexion": ("dorsiflexion_deg", 1), "abduction": ("abduction_deg", 1),
         "toe_raise": ("dorsiflexion_deg", 1), "heel_raise": ("dorsiflexion_deg", -1),
         "eversion": ("eversion_deg", 1)}
# Real clips filmed close to the feet with no head in view (../shared/clips/README.md,
# "Close-ups"): MediaPipe's body detector finds no person on them, so the pose path reports
# them and counts nothing; they are scored all the same.
CLOSEUPS = frozenset({"terapi_ankle_pumps_seated", "sweet_abduction_band_left", "tornozelo_bent_knee_calf_raise"})
# Real clips that show none of our exercises: run these counters and report false reps.
NEGATIVE_EXERCISES = ("heel_raise", "dorsiflexion")


@dataclass
class Clip:
    name: str
    path: Path
    group: str  # "sample" | "rendered" | "real"
    exercise: str  # exercise the counter runs as
    true_reps: int | None  # None: count not established
    side: str = "auto"
    truth_csv: Path | None = None
    truth_column: str | None = None
    truth_sign: int = 1
    expect: str = "count"  # "count" | "none" (nothing may be counted) | "other" (another exercise)
    wrong_view: bool = False


def discover(include_shared: bool = True) -> list[Clip]:
    clips: list[Clip] = []
    for meta_path in sorted(SAMPLES.glob("*_meta.json")):
        meta = json.loads(meta_path.read_text())
        base = meta_path.with_name(meta_path.name[: -len("_meta.json")])
        mp4 = base.with_suffix(".mp4")
        if not mp4.exists():
            continue
        ex = EXERCISES[meta["exercise"]]
        clips.append(Clip(base.name, mp4, "sample", ex.key, int(meta["reps"]), meta.get("side", "auto"),
                          Path(str(base) + "_gt.csv"), *TRUTH[ex.key],
                          wrong_view=not meta.get("recommended_view", True)))
    if not include_shared:
        return clips
    rendered = SHARED / "rendered"
    for meta_path in sorted(rendered.glob("*_meta.json")) if rendered.exists() else []:
        meta = json.loads(meta_path.read_text())
        base = meta_path.with_name(meta_path.name[: -len("_meta.json")])
        ex = EXERCISES[RENDERED_EXERCISE[meta["exercise"]]]
        side = {"L": "left", "R": "right"}.get(meta.get("side"), "auto")
        wrong = ex.view == "side" and meta.get("view") == "front"
        clips.append(Clip(base.name, base.with_suffix(".mp4"), "rendered", ex.key, int(meta["reps"]), side,
                          Path(str(base) + "_gt.csv"), *TRUTH[ex.key], wrong_view=wrong))
    labels = SHARED / "clips" / "labels.csv"
    if labels.exists():
        with open(labels, newline="") as f:
            for row in csv.DictReader(f):
                path = labels.parent / row["file"]
                reps = int(row["reps"]) if row["reps"].strip() else None
                name = Path(row["file"]).stem
                if row["exercise"] in EXERCISES:
                    clips.append(Clip(name, path, "real", row["exercise"], reps))
                elif row["exercise"] == "none":
                    for ex in NEGATIVE_EXERCISES:
                        clips.append(Clip(f"{name}[{ex}]", path, "real", ex, 0, expect="none"))
                else:
                    for ex in NEGATIVE_EXERCISES:
                        clips.append(Clip(f"{name}[{ex}]", path, "real", ex, None, expect="other"))
    return clips


def speed_clips() -> list[tuple[Path, str]]:
    """A 640x480 clip (project sample, else shared rendered) and a 1080x1920 phone clip."""
    out = []
    for folder in (SAMPLES, SHARED / "rendered"):
        for meta_path in sorted(folder.glob("*_meta.json")) if folder.exists() else []:
            meta = json.loads(meta_path.read_text())
            ex = meta.get("exercise")
            ex = RENDERED_EXERCISE.get(ex, ex)
            mp4 = meta_path.with_name(meta_path.name[: -len("_meta.json")] + ".mp4")
            if ex in EXERCISES and str(meta.get("size", "640x480")) == "640x480" and mp4.exists():
                out.append((mp4, ex))
                break
        if out:
            break
    phone = SHARED / "clips" / "skatefit_calf_raises.mp4"
    if phone.exists():
        out.append((phone, "heel_raise"))
    return out
