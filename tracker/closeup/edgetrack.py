"""Frames of a close-up → the foot's turn from rest, measured on its edges (``edges``).

Two passes over the working frames (grey, 320 px): each frame is aligned to the rest
frame (the first) by the background's motion and the changed pixels are counted, which
finds the whole foot (what changed since rest, anywhere over the set); then each frame's
edges inside the foot's box are compared with the rest frame's, and the shank above it is
measured by ``shank.ShankTurn``. Every angle is against the rest frame itself, so nothing
is chained and no error adds up.
"""
from __future__ import annotations

import dataclasses
import time
from collections import deque
from typing import Iterable

import numpy as np

from tracker.closeup.edges import (
    CHANGE_GREY,
    MIN_CHANGE_SHARE,
    EdgeTurn,
    box_turn,
    foot_box,
    gradients,
    rest_index,
    tolerant_change,
)
from tracker.closeup.motion import to_work_gray, work_scale
from tracker.closeup.shank import ShankTurn
from tracker.closeup.track import CloseupTrack

CORNERS = 300  # background corners of the rest frame followed to every frame
MIN_CORNERS = 8  # fewer followed corners align nothing (a homography needs 4; RANSAC some spare)
REST_MIN_GREY = 20  # a darker frame is no rest: a webcam starting delivers black frames, a video may fade in
REST_MIN_CONTRAST = 5.0  # ... nor is a frame this uniform (grey-level std.; a camera's blank start frame)
GAIN_RANGE = (0.5, 2.0)  # the exposure correction stays within this (a phone's: 0.7; beyond it, not exposure)
RANSAC_ITERS = 1000  # homography RANSAC (OpenCV: 2000, ~40 ms a frame when nothing agrees; 200 and 500 changed counts)
EDGE_CHANGE = 0.3  # a pixel's gradient changed by this share of the rest frame's strong edges (95th pct.)
MAX_SPEED = 0.9  # a fit that moves the rest frame's corners (median) from the last kept fit faster than this share
# of the picture's longest side per second is not the camera's motion: the last kept fit is used instead. Per second,
# not per frame, so 15, 30 and 60 fps judge one motion alike (it was 3 % a frame: live's 60 fps allowed twice offline's
# 30). 0.9 is that 3 % at offline's 30 fps. Measured, each raw fit against the one before: the tune half's hand-held
# and still close-ups at most 0.35 side/s (k012; k004, k008, k016, k042 0.16-0.23); the real ankle pumps, a still
# phone, p90 1.7 side/s at 30 fps and 2.8 at 60 (its wild fits do not scale with the frame interval)
DT_S = (1 / 120, 0.2)  # the time the limit is scaled by (since the last kept fit; for a run, since its last fit) is
# clipped to this: one wild fit costs one frame, not the time to catch up with a pan, and a slow live camera (10 fps)
# still follows 0.7 side/s; but past 0.2 s no more than 58 px at 320 (a knock further than that waits for ``HOLD_S``).
# At least a 120-fps frame's move (2.4 px: the fit's own jitter on still clips reaches 0.6 px)
HOLD_S = 0.4  # ... but fits refused this long (forward time) that agree among themselves (each within the limit of the
HOLD_FITS = 3  # one before; at least this many) are the camera really moved (a phone knocked), and the last is kept
TAKE_BACK_S = 1.0  # the changed pixels of this long (forward time) are kept to take back a wait's frames ...
TAKE_BACK_FRAMES = 600  # ... and at most this many frames (repeated time stamps do not move the clock)


