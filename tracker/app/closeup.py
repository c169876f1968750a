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
CLOSEUP_MAX_FPS = 30.0  # key frames 0.2 s apart: 30 fps keeps fast ankle pumps trackable
NO_BODY_SHARE = 0.5  # auto: the body was missing in more than this share of frames


def analyze_closeup_video(path: Path, exercise: str, side: str = "auto", mode: str = "active", target: int = 10,
                          profile: str = "default", progress: bool = False, warnings: tuple[str, ...] = ()):
    """One video through the close-up path → SetResult (method ``closeup-motion``)."""
    from tracker.app.paths import progress_bar
    from tracker.closeup.track import foot_track, record_motion
    from tracker.counting.closeup import analyze_track
    from tracker.exercises import get_exercise
    from tracker.sources.capture import open_source

    with open_source(path, max_fps=CLOSEUP_MAX_FPS) as src:
        total = src.info.frame_count // getattr(src, "stride", 1) if src.info.frame_count else None
        with progress_bar(total, desc=f"{path.name} (close-up)", enabled=None if progress else False) as bar:
            log = record_motion(src, src.info.width, src.info.height, progress=bar)
    track = foot_track(log)
    return analyze_track(track, get_exercise(exercise), side, mode, target, source=str(path), profile=profile,
                         warnings=warnings)


def body_missing(res) -> bool:
    """The pose model found no person in most frames (a close-up, or a bad placement)."""
    s = res.summary
    return s.frames > 0 and s.frames_without_person > NO_BODY_SHARE * s.frames


def fall_back(path: Path, body_res, **kw):
    """``--view auto`` after the pose pass: the close-up result when the body was missing
    and a moving foot was found; otherwise the body result (with the placement line)."""
    from tracker.counting.closeup import PLACE_CAMERA

    if not body_missing(body_res):
        return body_res
    s = body_res.summary
    note = (f"no body in {100 * s.frames_without_person / s.frames:.0f}% of frames: measured as a close-up "
            "of the foot (method closeup-motion)")
    res = analyze_closeup_video(path, warnings=(note,), **kw)
    if PLACE_CAMERA in res.warnings:
        extra = (PLACE_CAMERA,)
        body_res.summary = dataclasses.replace(body_res.summary, warnings=body_res.summary.warnings + extra)
        body_res.warnings = body_res.warnings + extra
        return body_res
    return res
