"""The close-up path frame by frame, for ``tracker live``: the foot found as the video goes.

Offline, ``track.foot_track`` looks at the whole video before it measures anything. Live,
the motion map is summed as frames come; once something has moved persistently (the
foot), its box, the ankle it turns about and the shank above it are fixed from the frames
kept so far, those frames are measured at once (so the first rep is not lost while the
foot was being found), and from then on every frame is measured as it arrives. The
measurement per frame is the offline one (``region_rotation`` on the same point pairs).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tracker.closeup.motion import (
    GRID,
    MAP_MOVE_PX,
    MAX_MOVE_PX,
    PointPairs,
    Regions,
    find_regions,
    local_residual,
    pivot_of,
    place_shank,
    region_rotation,
    with_point,
)
from tracker.closeup.track import MIN_FOOT_POINTS, MotionRecorder, _quality

FIND_AFTER_S = 1.0  # look for the foot once this much video was seen ...
FIND_EVERY_S = 0.5  # ... and again this often until it is found
GROW_EVERY_S = 2.0  # once found, the foot's box grows to what it sweeps later (first reps may be small)
KEEP_S = 15.0  # frames kept for the measurement at the moment the foot is found


@dataclass(frozen=True)
class Sample:
    """One measured frame: foot and shank rotation (integrated, degrees), quality, points."""

    t: float
    foot_deg: float
    shank_deg: float
    quality: float
    points: int


class LiveFoot:
    """``push(t, image)`` → the samples measured at this frame: none before the foot is
    found, all the kept frames when it is, then one per frame."""

    def __init__(self, width: int, height: int):
        self.rec = MotionRecorder(width, height)
        self.regions: Regions | None = None
        self.pivot: np.ndarray | None = None
        self._acc: np.ndarray | None = None
        self._n = 0
        self._kept: list[tuple[float, PointPairs]] = []
        self._level: dict[int, tuple[float, float]] = {}  # frame index -> (foot, shank) angle
        self._last = (0.0, 0.0)
        self._next_look = FIND_AFTER_S
        self._t0: float | None = None

    @property
    def found(self) -> bool:
        return self.regions is not None

    @property
    def scale(self) -> float:
        return self.rec.scale

    def push(self, t: float, image: np.ndarray) -> list[Sample]:
        pairs = self.rec.push(t, image)
        self._t0 = t if self._t0 is None else self._t0
        self._add_to_map(pairs)
        self._kept.append((t, pairs))
        while self._kept and t - self._kept[0][0] > KEEP_S:
            self._kept.pop(0)
        if t - self._t0 >= self._next_look:
            self._next_look = t - self._t0 + (GROW_EVERY_S if self.found else FIND_EVERY_S)
            if self._look():
                return self.replay()
        if not self.found:
            return []
        return [self._measure(len(self._kept) - 1, t, pairs)]

    def replay(self) -> list[Sample]:
        """Every kept frame measured afresh (the foot was just found)."""
        self._level.clear()
        self._last = (0.0, 0.0)
        return [self._measure(i, tp, p) for i, (tp, p) in enumerate(self._kept)]

    def _add_to_map(self, pairs: PointPairs) -> None:
        if pairs.cut or not len(pairs.p0):
            return
        r = local_residual(pairs, self.rec.shape)
        c = np.where(r > MAP_MOVE_PX, np.minimum(r, MAX_MOVE_PX) / MAX_MOVE_PX, 0.0)
        if self._acc is None or self._acc.shape != c.shape:
            self._acc, self._n = np.zeros_like(c), 0
        self._acc += c
        self._n += 1

    def _look(self) -> bool:
        """Find the foot (True when just found, or found elsewhere: what moved in the first
        second may have been something else), or grow its box to what it sweeps since."""
        if self._acc is None:
            return False
        regions = find_regions(self._acc / max(self._n, 1))
        if regions is None:
            return False
        if self.found:
            grown = _union(self.regions.foot, regions.foot)
            if grown == self.regions.foot:
                return False
            if _overlap(self.regions.foot, regions.foot):
                self.regions = dataclasses.replace(self.regions, foot=grown)
                return False
        shape = self.rec.shape
        fits = [f for _, p in self._kept for f in [region_rotation(p, regions.foot, moving_only=True)[1]] if f]
        pivot = pivot_of(fits, regions.foot)
        if pivot is None:
            x0, y0, x1, y1 = regions.foot
            pivot = np.array([(x0 + x1) / 2, y0])
        else:
            regions = dataclasses.replace(regions, foot=with_point(regions.foot, pivot, shape))
        placed = place_shank(regions, pivot, shape)
        x0, y0, x1, y1 = placed.foot
        if x1 - x0 < 2 * GRID or y1 - y0 < 2 * GRID:  # a sliver at the picture's edge is no foot
            return False
        self.regions, self.pivot = placed, pivot
        return True

    def _measure(self, k: int, t: float, pairs: PointPairs) -> Sample:
        """One frame against its key frame's level (the offline ``_chain``, causally)."""
        a, fit, n = region_rotation(pairs, self.regions.foot, moving_only=True)
        key = pairs.key
        index = self.rec.i - len(self._kept) + k
        if pairs.cut or n < MIN_FOOT_POINTS or not np.isfinite(a):
            self._level[index] = self._last
            return Sample(t, np.nan, np.nan, 0.0, n)
        s = region_rotation(pairs, self.regions.shank, moving_only=True)[0]
        base = self._level.get(key, self._last) if 0 <= key < index else (0.0, 0.0)
        foot, shank = base[0] + a, base[1] + (s if np.isfinite(s) else 0.0)
        self._level[index] = self._last = (foot, shank)
        for old in [i for i in self._level if i < index - 64]:
            del self._level[old]
        return Sample(t, foot, shank, _quality(n, fit.residual_px if fit else np.nan), n)

    def anchor_px(self) -> np.ndarray:
        """The ankle in original pixels (NaN before the foot is found)."""
        return self.pivot / self.rec.scale if self.pivot is not None else np.full(2, np.nan)

    def foot_size_px(self) -> float:
        if self.regions is None:
            return float("nan")
        x0, y0, x1, y1 = self.regions.foot
        return max(x1 - x0, y1 - y0) / self.rec.scale


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return not (b[0] >= a[2] or a[0] >= b[2] or b[1] >= a[3] or a[1] >= b[3])


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box holding both."""
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
