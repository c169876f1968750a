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

import numpy as np

VIEWS = ("auto", "body", "closeup")
CLOSEUP_MAX_FPS = 30.0  # faster video is thinned to this: every frame is compared with rest, so more cost only time
NO_BODY_SHARE = 0.5  # auto: the body (or the foot on it) was missing in more than this share of frames
FEET_MARGIN = 0.25  # the moving region grown by this share of its size on each side ...
FEET_IN_MOTION = 0.5  # ... holds the lying body's feet in at least this share of its frames: a close-up
# (measured: bent-knee heel raises 0.70, ankle pumps 0.88; the three bridges 0.00: what moves there is the
# hips and thighs; a rendered front close-up 0.36, but its "body" has its nose in the picture in 7 % of frames)
HEAD_IN_VIEW = 0.5  # a real lying person: the nose inside the picture in at least this share of body frames
LYING_NOTE = ("the pose model saw a body lying across the picture and could not measure the foot: measured as a "
              "close-up of the foot (if a person really lies in the video, use --view body)")


def analyze_closeup_video(path: Path, exercise: str, side: str = "auto", mode: str = "active", target: int = 10,
                          profile: str = "default", progress: bool = False, warnings: tuple[str, ...] = ()):
    """One video through the close-up path → SetResult (method ``closeup-motion``)."""
    from tracker.counting.closeup import analyze_track
    from tracker.exercises import get_exercise

    return analyze_track(closeup_track(path, progress), get_exercise(exercise), side, mode, target, source=str(path),
                         profile=profile, warnings=warnings)


def closeup_track(path: Path, progress: bool = False):
    """One video → ``CloseupTrack`` (the foot's turn from rest, and where the foot is)."""
    from tracker.app.paths import progress_bar
    from tracker.closeup.edgetrack import edge_track
    from tracker.sources.capture import open_source

    with open_source(path, max_fps=CLOSEUP_MAX_FPS) as src:
        total = src.info.frame_count // getattr(src, "stride", 1) if src.info.frame_count else None
        with progress_bar(total, desc=f"{path.name} (close-up)", enabled=None if progress else False) as bar:
            return edge_track(src, src.info.width, src.info.height, progress=bar)


def body_missing(res) -> str | None:
    """Why the body result cannot stand: ``"absent"`` (no person in most frames), ``"lying"``
    (a "person" lying across the picture in most of them while the foot could not be
    measured: on all three real close-ups the pose model puts a lying body on the legs, and
    a real bridge is lying too), or None. Someone walking or jumping about (also unmeasured)
    is not a close-up: the close-up method counted 1 false rep on each of three such clips."""
    from tracker.signals.gating import lying

    s, rec = res.summary, res.recording
    if not s.frames or s.frames_without_person > NO_BODY_SHARE * s.frames:
        return "absent" if s.frames else None
    if rec is None or not len(res.signal):
        return None
    detected = np.isfinite(rec.norm[:, 0, 0])
    flat = lying(rec.norm[:, :, :2] * np.array([rec.width, rec.height], np.float32)) & detected
    measured = float(np.isfinite(res.signal).mean())
    return "lying" if measured < NO_BODY_SHARE and flat.sum() > NO_BODY_SHARE * detected.sum() else None


def feet_in_motion(feet_px: np.ndarray, box_px: tuple[float, float, float, float],
                   margin: float = FEET_MARGIN) -> float:
    """Share of frames (with a body) where one of the body's foot points (F, K, 2 pixels: the
    pose's ankles, heels, toes) lies in the moving region grown by ``margin`` of its size.
    A close-up's moving region is the foot; on a real person lying in a bridge it is the hips
    and thighs, away from the feet the pose model places correctly."""
    x0, y0, x1, y1 = box_px
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    seen = np.isfinite(feet_px[:, :, 0]).any(1)
    if not seen.any():
        return 0.0
    f = feet_px[seen]
    inside = (f[..., 0] > x0 - mx) & (f[..., 0] < x1 + mx) & (f[..., 1] > y0 - my) & (f[..., 1] < y1 + my)
    return float(inside.any(1).mean())


def head_in_view(norm: np.ndarray) -> float:
    """Share of frames with a body whose nose (normalised x, y) is inside the picture."""
    nose = norm[:, 0, :2]
    seen = np.isfinite(nose[:, 0])
    if not seen.any():
        return 0.0
    return float(((nose[seen] > 0.02) & (nose[seen] < 0.98)).all(1).mean())


def lying_body_moves_elsewhere(rec, track) -> bool:
    """A real person lies in the picture (the head in it) and what the close-up method
    found moving is not that body's feet: a bridge, not a close-up of the feet."""
    from tracker.closeup.motion import work_scale
    from tracker.pose.landmarks import FOOT_POINTS

    if track.regions is None or head_in_view(rec.norm) < HEAD_IN_VIEW:
        return False
    box = tuple(np.asarray(track.regions.foot, float) / work_scale(rec.width, rec.height))
    points = [k for s in sorted(FOOT_POINTS) for k in FOOT_POINTS[s]]
    feet = rec.norm[:, points, :2] * np.array([rec.width, rec.height], np.float32)
    return feet_in_motion(feet, box) < FEET_IN_MOTION


def fall_back(path: Path, body_res, exercise: str, side: str = "auto", mode: str = "active", target: int = 10,
              profile: str = "default", progress: bool = False):
    """``--view auto`` after the pose pass: the close-up result when the body was missing
    (or lying, with the moving region on its feet) and the close-up method found reps;
    otherwise the body result, with its own warnings (lying down, ...) and one line: the
    camera placement when no moving foot was found either, that what moved is not the lying
    body's feet, or that the close-up found no reps."""
    from tracker.counting.closeup import PLACE_CAMERA, analyze_track
    from tracker.exercises import get_exercise

    why = body_missing(body_res)
    if why is None:
        return body_res
    note = LYING_NOTE if why == "lying" else \
        "the full-body pose could not measure the foot in most frames: measured as a close-up of the foot"
    track = closeup_track(path, progress)
    res = analyze_track(track, get_exercise(exercise), side, mode, target, source=str(path), profile=profile,
                        warnings=(note,))
    off_feet = why == "lying" and lying_body_moves_elsewhere(body_res.recording, track)
    if res.reps and PLACE_CAMERA not in res.warnings and not off_feet:
        return res
    if off_feet:
        extra = ("a body lies in the picture and what moves is not its feet: the full-body result stands "
                 "(--view closeup forces the close-up method)",)
    else:
        extra = (PLACE_CAMERA,) if PLACE_CAMERA in res.warnings else ("measured as a close-up too: no reps found",)
    body_res.summary = dataclasses.replace(body_res.summary, warnings=body_res.summary.warnings + extra)
    body_res.warnings = body_res.warnings + extra
    return body_res
