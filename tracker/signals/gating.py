"""The gate: which frames may count, and what is wrong with the others.

One set of thresholds for both paths. Offline judges the whole clip at once (masks over
arrays, speeds from zero-phase smoothed tracks); live judges each frame as it comes
(``LiveGate``, running medians over the last second or two) and names the problem so the
person can fix it. Either way nothing counts while the foot is not seen, the person walks
in or out, lies down (for upright exercises), or the camera view does not show the movement.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from tracker.exercises import Exercise
from tracker.pose.landmarks import LEFT_HIP, LEG, RIGHT_HIP, SIDES
from tracker.signals.features import VISIBLE, shank_length, shoulder_ratio, torso_tilt_deg
from tracker.signals.filters import quiet_runtime_warnings, smooth_offline

MAX_UPRIGHT_TILT = 50.0  # torso tilt (deg) beyond which the person is lying, not seated/standing
# Standing: the thighs drop (hip above knee) by this share of the shank length or more.
# Measured (median per clip, full model): standing 0.82-1.37 (heel raises, squats, lunges,
# stretches, walking), seated 0.36 at most in any view (the thigh is level from the side and
# foreshortened from the front), a deep bent-knee calf raise 0.48.
STANDING_DROP = 0.65
MAX_HIP_SPEED = 0.6  # shank lengths per second: faster = walking, not exercising
MAX_SCALE_RATE = 0.4  # relative change of shank length per second: walking toward/away
GATE_PAD_S = 0.2  # offline: frames this close to walking are not trusted either
MIN_BRIGHTNESS = 40.0  # mean grey level (0-255) below which the picture is too dark
MIN_SHANK_PX = 28.0  # shank shorter than this in pixels: too far for the foot's landmarks
SCALE_FRAMES = 45  # live: running median of the shank length (the live ``scale``)
VIEW_FRAMES = 60  # live: running median of foot/shank ratio for the camera-view check
VIEW_MIN_FRAMES = 20
STILL_WINDOW_S = 0.6  # live: hip movement is judged over this window
WRONG_VIEW_SHARE = 0.3  # live: the view was wrong in this share of frames -> a set warning


def lying(px: np.ndarray) -> np.ndarray:
    """True where the torso is closer to horizontal than to upright (N frames)."""
    with np.errstate(invalid="ignore"):
        return torso_tilt_deg(px) > MAX_UPRIGHT_TILT


def standing(px: np.ndarray) -> np.ndarray:
    """True where the person stands (N frames): the thighs hang down from the hips."""
    drops = []
    for s in SIDES:
        leg = LEG[s]
        with np.errstate(invalid="ignore", divide="ignore"):
            drops.append((px[:, leg["knee"], 1] - px[:, leg["hip"], 1]) / shank_length(px, s))
    with np.errstate(invalid="ignore"), quiet_runtime_warnings():  # an all-NaN frame: not standing
        return np.nanmean(np.stack(drops), axis=0) >= STANDING_DROP


def pad_mask(mask: np.ndarray, t: np.ndarray, pad_s: float) -> np.ndarray:
    """Grow False regions of ``mask`` by ``pad_s`` on each side."""
    bad = ~mask
    if not bad.any() or pad_s <= 0:
        return mask
    out = mask.copy()
    tb = t[np.flatnonzero(bad)]
    lo = np.searchsorted(tb, t - pad_s, side="left")
    hi = np.searchsorted(tb, t + pad_s, side="right")
    out[hi > lo] = False
    return out


def person_in_place(px: np.ndarray, t: np.ndarray, scale_px: np.ndarray) -> np.ndarray:
    """False while the person walks in, out or around (hip speed or scale change too high)."""
    hips = 0.5 * (px[:, LEFT_HIP] + px[:, RIGHT_HIP])
    ref = np.nanmedian(scale_px) if np.isfinite(scale_px).any() else np.nan
    if not np.isfinite(ref) or ref <= 0:
        return np.zeros(len(t), bool)
    x = smooth_offline(hips[:, 0], t, cutoff_hz=1.0)
    s = smooth_offline(scale_px, t, cutoff_hz=1.0)
    with np.errstate(invalid="ignore"):
        speed = np.abs(np.gradient(x, t)) / ref if len(t) > 1 else np.zeros(len(t))
        rate = np.abs(np.gradient(s, t)) / ref if len(t) > 1 else np.zeros(len(t))
        ok = (speed <= MAX_HIP_SPEED) & (rate <= MAX_SCALE_RATE)
    return ok & np.isfinite(speed)


def usable(quality: np.ndarray, signal: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """Frames whose signal may count: the leg's points seen, a signal, the person in place."""
    return (quality >= VISIBLE) & np.isfinite(signal) & placed


@dataclass
class GateTally:
    """What the gate saw over one set, for the set's warnings (both paths fill one)."""

    frames: int = 0
    detected: int = 0  # frames with a person
    usable: int = 0  # frames where the affected foot could count
    lying: int = 0  # frames (with a person) lying down
    standing: int = 0  # frames (with a person) standing, for an exercise done seated
    wrong_view: bool = False


