"""Where a leg rested before a rep, and how it moved from there (pure numpy).

A rep's window opens once the foot has moved some way (a frame or two later live), so a
movement measured from the window's first frame misses its start: a knee swing has already
turned the shank. Measured from where the leg rested just before the window, both drivers read
the same (live keeps those frames: ``counting.live._FrameLog``).
"""
from __future__ import annotations

import warnings

import numpy as np

# Where the leg rested: its median over this long before the rep's window. The window opens once
# the foot has moved some way, a frame or two later live; the frames before it are the same.
LEG_REST_S = 0.5
# A point's position during the rep: its median over this long (a time, not a number of frames,
# so 15 and 60 fps read alike), so a landmark's jump lasting under half of it is no travel.
LEG_MEDIAN_S = 0.4
# The heel-raise knee check (``measure._knee_rise``) reads the knee over the rep's top, its frames within
# this share of the rep's excursion, against the knee where the heel was down, within 1 - this share of
# rest. Its own constant (the engine's ``HOLD_SHARE`` is 0.8 too), so tuning holds does not move the check.
KNEE_TOP_SHARE = 0.8

def leg_median(xy: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(N, K, 2): each point's median over the ``LEG_MEDIAN_S`` around each frame (of these
    frames only: the rep's, the same in both drivers); NaN where the point was seen in fewer
    than half of them."""
    left = np.searchsorted(t, t - 0.5 * LEG_MEDIAN_S, "left")
    right = np.searchsorted(t, t + 0.5 * LEG_MEDIAN_S, "right")
    idx = left[:, None] + np.arange(int(np.max(right - left)))[None]  # (N, M) frames around each
    inside = idx < right[:, None]
    near = np.where(inside[:, :, None, None], xy[np.minimum(idx, len(xy) - 1)], np.nan)  # (N, M, K, 2)
    seen = np.isfinite(near).all(axis=3).sum(axis=1)  # (N, K)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: the point not seen
        out = np.nanmedian(near, axis=1)
    out[seen * 2 < inside.sum(axis=1)[:, None]] = np.nan
    return out


def leg_rest(t: np.ndarray, leg_xy: np.ndarray, start: int) -> np.ndarray:
    """(K, 2): where each of knee, ankle, heel and toe rested before the rep whose window opens
    at frame ``start``: the median over the ``LEG_REST_S`` before it (live keeps those frames);
    for a point not seen then, over the rep's first ``LEG_MEDIAN_S``. The window opens once the
    foot has moved some way, at a slightly different frame live: the frames before it are
    where the leg rested in both."""
    lo = int(np.searchsorted(t, t[start] - LEG_REST_S, "left"))
    hi = int(np.searchsorted(t, t[start] + LEG_MEDIAN_S, "right"))
    rest = np.full(leg_xy.shape[1:], np.nan)
    for part in (leg_xy[lo:start], leg_xy[start:hi]):
        todo = (np.isfinite(part).all(axis=2).sum(axis=0) >= 2) & ~np.isfinite(rest).all(axis=1)
        if todo.any():
            rest[todo] = np.nanmedian(part[:, todo], axis=0)
    return rest


def knee_levels(t: np.ndarray, rel: np.ndarray, knee: np.ndarray, start: int) -> tuple[float, float]:
    """(top, rest): the knee's median height over the rep's top and where the heel was down. ``rel``:
    the signal from the rep's rest in its direction, ``knee`` the knee's height (up +), both on one
    clock, over the frames from at least ``LEG_REST_S`` before the window (frame ``start``) to its end.
    Top: the window's frames within ``KNEE_TOP_SHARE`` of its highest. Rest: those within 1 -
    ``KNEE_TOP_SHARE`` of rest in the ``LEG_REST_S`` before the window and in the window (its first
    frame, its landing). Why not the 0.5 s before the window alone: reps with no pause put the last
    rep's top and descent there, and when those frames are unseen ``leg_rest`` falls back to the
    rise itself; either reads the knee's rest near its top and refuses true reps. NaN for a level
    with no frame (rest: fewer than 2)."""
    k = np.arange(len(t))
    seen = np.isfinite(rel) & np.isfinite(knee)
    win = seen & (k >= start)
    if not win.any():
        return float("nan"), float("nan")
    exc = float(np.max(rel[win]))
    if exc <= 0:
        return float("nan"), float("nan")
    top = win & (rel >= KNEE_TOP_SHARE * exc)
    low = seen & (k >= np.searchsorted(t, t[start] - LEG_REST_S, "left")) & (rel <= (1 - KNEE_TOP_SHARE) * exc)
    return (float(np.median(knee[top])) if top.any() else float("nan"),
            float(np.median(knee[low])) if low.sum() >= 2 else float("nan"))


def shank_turn(t: np.ndarray, leg_xy: np.ndarray, rest: np.ndarray) -> float:
    """How far the shank swung about the knee over the frames ``leg_xy`` (n, 4, 2: knee, ankle,
    heel, toe) from where it rested (``rest``, ``leg_rest``): the knee->ankle direction's largest
    turn, degrees, each point a median over ``LEG_MEDIAN_S``. 0 when the knee travelled as far as
    the ankle (the shank leaned over a foot that stayed: a restless knee, a standing toe raise
    rocking the body) or knee and ankle were not seen before and in half of the frames."""
    med = leg_median(leg_xy[:, :2], t)
    v, v0 = med[:, 1] - med[:, 0], rest[1] - rest[0]
    turn = np.degrees(np.arctan2(v[:, 0], v[:, 1]) - np.arctan2(v0[0], v0[1]))
    turn = np.abs((turn + 180.0) % 360.0 - 180.0)
    ok = np.isfinite(turn)
    if not ok.any() or ok.sum() * 2 < len(turn):
        return 0.0
    knee, ankle = (np.max(np.linalg.norm(med[ok, k] - rest[k], axis=1)) for k in (0, 1))
    return float(np.max(turn[ok])) if ankle > knee else 0.0


def rest_travel(t: np.ndarray, xy: np.ndarray, rest: np.ndarray) -> float:
    """Farthest the point ``xy`` (n, 2; its median over ``LEG_MEDIAN_S``) got from ``rest``, pixels;
    0 unless it was seen at rest and in half of the frames."""
    d = np.linalg.norm(leg_median(xy[:, None], t)[:, 0] - rest, axis=1)
    ok = np.isfinite(d)
    return float(np.max(d[ok])) if ok.any() and ok.sum() * 2 >= len(d) else 0.0
