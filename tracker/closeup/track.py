"""Frames of a close-up → the foot's rotation relative to the shank (an angle signal).

Two steps, so a recorded video is decoded once: ``record_motion`` tracks corners between
consecutive working frames and removes the background's (camera's) motion; ``foot_track``
then finds where something moved persistently (the foot, low in the picture), splits it
at the ankle into foot and shank, and integrates each one's frame-to-frame rotation.
Integration drifts slowly; the counting driver's rolling rest follows slow drift.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from tracker.closeup.motion import (
    PointPairs,
    Regions,
    advance,
    best_of,
    cut_pair,
    find_regions,
    frame_change,
    grid_points,
    motion_map,
    pairs_since,
    pivot_of,
    place_shank,
    region_rotation,
    to_work_gray,
    with_point,
    work_scale,
)

MIN_FOOT_POINTS = 6  # corners in the foot box for a frame to be measured at all
GOOD_FOOT_POINTS = 25  # ... for full quality
BAD_RESIDUAL_PX = 1.5  # a rigid fit this poor is not one rigid foot


@dataclass
class MotionLog:
    """Per frame pair (i-1 → i), the tracked corners and the background's motion."""

    t: np.ndarray  # (N,) seconds, frame times
    shape: tuple[int, int]  # working frame (h, w)
    scale: float  # working / original pixels
    pairs: list[PointPairs] = field(repr=False)  # N entries; entry 0 is empty (no previous frame)
    ms_per_frame: float = 0.0


@dataclass
class CloseupTrack:
    """What the close-up path measured, one entry per frame (NaN: not measurable)."""

    t: np.ndarray
    foot_deg: np.ndarray  # foot rotation relative to the background, integrated
    shank_deg: np.ndarray  # shank rotation relative to the background, integrated
    quality: np.ndarray  # 0..1: corners on the foot and how rigidly they moved
    points: np.ndarray  # corners in the foot box
    residual_px: np.ndarray  # median residual of the foot's fit (working px; NaN when still)
    regions: Regions | None
    scale_px: float  # foot box size in original pixels (the unit of anchor travel)
    anchor_xy: np.ndarray  # (N, 2) the ankle (the foot's pivot), original pixels
    ms_per_frame: float = 0.0
    rest_t: float | None = None  # time of the rest frame the angles are measured from (None: the first)

    @property
    def found(self) -> bool:
        return self.regions is not None

    def relative(self) -> np.ndarray:
        """Foot relative to the shank: a whole-leg swing moves both and cancels."""
        return self.foot_deg - self.shank_deg


KEY_S = 0.3  # a key frame is kept this long, or until something moved KEY_MOVE_PX: motion
# measured over several frames is larger than frame to frame, so flow measures it better
# (DIS gives 0.6-0.9 of a 1 degree turn, 0.95 of 3-8 degrees), and fewer steps add up less drift
KEY_MOVE_PX = 5
CUT_CHANGE = 0.25  # share of pixels that changed a lot between two frames: a scene cut (a
# hard cut under a phone app's fixed overlay measured 0.45; ordinary frames <= 0.03)


class MotionRecorder:
    """Frame by frame (live) or over a file: grid points followed from the current key frame
    to each frame, frame-to-frame flow added up; a cut starts afresh."""

    def __init__(self, width: int, height: int):
        self.scale = work_scale(width, height)
        self.i, self.prev, self.grid, self.pts, self.key, self.key_i, self.key_t = 0, None, None, None, None, -1, 0.0
        self.shape: tuple[int, int] = (0, 0)

    def push(self, t: float, image: np.ndarray) -> PointPairs:
        """The next frame → its point pairs (since its key frame)."""
        g = to_work_gray(image, self.scale)
        i = self.i
        if self.prev is None or self.prev.shape != g.shape or frame_change(self.prev, g) > CUT_CHANGE:
            out = cut_pair(i)
            self.grid = grid_points(g.shape)
            self.pts, self.key, self.key_i, self.key_t = self.grid, g, i, t
        else:
            self.pts = advance(self.prev, g, self.pts)
            out = pairs_since(self.grid, best_of(self.grid, self.pts, advance(self.key, g, self.grid)), self.key_i)
            if t - self.key_t >= KEY_S - 1e-6:
                self.pts, self.key, self.key_i, self.key_t = self.grid, g, i, t
        self.prev, self.shape, self.i = g, g.shape[:2], i + 1
        return out


