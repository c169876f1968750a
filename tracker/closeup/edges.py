"""The foot's turn from its edges, compared with the rest frame (nothing chained).

Why edges and not flow: a plain foot (bare skin, a sock) has little texture, and dense
flow spreads its motion onto the still background, so a rigid fit reads a fraction of
the turn. Its outline still turns with it. Each frame is aligned to the rest frame by
the background's motion (a hand-held phone), the pixels that changed since rest are
kept (still edges, in both frames at the same place, carry no rotation and would pull
the answer to 0), and the turn is the circular shift that best aligns the rest frame's
edge-direction histogram with the current one's (gradient orientations weighted by
magnitude): the turn directly, not an average diluted by still edges.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BINS = 360  # one-degree bins of gradient direction (signed: the foot is lighter or darker than behind it)
SMOOTH_BINS = 2.0  # Gaussian smoothing of a histogram, bins (edges are not perfectly straight)
MAX_TURN_DEG = 60.0  # a foot turns less than this from rest
ZERO_DEG = 2.0  # a highest peak within this of 0 (the histograms' smoothing) is the still one ...
PEAK_SHARE = 0.9  # ... a correlation peak this close to the highest, both measured above the correlation's floor
# (its lowest value within ±MAX_TURN_DEG), may be the turn (``turn_peak``) ...
MIN_CONTRAST = 0.5  # ... when the highest stands out of the floor by at least this share of its height (a broad
# histogram: carpet, a knit sock, noise, has a floor near its top and every ripple would pass) ...
MIN_ASYMMETRY = 0.3  # ... and the rival stands above the correlation at its opposite lag by this share of the
# height above the floor (a still or periodic texture's correlation is nearly symmetric, c(k) = c(-k); a turn is not).
# Tune half: k008's rivals taken at its rep tops have floor/top <= 0.10, asymmetry 0.35-0.70; the two it took at
# rest with the wrong sign under raw heights, 0.26 and 0.13; k012's, floor 0.28-0.38, asymmetry 0.32-0.44.
# k008 3 of 3 live at PEAK_SHARE 0.8-0.9, MIN_ASYMMETRY 0.2, MIN_CONTRAST 0.4. Not a margin: report k041 (still,
# hand-held) counts 1 false rep live at PEAK_SHARE 0.85 (0 at 0.9; MIN_ASYMMETRY 0.2-0.4, MIN_CONTRAST 0.4-0.6: 0)
TOL_PX = 2  # a change must exceed what a shift of this many pixels explains (parallax, residual shake)
CHANGE_GREY = 10  # ... by this many grey levels (tune median gain: 15 -> 0.62, 10 -> 0.70, counts
# the same; 22: both front views lost)
PERSIST = 0.03  # the foot region: pixels changed in at least this share of frames
MIN_CHANGE_SHARE = 0.02  # a frame whose changed edge weight is below this share of the set's
# largest is at rest (0): too few changed pixels locate no turn
STILL_DEG_S = 20.0  # a frame turning slower than this (5-frame median) is still
LEVEL_DEG = 4.0  # still frames are grouped into levels this wide; the first frame is the rest when its
# level is within this of the most common one ...
START_REST_SHARE = 0.5  # ... or the foot stills at the first frame's level at least this share as often as at
# the most common level (measured: a bent-knee heel raise held up longer than down, 0.58, starts at rest; the
# tune clips cut to start at a rep's top, 0.07-0.46)


def gradients(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel gradients of a lightly smoothed grey image (float32)."""
    import cv2

    b = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 1.0)
    return cv2.Sobel(b, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(b, cv2.CV_32F, 0, 1, ksize=3)


def orientation_histogram(gx: np.ndarray, gy: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(BINS,) gradient directions weighted by ``weight``, circularly smoothed."""
    ang = np.degrees(np.arctan2(gy, gx)) % 360.0
    idx = (ang * (BINS / 360.0)).astype(np.int64) % BINS
    h = np.bincount(idx.ravel(), weights=weight.ravel().astype(np.float64), minlength=BINS)
    r = int(4 * SMOOTH_BINS)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / SMOOTH_BINS) ** 2)
    return np.convolve(np.concatenate([h[-r:], h, h[:r]]), k, "valid")


def histogram_rotation(h_ref: np.ndarray, h_cur: np.ndarray, max_deg: float = MAX_TURN_DEG) -> float:
    """Degrees that ``h_ref`` must turn to best match ``h_cur`` (circular cross-correlation,
    peak within ±max_deg refined by a parabola; counter-clockwise in image axes x right, y down).
    A highest peak at 0 gives way to a rival nearly as high (``turn_peak``)."""
    n = len(h_ref)
    c = np.real(np.fft.ifft(np.fft.fft(h_cur) * np.conj(np.fft.fft(h_ref))))
    lags = np.arange(n)
    lags[lags > n // 2] -= n
    step = 360.0 / n
    c = np.where(np.abs(lags) * step <= max_deg, c, -np.inf)
    i = turn_peak(c, lags)
    y0, y1, y2 = c[i - 1], c[i], c[(i + 1) % n]
    den = y0 - 2 * y1 + y2
    frac = 0.5 * (y0 - y2) / den if np.isfinite(den) and den < 0 else 0.0
    return float((lags[i] + frac) * step)


def turn_peak(c: np.ndarray, lags: np.ndarray) -> int:
    """The index of the turn in the correlation ``c`` (-inf outside the allowed lags): the highest
    peak, unless it is at 0 (within ``ZERO_DEG``) and another local maximum is nearly as high
    (``PEAK_SHARE``) and stands out (``rival_mask``): then the highest of those. Why: the changed
    pixels hold, besides the foot in both places, background the foot uncovered (in the current
    frame) and covers (in the rest frame); neither turned, so they add a peak at 0 that rivals the
    foot's own. On tune k008 (toe raise, socks, hand-held) the two were within a few per cent of
    each other and the reading flipped between -16° and 0° on consecutive frames. (Taking the rival
    farthest from 0 whatever the highest peak's place also picked far peaks of the other sign:
    report k017 3 -> 5 reps.)"""
    ok = np.isfinite(c)
    best = int(np.argmax(c))
    step = 360.0 / len(c)
    if abs(lags[best]) * step > ZERO_DEG:
        return best
    rivals = np.flatnonzero(rival_mask(c, lags))
    return int(rivals[np.argmax(c[rivals])]) if len(rivals) and ok.any() else best


def rival_mask(c: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """The local maxima of ``c`` away from 0 that may beat a highest peak at 0. Heights are taken
    above the floor (``c``'s lowest allowed value): the histograms are not negative, so ``c`` sits on
    a floor of about sum(h_ref) sum(h_cur) / BINS, near its top for a broad histogram, where raw
    heights made every ripple a rival (a review: a still noisy texture read 30-54°, the old rule
    2°). A rival must be within ``PEAK_SHARE`` of the top above the floor, the top must stand out of
    the floor (``MIN_CONTRAST``), and the rival must stand above its mirror lag (``MIN_ASYMMETRY``):
    a still 45° lattice correlates as well at ±45° as at 0 (read 45°), a turned foot only one way."""
    ok = np.isfinite(c)
    none = np.zeros(len(c), bool)
    if not ok.any():
        return none
    top, floor = float(c[ok].max()), float(c[ok].min())
    span = top - floor
    if top <= 0 or span < MIN_CONTRAST * top:
        return none
    left, right = np.roll(c, 1), np.roll(c, -1)  # a maximum has a neighbour on each side within the lags
    peak = ok & np.isfinite(left) & np.isfinite(right) & (c > left) & (c >= right)
    h = np.where(ok, (c - floor) / span, 0.0)
    mirror = h[(-np.arange(len(c))) % len(c)]
    return peak & (np.abs(lags) * (360.0 / len(c)) > ZERO_DEG) & (h >= PEAK_SHARE) & (h - mirror >= MIN_ASYMMETRY)


def tolerant_change(cur: np.ndarray, ref: np.ndarray, tol_px: int = TOL_PX) -> np.ndarray:
    """Grey levels by which ``cur`` differs from ``ref`` beyond what shifting either by up to
    ``tol_px`` explains (both ways): thin residuals of parallax and shake drop out, a foot
    that moved into or out of a place does not."""
    import cv2

    k = np.ones((2 * tol_px + 1, 2 * tol_px + 1), np.uint8)
    c, r = cur.astype(np.int16), ref.astype(np.int16)
    d1 = np.maximum(np.maximum(c - cv2.dilate(ref, k).astype(np.int16), cv2.erode(ref, k).astype(np.int16) - c), 0)
    d2 = np.maximum(np.maximum(r - cv2.dilate(cur, k).astype(np.int16), cv2.erode(cur, k).astype(np.int16) - r), 0)
    return np.minimum(d1, d2)


@dataclass(frozen=True)
class EdgeTurn:
    """One frame's turn from rest and the edge weight it rests on."""

    angle_deg: float
    weight: float  # changed edge weight in the box (0: nothing changed: at rest)


def box_turn(ref_g: tuple[np.ndarray, np.ndarray], cur_g: tuple[np.ndarray, np.ndarray], changed: np.ndarray,
             box: tuple[int, int, int, int]) -> EdgeTurn:
    """The turn of the edges that changed inside ``box`` (x0, y0, x1, y1) between the rest
    frame's gradients and the current ones. ``changed``: a boolean mask of the whole frame."""
    x0, y0, x1, y1 = box
    m = changed[y0:y1, x0:x1]
    rx, ry = (a[y0:y1, x0:x1] for a in ref_g)
    cx, cy = (a[y0:y1, x0:x1] for a in cur_g)
    wr, wc = np.hypot(rx, ry) * m, np.hypot(cx, cy) * m
    weight = float(min(wr.sum(), wc.sum()))
    if weight <= 1.0:
        return EdgeTurn(0.0, 0.0)
    return EdgeTurn(histogram_rotation(orientation_histogram(rx, ry, wr), orientation_histogram(cx, cy, wc)), weight)


def change_blobs(persist: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blobs that changed since rest in at least ``PERSIST`` of frames (opened, so thin
    residue drops out): (labels, their ``cv2`` stats, score per label). A blob's score is its
    changed share weighted toward the bottom of the picture (the feet are low); the background's is 0."""
    import cv2

    on = cv2.morphologyEx((persist > PERSIST).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    n, lab, st, _ = cv2.connectedComponentsWithStats(on, connectivity=8)
    rows = np.arange(persist.shape[0])[:, None] / max(1, persist.shape[0])
    score = np.bincount(lab.ravel(), weights=(persist * (0.5 + rows)).ravel().astype(np.float64), minlength=n)
    score[0] = 0.0
    return lab, st, score


def blob_box(stats: np.ndarray, shape: tuple[int, int], height_per_width: float = 1.0) -> tuple[int, int, int, int]:
    """One blob's box (x0, y0, x1, y1), keeping at most ``height_per_width`` of its width from
    the bottom up (a foot is longer than high from the side; above it, the shank), padded."""
    x, y, w, h = (int(v) for v in stats[:4])
    h2 = min(h, max(1, int(height_per_width * w)))
    y = y + h - h2
    pad = 4
    hh, ww = shape
    return max(0, x - pad), max(0, y - pad), min(ww, x + w + pad), min(hh, y + h2 + pad)


def foot_box(persist: np.ndarray, height_per_width: float = 1.0) -> tuple[tuple[int, int, int, int], float] | None:
    """The foot: the blob that changed since rest most often, weighted toward the bottom of
    the picture (``change_blobs``), its box from ``blob_box``. (box, strength) or None."""
    lab, st, score = change_blobs(persist)
    best = int(np.argmax(score)) if len(score) > 1 else 0
    if not best or score[best] <= 0.0:
        return None
    return blob_box(st[best], persist.shape, height_per_width), float(persist[lab == best].mean())


def rest_index(angle: np.ndarray, t: np.ndarray) -> int:
    """The frame to measure from: the first, unless the foot stills far more often at
    another level (a video that starts mid-rep); then the still frame nearest that level.
    ``angle``: the turn from the first frame. A rest the foot also stills at often enough
    stays the rest: a heel may be held up longer than it rests."""
    n = len(angle)
    if n < 5:
        return 0
    pad = np.pad(angle, 2, mode="edge")
    sm = np.median(np.stack([pad[k:k + n] for k in range(5)]), axis=0)
    still = np.abs(np.gradient(sm, t)) < STILL_DEG_S
    if still.sum() < 3:
        return 0
    levels, counts = np.unique(np.round(sm[still] / LEVEL_DEG), return_counts=True)
    level = float(levels[np.argmax(counts)]) * LEVEL_DEG
    at_start = counts[levels == np.round(sm[0] / LEVEL_DEG)].sum()
    if abs(level - sm[0]) <= LEVEL_DEG or at_start >= START_REST_SHARE * counts.max():
        return 0
    cand = np.flatnonzero(still)
    return int(cand[np.argmin(np.abs(sm[cand] - level))])