def set_warnings(ex: Exercise, side: str, tally: GateTally) -> tuple[str, ...]:
    out = []
    posture = (tally.lying if ex.upright else 0) + (tally.standing if ex.seated else 0)
    if tally.frames and not tally.detected:
        out.append("no person was found in the video")
    elif tally.frames and tally.usable + posture < 0.5 * tally.frames:  # a posture problem is named below
        out.append(f"the {side} foot was clearly visible in only {100 * tally.usable / tally.frames:.0f}% of frames")
    if ex.upright and tally.detected and tally.lying > 0.5 * tally.detected:
        out.append(f"the person was lying down in {100 * tally.lying / tally.detected:.0f}% of the video: "
                   f"{ex.title.lower()} is done seated or standing")
    if ex.seated and tally.detected and tally.standing > 0.5 * tally.detected:
        out.append(f"the person was standing in {100 * tally.standing / tally.detected:.0f}% of the video: "
                   f"{ex.title.lower()} is done seated")
    if tally.wrong_view:
        out.append(ex.wrong_view_warning())
    return tuple(out)


class LiveGate:
    """The same gate, causal: ``person_problem`` and ``leg_problem`` judge one frame and
    return a problem key (or None); counting pauses on that frame. Also keeps the running
    shank length that normalises the live features (``scale``)."""

    def __init__(self, ex: Exercise):
        self.ex = ex
        self._shank = {s: deque(maxlen=SCALE_FRAMES) for s in SIDES}
        self._ratio = {s: deque(maxlen=VIEW_FRAMES) for s in SIDES}
        self._shoulders = {s: deque(maxlen=VIEW_FRAMES) for s in SIDES}
        self._hips: deque[tuple[float, float]] = deque()

    def scale(self, side: str) -> float:
        d = self._shank[side]
        return float(np.median(d)) if d else float("nan")

    def view_ok(self, side: str) -> bool:
        d, sh = self._ratio[side], self._shoulders[side]
        shoulders = float(np.median(sh)) if len(sh) >= VIEW_MIN_FRAMES else math.nan
        return len(d) < VIEW_MIN_FRAMES or self.ex.camera.ok(float(np.median(d)), shoulders)

    def view_known(self, side: str) -> bool:
        """Enough of the foot seen to judge the camera view (``view_ok`` passes until then)."""
        return len(self._ratio[side]) >= VIEW_MIN_FRAMES

    def person_problem(self, t: float, image: np.ndarray, pose) -> str | None:
        if float(image[::8, ::8].mean()) < MIN_BRIGHTNESS:
            return "dark"
        if not pose.detected:
            self._hips.clear()
            return "no_person"
        px, vis = pose.pixels, pose.visibility
        for s in SIDES:
            leg = LEG[s]
            if min(vis[leg["knee"]], vis[leg["ankle"]]) >= VISIBLE:
                length = float(shank_length(px[None], s)[0])
                if math.isfinite(length) and length > 1:
                    self._shank[s].append(length)
        if self.ex.upright and bool(lying(px[None])[0]):
            return "lying"
        if self.ex.seated and bool(standing(px[None])[0]):
            return "standing"
        return "moving" if self._moving(t, px) else None

    def _moving(self, t: float, px: np.ndarray) -> bool:
        """Hips travelling sideways faster than the offline gate allows (walking in or out)."""
        hip_x = float(0.5 * (px[LEFT_HIP, 0] + px[RIGHT_HIP, 0]))
        if not math.isfinite(hip_x):
            return False
        self._hips.append((t, hip_x))
        while self._hips and t - self._hips[0][0] > STILL_WINDOW_S:
            self._hips.popleft()
        scales = [self.scale(s) for s in SIDES if self._shank[s]]
        if len(self._hips) < 6 or not scales:
            return False
        third = len(self._hips) // 3
        a, b = list(self._hips)[:third], list(self._hips)[-third:]
        dt = np.mean([p[0] for p in b]) - np.mean([p[0] for p in a])
        dx = np.median([p[1] for p in b]) - np.median([p[1] for p in a])
        return dt > 0 and abs(dx) / dt / max(scales) > MAX_HIP_SPEED

    def leg_problem(self, side: str, quality: float, foot_ratio: float, px: np.ndarray, w: int, h: int) -> str | None:
        leg = LEG[side]
        foot = px[[leg["ankle"], leg["heel"], leg["toe"]]]
        if not np.isfinite(foot).all():
            return "foot_hidden"
        if (foot[:, 1] > 1.01 * h).any() or (foot[:, 0] < -0.01 * w).any() or (foot[:, 0] > 1.01 * w).any():
            return "feet_out"
        scale = self.scale(side)
        if math.isfinite(scale) and scale < MIN_SHANK_PX:
            return "far"
        if quality < VISIBLE:
            return "foot_hidden"
        if math.isfinite(foot_ratio):
            self._ratio[side].append(foot_ratio)
            shoulders = float(shoulder_ratio(px[None], side)[0])
            if math.isfinite(shoulders):
                self._shoulders[side].append(shoulders)
        return None if self.view_ok(side) else "wrong_view"
