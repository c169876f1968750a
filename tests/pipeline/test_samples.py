"""The committed sample clips (sample_videos/) are complete and agree with their truth.

No rendering here: the clips are made by tools/render_samples.py (a separate, optional
stack) and committed; these tests only read them.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
EXERCISES = ("dorsiflexion", "abduction", "toe_raise", "heel_raise", "eversion")
RECOMMENDED_VIEW = {
    "dorsiflexion": "side",
    "abduction": "front",
    "toe_raise": "side",
    "heel_raise": "side",
    "eversion": "front",
}
GT_COLUMNS = [
    "frame", "time_s", "rep", "phase", "progress", "dorsiflexion_deg", "eversion_deg",
    "knee_ankle_toe_3d_deg", "knee_ankle_toe_2d_deg", "heel_height_m",
    "knee_x", "knee_y", "ankle_x", "ankle_y", "heel_x", "heel_y", "toe_x", "toe_y",
    "malleolus_x", "malleolus_y", "abduction_deg",
]
META_KEYS = ("exercise", "view", "reps", "reps_true", "amp", "rep_s", "fps", "size", "side",
             "seed", "phenotype", "n_frames", "t_render_per_frame_s", "generator",
             "recommended_view")
MAX_FOLDER_BYTES = 6 * 1024 * 1024

CLIPS = sorted(SAMPLES.glob("*.mp4"))


def _truth(clip: Path) -> list[dict]:
    with open(clip.with_name(clip.stem + "_gt.csv"), newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == GT_COLUMNS, f"{clip.name}: truth columns differ"
        return list(reader)


def _meta(clip: Path) -> dict:
    return json.loads(clip.with_name(clip.stem + "_meta.json").read_text())


def test_there_are_samples():
    assert CLIPS, f"no clips in {SAMPLES}"


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_clip_has_truth_and_meta(clip):
    assert clip.with_name(clip.stem + "_gt.csv").is_file()
    assert clip.with_name(clip.stem + "_meta.json").is_file()
    meta = _meta(clip)
    missing = [k for k in META_KEYS if k not in meta]
    assert not missing, f"{clip.name}: meta lacks {missing}"
    assert meta["exercise"] in EXERCISES
    assert meta["side"] in ("left", "right")
    assert meta["view"] in ("side", "oblique", "front")
    assert meta["recommended_view"] == (meta["view"] == RECOMMENDED_VIEW[meta["exercise"]])
    assert meta["generator"] == "tools/render_samples.py"


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_truth_rep_count_matches_meta(clip):
    rows = _truth(clip)
    meta = _meta(clip)
    reps = [int(r["rep"]) for r in rows]
    distinct = {r for r in reps if r > 0}
    assert max(reps) == meta["reps"] == meta["reps_true"]
    assert len(distinct) == meta["reps"]
    assert distinct == set(range(1, meta["reps"] + 1))
    assert len(rows) == meta["n_frames"]
    # a still start (calibration) before the first rep
    first = next(i for i, r in enumerate(reps) if r > 0)
    assert first / float(meta["fps"]) >= 1.0
    # every rep reaches its top inside the rep
    for k in distinct:
        top = max(float(r["progress"]) for r in rows if int(r["rep"]) == k)
        assert top > 0.95


def test_all_five_exercises_in_their_recommended_view():
    seen = {}
    for clip in CLIPS:
        meta = _meta(clip)
        if meta["recommended_view"]:
            seen[meta["exercise"]] = clip.name
    assert set(seen) == set(EXERCISES), f"recommended-view clips: {seen}"


def test_set_is_varied():
    metas = [_meta(c) for c in CLIPS]
    assert any(not m["recommended_view"] for m in metas), "no wrong-view clip for guidance tests"
    assert {m["side"] for m in metas} == {"left", "right"}
    assert len({m["reps"] for m in metas}) > 1 and any(m["reps"] != 10 for m in metas)


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_video_opens_and_frame_count_matches_truth(clip):
    cv2 = pytest.importorskip("cv2")
    rows = _truth(clip)
    cap = cv2.VideoCapture(str(clip))
    try:
        assert cap.isOpened(), f"OpenCV cannot open {clip.name}"
        n = 0
        while cap.grab():
            n += 1
    finally:
        cap.release()
    assert abs(n - len(rows)) <= 1, f"{clip.name}: {n} frames, {len(rows)} truth rows"
    meta = _meta(clip)
    w, h = (int(x) for x in meta["size"].split("x"))
    cap = cv2.VideoCapture(str(clip))
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape[:2] == (h, w)


def test_readme_lists_every_clip_and_folder_is_small():
    readme = (SAMPLES / "README.md").read_text()
    for clip in CLIPS:
        assert clip.name in readme or clip.stem in readme, f"README does not list {clip.name}"
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total <= MAX_FOLDER_BYTES, f"sample_videos/ is {total / 1e6:.1f} MB"
