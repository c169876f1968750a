"""The foot's in-plane turn per frame and per foot, computed causally in the pose step.

Why in the pose step: the turn is read from the pixels (``tracker.pose.foot_roi``: the
moved corners of a box that follows the ankle, against a rest box), and only the pose step
has the picture; a recording keeps the result, so ``analyze`` of a recording and the live
loop count the same per-frame numbers. Why causal: one engine serves both, and live cannot
look ahead. Per foot:

- the box centre is the ankle plus the ankle-to-foot offset, through a running median of the
  last ``SMOOTH`` frames (landmark jitter; lags two frames);
- the rest box is taken once the foot's landmarks have stayed within ``STILL_FRAC`` box sides
  for ``STILL_S``; its side (``ROI_SHANKS`` shank lengths) and offset are frozen with it, so
  every later box is cut at the same scale;
- it is re-taken (again once still) when the foot was not seen for ``LOST_S``, when the box
  has moved more than ``MOVE_FRAC`` box sides from the rest box (the person moved the foot),
  or when the turn has been unmeasurable for ``LOST_S``.

The turn is in image axes (positive: clockwise on screen), as ``foot_roi`` gives it; NaN
before a rest box exists or when it cannot be measured. Cost: about 1 ms per foot and frame, at
most a few ms for a box as wide as a 1080x1920 phone picture (``foot_roi.box_crop``).
"""
from __future__ import annotations

from collections import deque

import numpy as np

from tracker.pose import foot_roi as fr
from tracker.pose.landmarks import LEG, SIDES

STILL_S = 0.4  # the foot still this long before a rest box is taken
STILL_FRAC = 0.05  # "still": every landmark of the foot within this share of the box side of its median
MOVE_FRAC = 0.35  # the box this far (box sides) from the rest box: the foot was moved, re-take
LOST_S = 1.0  # unseen or unmeasurable this long: re-take
SEEN = 0.5  # ankle and knee visibility for the foot to count as seen
HISTORY = 150  # frames of shank lengths and offsets the frozen values are medians of


class _Foot:
    """One foot's rest box and running state."""

    def __init__(self):
        self.centres: deque[np.ndarray] = deque(maxlen=fr.SMOOTH)
        self.shanks: deque[float] = deque(maxlen=HISTORY)
        self.offsets: deque[np.ndarray] = deque(maxlen=HISTORY)
        self.recent: deque[tuple[float, np.ndarray]] = deque()  # (t, foot points) for stillness
        self.rest: fr.RestBox | None = None
        self.rest_centre: np.ndarray | None = None
        self.side_px = 0.0
        self.offset = np.zeros(2)
        self.last_ok = -np.inf  # last time the foot was seen / measured
        self.last_seen = -np.inf

    def drop(self) -> None:
        self.rest, self.rest_centre = None, None
        self.centres.clear()
        self.recent.clear()

    def _still(self, t: float, pts: np.ndarray, side_px: float) -> bool:
        self.recent.append((t, pts))
        while self.recent and self.recent[0][0] < t - STILL_S:
            self.recent.popleft()
        if len(self.recent) < 3 or t - self.recent[0][0] < 0.8 * STILL_S:
            return False
        arr = np.stack([p for _, p in self.recent])  # (k, 3, 2)
        return bool(np.max(np.abs(arr - np.median(arr, axis=0))) <= STILL_FRAC * side_px)

    def step(self, image: np.ndarray, t: float, knee, ankle, heel, toe) -> fr.BoxTurn:
        """One frame: the turn of this foot's box from its rest box (``image``: the whole picture)."""
        if t - self.last_seen > LOST_S:
            self.drop()
        self.last_seen = t
        self.shanks.append(float(np.hypot(*(knee - ankle))))
        self.offsets.append((ankle + heel + toe) / 3.0 - ankle)
        side_px = fr.ROI_SHANKS * float(np.median(self.shanks)) if self.rest is None else self.side_px
        offset = np.median(np.stack(self.offsets), axis=0) if self.rest is None else self.offset
        self.centres.append(ankle + offset)
        centre = np.median(np.stack(self.centres), axis=0)
        still = self._still(t, np.stack([ankle, heel, toe]), side_px)
        if self.rest is not None and (np.hypot(*(centre - self.rest_centre)) > MOVE_FRAC * side_px
                                      or t - self.last_ok > LOST_S):
            self.rest = None
        if self.rest is None:
            if not still or not fr.box_fits(ankle + offset, side_px, image.shape):
                return fr.BoxTurn(float("nan"), 0)
            self.side_px, self.offset = side_px, offset
            self.centres.clear()
            self.centres.append(ankle + offset)
            self.rest_centre, centre = ankle + offset, ankle + offset
            self.rest = fr.RestBox(fr.box_crop(image, centre, side_px))
            self.last_ok = t
        if not fr.box_fits(centre, self.side_px, image.shape):  # absurd landmarks: no box to cut
            return fr.BoxTurn(float("nan"), 0)
        box = fr.align_top(self.rest.rest, fr.box_crop(image, centre, self.side_px))
        out = self.rest.turn(box)
        if np.isfinite(out.angle_deg):
            self.last_ok = t
        return out


class FootTurns:
    """Both feet's turns, frame by frame: ``step(image, t, pixels, visibility)`` →
    (turn (2,) degrees, moved corners (2,)), left then right (``SIDES``)."""

    def __init__(self):
        self.feet = {s: _Foot() for s in SIDES}

    def measure(self, image: np.ndarray, pf):
        """``pf`` (a ``PoseFrame`` of ``image``) with its ``foot_turn`` and ``foot_moved`` set."""
        pf.foot_turn, pf.foot_moved = self.step(image, pf.t, pf.pixels if pf.detected else None, pf.visibility)
        return pf

    def step(self, image: np.ndarray, t: float, px: np.ndarray | None, vis: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray]:
        turn, moved = np.full(2, np.nan, np.float32), np.zeros(2, np.int16)
        if px is None or not np.isfinite(px[:, 0]).any():
            return turn, moved
        pts = {}
        for s in SIDES:
            leg = LEG[s]
            p = px[[leg["knee"], leg["ankle"], leg["heel"], leg["toe"]]].astype(float)
            if np.isfinite(p).all() and min(vis[leg["knee"]], vis[leg["ankle"]]) >= SEEN:
                pts[s] = p
        if not pts:
            return turn, moved
        for i, s in enumerate(SIDES):
            if s in pts:
                r = self.feet[s].step(image, t, *pts[s])
                turn[i], moved[i] = r.angle_deg, r.moved
        return turn, moved

