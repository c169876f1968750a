"""A close-up's foot rotation → one set of reps (method ``closeup-motion``).

Why a driver of its own and not ``offline``: there are no landmarks, so no visibility,
no left/right and no camera side; the signal is the foot's turn in the picture from the
rest frame (``tracker/closeup/edgetrack.py``). Everything that decides and measures a rep
is shared with the other methods: the same engine and the same rest and range, through
``offline.find_excursions`` (``rolling_baseline``, ``learn_range``, ``local_range``) and the
same ``number_reps``.
"""
from __future__ import annotations

import numpy as np

from tracker.closeup.track import CloseupTrack
from tracker.counting.measure import CLOSEUP_COMPENSATION_RATIO, RepContext, number_reps
from tracker.counting.offline import SetResult, find_excursions
from tracker.counting.rest import estimate_direction
from tracker.exercises import Exercise
from tracker.records import SetInfo, SetSummary
from tracker.signals.filters import SPIKE_HALF_S, smooth_offline

METHOD = "closeup-motion"
REST_START_S = 0.5  # the foot is at rest this long when the video starts
MIN_QUALITY = 0.2  # a frame of lower quality is not used (the edge measurement rates every frame 1)
# Live, the spike guard spans offline's Hampel window (``smooth_offline``: 2 × SPIKE_HALF_S, at least
# 5 frames; the 10 ms keep 7 frames at 29.7 fps, as offline): on real clips the edge turn locks onto a
# wrong histogram peak (up to ±60°) for runs of 2-3 frames, which offline's window removes and the
# other methods' 3-frame median passes.
LIVE_SPIKE_FRAMES, LIVE_SPIKE_S = 5, 2 * SPIKE_HALF_S + 0.01
PLACE_CAMERA = ("no person and no moving foot were found: film the whole body from 1.5-2.5 m at knee height, "
                "or put the phone on the floor 0.3-0.8 m from the foot, the foot and shank filling the lower "
                "half of the picture, the camera still")


def uses_shank(ex: Exercise, mode: str) -> bool:
    """Whether the shank's turn is subtracted and flagged: not for heel raises (the shank tilts
    with the heel as it rises), not in a passive set (a helper's hand or forearm holding the
    foot rises into the shank's band and turns with the foot: a review's synthetic forearm read
    19° and hid every rep; the leg is not the one moving it anyway)."""
    return ex.anchor != "toe" and mode != "passive"


def closeup_signal(track: CloseupTrack, ex: Exercise, mode: str = "active") -> np.ndarray:
    """The foot's turn from rest: relative to the shank (``tracker/closeup/shank.py``; 0 while
    it is still or out of view) where ``uses_shank``, else relative to the floor. A rep whose
    shank turned too is compensation (``measure_rep``)."""
    return track.relative() if uses_shank(ex, mode) else track.foot_deg


def analyze_track(track: CloseupTrack, ex: Exercise, side: str = "auto", mode: str = "active", target: int = 10,
                  source: str = "video", profile: str = "default", warnings: tuple[str, ...] = ()) -> SetResult:
    """Count and measure one set from a close-up track (hand the result to a Recorder)."""
    t = track.t
    signal = closeup_signal(track, ex, mode)
    valid = np.isfinite(signal) & (track.quality >= MIN_QUALITY)
    filt = smooth_offline(np.where(valid, signal, np.nan), t)
    fps = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else 30.0
    # The camera's side is unknown in a close-up, so is the sign of a rep: learned, from
    # rest at the very start (a heel raise filmed close often begins within half a second),
    # or at the rest frame when the video starts off rest.
    direction = estimate_direction(filt, t, start_s=REST_START_S, rest_t=track.rest_t)
    found = find_excursions(t, direction * filt, fps, ex)
    base, range_deg, windows = found.base, found.range_deg, found.windows
    n = len(t)
    nan = np.full(n, np.nan)
    shank = smooth_offline(track.shank_deg, t) if uses_shank(ex, mode) else np.zeros(n)
    ctx = RepContext(t=t, signal=filt, baseline=direction * base, quality=track.quality, valid=valid,
                     shank_deg=shank, heel_y=nan, hand_dist=nan, other_foot_dist=nan,
                     anchor_xy=track.anchor_xy, toe_y=nan, other_toe_y=nan, scale=np.full(n, track.scale_px),
                     compensation_ratio=CLOSEUP_COMPENSATION_RATIO)
    side = side if side in ("left", "right") else "unknown"
    reps = number_reps(windows, ctx, ex, side)
    if not track.found:
        warnings = (*warnings, PLACE_CAMERA)
    info = SetInfo(source=source, exercise=ex.key, side=side, mode=mode, target=target, profile=profile,
                   method=METHOD)
    summary = SetSummary.from_reps(info, reps, float(t[-1] - t[0]) if n else 0.0, n, int((~valid).sum()), warnings)
    return SetResult(info, reps, summary, t, filt, direction * base, direction, range_deg, tuple(warnings), None)
