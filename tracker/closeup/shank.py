"""The shank's turn in a close-up: a rigid fit of tracked points in a band above the foot.

Why: a whole leg swinging from the knee turns the foot in the picture like a rep; only the
shank turning with it tells the two apart (the cue: start the movement from the ankle).
The band sits a foot's size above the foot's box (a rising toe sweeps up to about half a
foot length above the sole, so a band touching the box reads the foot), a foot's size
to each side (the shank rises from one end of the foot, which end depends on the view).
The edge-histogram turn of the foot (``edges``) does not suit it: a swinging shank mostly
slides across the band and the floor it uncovers reads as noise (measured 30-100° peak to
peak for a 12° swing). Points do: corners of the rest frame in the band are followed by
Lucas–Kanade, and when enough of them moved *across their edge* (a point on a straight
edge slides along it without anything moving) the turn is a RANSAC similarity fit of the
moved points. A still shank has no moved points: its turn is exactly 0.
"""
from __future__ import annotations

import numpy as np

BAND_GAP = 1.0  # foot sizes between the top of the foot's box and the band's bottom
BAND_HEIGHT = 0.6  # the band's height, foot sizes
MIN_FOOT_SHARE = 0.25  # a foot's size is taken as at least this share of the picture's height: a box
# may hold only the toes (a front view, a small turn), and a band that close reads the foot (synthetic 5°
# turn at 0.15: its top edge by the ankle "turned" the shank 8° on single frames)
MIN_BAND_PX = 16  # a band lower or narrower than this (working pixels) is not measured: the shank is out of view
CORNERS = 150
MOVED_PX = 1.5  # a point moved when it crossed its own edge by this much (working pixels)
MIN_MOVED = 6  # ... and the shank turned when at least this many points moved
MOVED_SHARE = 0.1  # ... and at least this share of the band's points (the rest may be floor behind it)
# Pyramid levels: at 3, the coarse levels see the foot moving under the band and drag still
# points with it (measured: 48 of 150 points "moved" 1.5 px on a still synthetic shank; at 1: none)
LK_LEVELS = 1


def shank_band(box: tuple[int, int, int, int], shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The band above the foot's ``box`` (x0, y0, x1, y1) where the shank is, or None when it
    is out of the picture (a foot filling the lower half leaves no room above it)."""
    x0, y0, x1, y1 = box
    size = max(x1 - x0, y1 - y0, MIN_FOOT_SHARE * shape[0])
    bottom = int(y0 - BAND_GAP * size)
    top = int(bottom - BAND_HEIGHT * size)
    band = (max(0, int(x0 - size)), max(0, top), min(shape[1], int(x1 + size)), max(0, bottom))
    if band[3] - band[1] < MIN_BAND_PX or band[2] - band[0] < MIN_BAND_PX:
        return None
    return band


class ShankTurn:
    """The shank's turn from the rest frame, frame by frame (aligned working frames in order:
    each point is looked for from where it was last seen)."""

    def __init__(self, rest: np.ndarray, box: tuple[int, int, int, int]):
        import cv2

        from tracker.closeup.edges import gradients

        self.rest, self.band = rest, shank_band(box, rest.shape)
        self.p0 = np.zeros((0, 1, 2), np.float32)
        if self.band is not None:
            x0, y0, x1, y1 = self.band
            mask = np.zeros_like(rest)
            mask[y0:y1, x0:x1] = 255
            p = cv2.goodFeaturesToTrack(rest, CORNERS, 0.01, 4, mask=mask)
            self.p0 = p if p is not None else self.p0
        xy = self.p0[:, 0].round().astype(int)
        gx, gy = gradients(rest)
        n = np.stack([gx[xy[:, 1], xy[:, 0]], gy[xy[:, 1], xy[:, 0]]], axis=1)
        self.normal = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-6)
        self.last = self.p0.copy()

    def turn(self, aligned: np.ndarray) -> float:
        """Degrees the shank turned since rest (same sense as ``edges.histogram_rotation``)."""
        import cv2

        if len(self.p0) < MIN_MOVED:
            return 0.0
        p1, st, _ = cv2.calcOpticalFlowPyrLK(self.rest, aligned, self.p0, self.last.copy(), winSize=(15, 15),
                                             maxLevel=LK_LEVELS, flags=cv2.OPTFLOW_USE_INITIAL_FLOW)
        ok = st.ravel() == 1
        self.last = np.where(ok[:, None, None], p1, self.last)
        across = np.abs(np.sum((p1 - self.p0)[:, 0] * self.normal, axis=1))
        moved = ok & (across > MOVED_PX)
        if moved.sum() < max(MIN_MOVED, MOVED_SHARE * len(self.p0)):
            return 0.0
        m, inliers = cv2.estimateAffinePartial2D(self.p0[moved], p1[moved], method=cv2.RANSAC,
                                                 ransacReprojThreshold=2.0)
        if m is None or int(inliers.sum()) < MIN_MOVED:
            return 0.0
        return float(np.degrees(np.arctan2(m[1, 0], m[0, 0])))