def record_motion(frames: Iterable, width: int, height: int, progress=None) -> MotionLog:
    """Every frame of a video through ``MotionRecorder`` (``frames`` yield objects with
    ``.t`` and ``.image``)."""
    import time

    rec = MotionRecorder(width, height)
    ts, pairs = [], []
    t0 = time.perf_counter()
    for fr in frames:
        pairs.append(rec.push(fr.t, fr.image))
        ts.append(fr.t)
        if progress is not None:
            progress.update(1)
    ms = 1000.0 * (time.perf_counter() - t0) / max(1, len(ts))
    return MotionLog(np.asarray(ts, float), rec.shape, rec.scale, pairs, ms)


def _quality(n: int, fit_residual: float) -> float:
    q = min(1.0, max(0.0, (n - MIN_FOOT_POINTS) / (GOOD_FOOT_POINTS - MIN_FOOT_POINTS)))
    if np.isfinite(fit_residual):
        q *= min(1.0, max(0.0, 1.0 - (fit_residual - 0.5 * BAD_RESIDUAL_PX) / BAD_RESIDUAL_PX))
    return q


def foot_track(log: MotionLog) -> CloseupTrack:
    """Find the moving foot in the whole log, measure its rotation frame by frame, find
    the ankle it turns about, then the shank's rotation above that ankle."""
    n = len(log.t)
    regions = find_regions(motion_map(log.pairs, log.shape)) if n > 2 else None
    nan = np.full(n, np.nan)
    if regions is None:
        return CloseupTrack(log.t, nan, nan.copy(), np.zeros(n), np.zeros(n), nan.copy(), None, float("nan"),
                            np.full((n, 2), np.nan), log.ms_per_frame)
    fits = _foot_pass(log, regions.foot)[4]
    pivot = pivot_of(fits, regions.foot)
    if pivot is None:  # never turned clearly: the box's upper middle stands in for the ankle
        x0, y0, x1, y1 = regions.foot
        pivot = np.array([(x0 + x1) / 2, y0])
    else:  # the whole foot turns, up to the ankle: measure it all
        regions = dataclasses.replace(regions, foot=with_point(regions.foot, pivot, log.shape))
    regions = place_shank(regions, pivot, log.shape)
    d_foot, q, pts, res, _ = _foot_pass(log, regions.foot)
    keys = np.array([p.key for p in log.pairs])
    d_shank = np.array([region_rotation(p, regions.shank, moving_only=True)[0] if i else 0.0
                        for i, p in enumerate(log.pairs)])
    d_shank[~np.isfinite(d_foot)] = np.nan
    foot, shank = _chain(d_foot, keys), _chain(d_shank, keys)
    anchor = np.tile(pivot / log.scale, (n, 1))
    anchor[~np.isfinite(foot)] = np.nan
    x0, y0, x1, y1 = regions.foot
    return CloseupTrack(log.t, foot, shank, q, pts, res, regions, max(x1 - x0, y1 - y0) / log.scale,
                        anchor, log.ms_per_frame)


def _foot_pass(log: MotionLog, box: tuple[int, int, int, int]):
    """(rotation per frame since its key frame, quality, points, fit residual, the fits)."""
    n = len(log.t)
    d_foot, q, pts, res = np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, np.nan)
    fits = []
    for i, pairs in enumerate(log.pairs[1:], start=1):
        a, fit, k = region_rotation(pairs, box, moving_only=True)
        pts[i] = k
        if pairs.cut or k < MIN_FOOT_POINTS:
            d_foot[i] = np.nan
            continue
        d_foot[i] = a
        if fit is not None:
            res[i] = fit.residual_px
            fits.append(fit)
        q[i] = _quality(k, res[i])
    return d_foot, q, pts, res, fits


def _chain(d: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Angle at each frame: its key frame's angle plus the rotation since. A frame that
    could not be measured is NaN (its level, for frames keyed on it, is the last one's)."""
    n = len(d)
    level, out = np.zeros(n), np.full(n, np.nan)
    if n:
        out[0] = 0.0
    for i in range(1, n):
        k = keys[i]
        if np.isfinite(d[i]) and 0 <= k < i:
            level[i] = out[i] = level[k] + d[i]
        else:
            level[i] = level[i - 1]
    return out
