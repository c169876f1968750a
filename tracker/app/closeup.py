"""``--view``: which method measures a recorded video, the full-body pose or the close-up.

Why automatic: patients film their feet from close by (a phone on the floor, no head in
the picture), where the pose model finds no person and would count nothing. When the
body is missing from most frames, the video is measured again by the close-up method;
if that finds no moving foot either, the full-body result stands with one line saying
how to place the camera.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

VIEWS = ("auto", "body", "closeup")
CLOSEUP_MAX_FPS = 30.0  # faster video is thinned to this: every frame is compared with rest, so more cost only time
NO_BODY_SHARE = 0.5  # auto: the body (or the foot on it) was missing in more than this share of frames


def analyze_closeup_video(path: Path, exercise: str, side: str = "auto", mode: str = "active", target: int = 10,
                          profile: str = "default", progress: bool = False, warnings: tuple[str, ...] = ()):
    """One video through the close-up path → SetResult (method ``closeup-motion``)."""
    from tracker.app.paths import progress_bar
    from tracker.closeup.edgetrack import edge_track
    from tracker.counting.closeup import analyze_track
    from tracker.exercises import get_exercise
    from tracker.sources.capture import open_source

    with open_source(path, max_fps=CLOSEUP_MAX_FPS) as src:
        total = src.info.frame_count // getattr(src, "stride", 1) if src.info.frame_count else None
        with progress_bar(total, desc=f"{path.name} (close-up)", enabled=None if progress else False) as bar:
            track = edge_track(src, src.info.width, src.info.height, progress=bar)
    return analyze_track(track, get_exercise(exercise), side, mode, target, source=str(path), profile=profile,
                         warnings=warnings)


def body_missing(res) -> bool:
    """No person in most frames, or a "person" lying across the picture in most of them
    while the foot could not be measured: on all three real close-ups the pose model puts
    a lying body on the legs. Someone walking or jumping about (also unmeasured) is not a
    close-up: the close-up method counted 1 false rep on each of three such clips."""
    import numpy as np

    from tracker.signals.gating import lying

    s, rec = res.summary, res.recording
    if not s.frames or s.frames_without_person > NO_BODY_SHARE * s.frames:
        return bool(s.frames)
    if rec is None or not len(res.signal):
        return False
    detected = np.isfinite(rec.norm[:, 0, 0])
    flat = lying(rec.norm[:, :, :2] * np.array([rec.width, rec.height], np.float32)) & detected
    measured = float(np.isfinite(res.signal).mean())
    return measured < NO_BODY_SHARE and flat.sum() > NO_BODY_SHARE * detected.sum()


def fall_back(path: Path, body_res, **kw):
    """``--view auto`` after the pose pass: the close-up result when the body was missing
    and the close-up method found reps; otherwise the body result, with its own warnings
    (lying down, ...) and one line: the camera placement when no moving foot was found
    either, or that the close-up found no reps."""
    from tracker.counting.closeup import PLACE_CAMERA

    if not body_missing(body_res):
        return body_res
    note = "the full-body pose could not measure the foot in most frames: measured as a close-up of the foot"
    res = analyze_closeup_video(path, warnings=(note,), **kw)
    if res.reps and PLACE_CAMERA not in res.warnings:
        return res
    extra = (PLACE_CAMERA,) if PLACE_CAMERA in res.warnings else ("measured as a close-up too: no reps found",)
    body_res.summary = dataclasses.replace(body_res.summary, warnings=body_res.summary.warnings + extra)
    body_res.warnings = body_res.warnings + extra
    return body_res