class RestAligner:
    """Aligns every frame to the rest frame: corners of the rest frame followed by
    pyramidal Lucas–Kanade (from where they were last seen), a RANSAC homography (the
    floor and what is far behind it; the foot is the outliers), the frame warped back.
    A fit that jumps is not kept (``_keep``): when the legs fill the picture, the largest
    agreeing set may be a handful of points on the moving leg. Fits refused for ``HOLD_S``
    that move smoothly among themselves are the camera's new place (a phone knocked) and
    are kept from then on; a leg held that long in one place is taken for the camera too."""

    def __init__(self, rest: np.ndarray):
        import cv2

        self.rest = rest
        p = cv2.goodFeaturesToTrack(rest, CORNERS, 0.01, 6)
        self.p0 = p if p is not None else np.zeros((0, 1, 2), np.float32)
        self.last = self.p0.copy()
        self.h = np.eye(3)  # the last kept fit, rest frame → current frame
        self.side = float(max(rest.shape))
        self.t: float | None = None  # the last frame's time stamp
        self.step = 0.0
        self.now = 0.0  # forward time: the sum of the steps forward between stamps (one back or repeated: none)
        self.frame = -1  # the index of the last frame aligned
        self.kept_at = 0.0  # ``now`` of the last kept fit
        self.vel: np.ndarray | float = 0.0  # the corners' motion (px/s) between the last two kept fits
        self.run: tuple[float, float, np.ndarray, int] | None = None  # refused fits agreeing: (first, last, fit, count)
        self.refused: int | None = None  # the first frame refused since the last kept fit
        self.moved_from: int | None = None  # set when a run was just kept: frames from this one on were misaligned
        self.rest_mean = float(rest.mean())
        # can it be the rest: a picture, not a camera's dark or blank start frame (corners are
        # not required: a plain foot on a plain floor has few, and is measured unaligned)
        self.usable = self.rest_mean >= REST_MIN_GREY and float(rest.std()) >= REST_MIN_CONTRAST

    def align(self, gray: np.ndarray, t: float) -> np.ndarray:
        """The frame at ``t`` (seconds) warped onto the rest frame and matched to its exposure."""
        import cv2

        self.moved_from = None
        self.step = max(0.0, t - self.t) if self.t is not None else 0.0  # forward time since the last frame
        self.now += self.step
        self.t, self.frame = t, self.frame + 1
        if len(self.p0) < MIN_CORNERS:
            return same_exposure(gray, self.rest_mean)
        p1, st, _ = cv2.calcOpticalFlowPyrLK(self.rest, gray, self.p0, self.last.copy(), winSize=(15, 15),
                                             maxLevel=3, flags=cv2.OPTFLOW_USE_INITIAL_FLOW)
        ok = st.ravel() == 1
        if ok.sum() < MIN_CORNERS:
            return same_exposure(gray, self.rest_mean)
        h, _ = cv2.findHomography(self.p0[ok], p1[ok], cv2.RANSAC, 1.0, maxIters=RANSAC_ITERS)
        self.last = np.where(ok[:, None, None], p1, self.last)
        if h is not None:
            self._keep(h)
        if not np.array_equal(self.h, np.eye(3)):
            gray = cv2.warpPerspective(gray, self.h, (gray.shape[1], gray.shape[0]),
                                       flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        return same_exposure(gray, self.rest_mean)

    def _keep(self, h: np.ndarray) -> None:
        """Keep a fit that can be the camera's motion: the rest frame's corners (median) move
        at most ``MAX_SPEED`` from where the last kept fit puts them. Measured on the real
        ankle pumps (a still phone, the legs filling the picture): from 5.7 s RANSAC's
        largest agreeing set was 12-25 of 70-100 points, fits moved the picture's corners
        14-250 px in a 320-px frame, every edge in the foot's box changed and the turn read
        ±60° noise, counted as reps. The limit is one frame's move, or, while no two refused
        fits agree, the move since the last kept fit if the fit is where the kept fits' motion
        leads (``_on_course``; one wild fit amid a pan cost 0.4 s).
        Refused fits that agree among themselves for ``HOLD_S`` (``HOLD_FITS``) are kept: a
        phone knocked (or a leg held that long). A fit agreeing with neither the run nor the
        kept fit is skipped (a wild fit restarted the wait); it starts a new run only when the
        run is one fit or had none agreeing for ``DT_S[1]``."""
        d, joins = self.moved(h, self.h), self._joins(h)
        lone = self.run is None or (self.run[3] == 1 and not joins)  # no run of refused fits agreeing
        if d <= self.limit(self.step) or (lone and d <= self.limit(self.now - self.kept_at) and self._on_course(h)):
            pts, gap = self._placed(h), self.now - self.kept_at
            self.vel = (pts - self._placed(self.h)) / gap if gap > 0 else self.vel
            self.h, self.kept_at, self.run, self.refused = h, self.now, None, None
            return
        self.refused = self.frame if self.refused is None else self.refused
        run = self.run
        if joins:
            self.run = run = (run[0], self.now, h, run[3] + 1)
            if self.now - run[0] >= HOLD_S and run[3] >= HOLD_FITS:
                self.h, self.kept_at, self.moved_from, self.vel = h, self.now, self.refused, 0.0
                self.run = self.refused = None
        elif run is None or run[3] == 1 or self.now - run[1] > DT_S[1]:
            self.run = (self.now, self.now, h, 1)

    def _placed(self, h: np.ndarray) -> np.ndarray:
        import cv2

        return cv2.perspectiveTransform(self.p0, h)[:, 0]

    def _on_course(self, h: np.ndarray) -> bool:
        """``h`` within one frame's move of where the kept fits' last motion leads (a pan
        after a wild fit; not a still camera's wild fit two frames on: the band clip's cut)."""
        ahead = self._placed(self.h) + self.vel * min(self.now - self.kept_at, DT_S[1])
        return float(np.median(np.linalg.norm(self._placed(h) - ahead, axis=1))) <= self.limit(self.step)

    def _joins(self, h: np.ndarray) -> bool:
        """``h`` within the limit of the run's last fit (since that fit)."""
        return self.run is not None and self.moved(h, self.run[2]) <= self.limit(self.now - self.run[1])

    def limit(self, dt: float) -> float:
        """Pixels the corners may move in ``dt`` seconds: ``MAX_SPEED`` times ``dt`` clipped to ``DT_S``."""
        return MAX_SPEED * self.side * float(np.clip(dt, *DT_S))

    def moved(self, h: np.ndarray, ref: np.ndarray) -> float:
        """Median distance between the rest frame's corners as ``h`` and as ``ref`` place them."""
        import cv2

        d = cv2.perspectiveTransform(self.p0, h) - cv2.perspectiveTransform(self.p0, ref)
        return float(np.median(np.linalg.norm(d[:, 0], axis=1)))


class ChangeSum:
    """Per pixel, the share of aligned frames that changed since rest (``foot_box`` finds the
    foot in it). The frames aligned with the old fit while a camera move was being confirmed
    (from the first refusal since the last kept fit, ``RestAligner.moved_from``) are taken
    back: what changed there was the camera (measured on a synthetic knocked phone, they grew
    the live foot's box mid-rep and a rep was refused). Kept to take back: ``TAKE_BACK_S``
    of forward time, packed bits (at 240 fps the 0.4-s wait is ~100 frames)."""

    def __init__(self, rest: np.ndarray):
        self.rest = rest
        self.total = np.zeros(rest.shape, np.float32)
        self.n = 0
        self.recent: deque[tuple[int, float, np.ndarray]] = deque(maxlen=TAKE_BACK_FRAMES)

    def add(self, aligned: np.ndarray, al: RestAligner) -> None:
        """The frame ``al`` just aligned; first the misaligned frames taken back if it just moved."""
        while al.moved_from is not None and self.recent and self.recent[-1][0] >= al.moved_from:
            self.total -= np.unpackbits(self.recent.pop()[2], count=self.rest.size).reshape(self.rest.shape)
            self.n -= 1
        changed = tolerant_change(aligned, self.rest) > CHANGE_GREY
        self.total += changed
        self.n += 1
        self.recent.append((al.frame, al.now, np.packbits(changed)))
        while al.now - self.recent[0][1] > TAKE_BACK_S:
            self.recent.popleft()

    def share(self) -> np.ndarray:
        return self.total / max(self.n, 1)


def same_exposure(gray: np.ndarray, mean: float) -> np.ndarray:
    """The frame scaled to the rest frame's mean brightness: a phone's automatic exposure
    brightens the whole picture as a leg moves out of it (a real clip: 94 to 132 grey levels),
    which would change every edge. The gain is kept within ``GAIN_RANGE``: a black frame is
    not brightened into noise, nor is a frame darkened to black against a dark rest frame."""
    import cv2

    m = float(gray.mean())
    if m < 1.0 or abs(m - mean) < 0.5:
        return gray
    return cv2.convertScaleAbs(gray, alpha=float(np.clip(mean / m, *GAIN_RANGE)))


def edge_track(frames: Iterable, width: int, height: int, progress=None) -> CloseupTrack:
    """Every frame of a video (objects with ``.t`` and ``.image``) → the foot's turn from rest.
    The rest frame is the first usable one (``RestAligner.usable``: dark frames before it are
    not measured); when the frame size changes, the measurement starts over from there."""
    t0 = time.perf_counter()
    scale = work_scale(width, height)
    ts, aligned, aligner, persist = [], [], None, None
    for fr in frames:
        if progress is not None:
            progress.update(1)
        g = to_work_gray(fr.image, scale)
        if aligner is None or g.shape != aligner.rest.shape:
            if not (rest := RestAligner(g)).usable:
                continue
            aligner, persist = rest, ChangeSum(g)
            ts, aligned = [], []
        a = aligner.align(g, fr.t)
        persist.add(a, aligner)
        ts.append(fr.t)
        aligned.append(a)
    n = len(ts)
    t = np.asarray(ts, float)
    found = foot_box(persist.share()) if n > 2 else None
    if found is None:
        ms = 1000.0 * (time.perf_counter() - t0) / max(1, n)
        nan = np.full(n, np.nan)
        return CloseupTrack(t, nan, nan.copy(), np.zeros(n), np.zeros(n), nan.copy(), None, float("nan"),
                            np.full((n, 2), np.nan), ms)
    box, strength = found
    foot, weight = turns(aligned, box)
    rest = rest_index(foot, t)
    if rest:  # the video starts off rest: measured again from the rest frame
        foot, weight = turns(aligned, box, rest)
    shank = ShankTurn(aligned[rest], box)
    shank_deg = np.array([shank.turn(a) for a in aligned])
    ms = 1000.0 * (time.perf_counter() - t0) / max(1, n)
    return dataclasses.replace(track_of(t, foot, weight, box, strength, scale, ms, shank_deg, shank.band),
                               rest_t=float(t[rest]) if rest else None)


class BoxTurn:
    """The foot's box measured against the rest frame: its rest gradients (computed once)
    and, per aligned frame, the turn of the edges that changed inside it."""

    MARGIN = 4  # pixels around the box for the smoothing and Sobel kernels

    def __init__(self, rest: np.ndarray, box: tuple[int, int, int, int]):
        x0, y0, x1, y1 = box
        self.box = box
        self.cx0, self.cy0 = max(0, x0 - self.MARGIN), max(0, y0 - self.MARGIN)
        self.crop = (x0 - self.cx0, y0 - self.cy0, x1 - self.cx0, y1 - self.cy0)
        self.ref = gradients(self._sub(rest))
        self.tau = EDGE_CHANGE * max(1e-3, float(np.percentile(np.hypot(*gradients(rest)), 95)))

    def _sub(self, a: np.ndarray) -> np.ndarray:
        return a[self.cy0:self.box[3] + self.MARGIN, self.cx0:self.box[2] + self.MARGIN]

    def turn(self, aligned: np.ndarray) -> EdgeTurn:
        cur = gradients(self._sub(aligned))
        changed = np.hypot(cur[0] - self.ref[0], cur[1] - self.ref[1]) > self.tau
        return box_turn(self.ref, cur, changed, self.crop)


def turns(aligned: list[np.ndarray], box: tuple[int, int, int, int], rest: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(turn from the rest frame ``rest`` per frame, changed edge weight) of the foot's box;
    frames whose changed weight is tiny against the set's largest are at rest (0)."""
    m = BoxTurn(aligned[rest], box)
    e = [m.turn(a) for a in aligned]
    out, w = np.array([x.angle_deg for x in e]), np.array([x.weight for x in e])
    out[w < MIN_CHANGE_SHARE * max(1e-9, float(w.max()))] = 0.0
    return out, w


def track_of(t: np.ndarray, foot: np.ndarray, weight: np.ndarray, box: tuple[int, int, int, int],
             strength: float, scale: float, ms: float, shank: np.ndarray | None = None,
             shank_box: tuple[int, int, int, int] | None = None) -> CloseupTrack:
    """A ``CloseupTrack`` of the edge measurement (``shank``: its turn per frame, None: 0;
    ``shank_box``: where it was measured, None: out of view)."""
    from tracker.closeup.motion import Regions

    n = len(t)
    x0, y0, x1, y1 = box
    anchor = np.tile(np.array([(x0 + x1) / 2, y0]) / scale, (n, 1))
    regions = Regions(box, shank_box or (x0, y0, x1, y0), strength)
    return CloseupTrack(t, foot, np.zeros(n) if shank is None else shank, np.ones(n), weight, np.full(n, np.nan),
                        regions, max(x1 - x0, y1 - y0) / scale, anchor, ms)
