"""Synthetic landmark sequences with exactly known ankle angles (no video, no model).

A seated person seen from the side, left leg toward the camera: shank vertical, foot
pointing right. ``dorsi`` (deg) rotates the foot up about the ankle; ``heel_lift`` raises
the heel about the planted toe. Everything else stays still unless asked. With
``view="front"`` the person faces the camera (the foot points at it, so it looks short) and
``sideways`` (deg) swings the toes sideways, as eversion and ab/adduction do.
"""
from __future__ import annotations

import numpy as np

from tracker.pose.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_INDEX,
    LEFT_KNEE,
    LEFT_PINKY,
    LEFT_SHOULDER,
    LEFT_WRIST,
    NOSE,
    NUM_LANDMARKS,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_INDEX,
    RIGHT_KNEE,
    RIGHT_PINKY,
    RIGHT_SHOULDER,
    RIGHT_WRIST,
)
from tracker.pose.recording import PoseRecording

W, H = 640, 480
SHANK = 120.0
FOOT = 75.0


def rep_profile(t: np.ndarray, reps: int, amp: float, rep_s: float = 2.0, rest_s: float = 1.0, start_s: float = 2.0,
                hold_s: float = 0.0) -> np.ndarray:
    """Angle over time: rest, then ``reps`` smooth excursions of ``amp`` degrees."""
    a = np.zeros_like(t)
    period = rep_s + hold_s + rest_s
    for k in range(reps):
        t0 = start_s + k * period
        up = rep_s / 2
        m = (t >= t0) & (t < t0 + up)
        a[m] = amp * 0.5 * (1 - np.cos(np.pi * (t[m] - t0) / up))
        m = (t >= t0 + up) & (t < t0 + up + hold_s)
        a[m] = amp
        t1 = t0 + up + hold_s
        m = (t >= t1) & (t < t1 + up)
        a[m] = amp * 0.5 * (1 + np.cos(np.pi * (t[m] - t1) / up))
    return a


def duration_for(reps: int, rep_s: float = 2.0, rest_s: float = 1.0, start_s: float = 2.0,
                 hold_s: float = 0.0) -> float:
    return start_s + reps * (rep_s + hold_s + rest_s) + 1.5


def make_recording(t: np.ndarray, dorsi: np.ndarray | None = None, heel_lift: np.ndarray | None = None,
                   noise_px: float = 0.0, seed: int = 0, shank_swing: np.ndarray | None = None,
                   hand_at_foot: np.ndarray | None = None, offset=(0.0, 0.0), scale: float = 1.0,
                   visibility: float = 0.95, view: str = "side", sideways: np.ndarray | None = None,
                   leg_travel: np.ndarray | None = None, leg_swing: np.ndarray | None = None,
                   other_foot_under: np.ndarray | None = None) -> PoseRecording:
    """``shank_swing`` (deg) turns the shank about the knee under a foot that keeps its
    direction in the image; ``leg_swing`` (deg) turns the whole lower leg, foot included (a
    knee swing: the ankle angle does not change); ``leg_travel`` (N, 2) px moves the whole
    lower leg (the anchor travels, as in an ankle circle with the foot in the air);
    ``other_foot_under`` (N bools) puts the right foot under the left toes, lifting with
    them (the other foot helping a toe raise); elsewhere the right foot rests apart."""
    n = len(t)
    dorsi = np.zeros(n) if dorsi is None else dorsi
    heel_lift = np.zeros(n) if heel_lift is None else heel_lift
    swing = np.zeros(n) if shank_swing is None else np.radians(shank_swing)
    if leg_swing is not None:
        swing = swing + np.radians(leg_swing)
        dorsi = dorsi + leg_swing  # the foot turns with the shank (forward swing: toes up)
    px = np.zeros((n, NUM_LANDMARKS, 2))
    hip = np.array([300.0, 250.0])
    knee = np.array([400.0, 260.0])
    ankle = knee + SHANK * np.stack([np.sin(swing), np.cos(swing)], axis=1)  # swing rotates the shank about the knee
    a = np.radians(dorsi)
    heel = ankle + np.array([-15.0, 15.0])
    toe = heel + FOOT * np.stack([np.cos(a), -np.sin(a)], axis=1)
    # heel raise: rotate the foot about the toe (the ball of the foot stays on the floor)
    lift = np.radians(heel_lift)
    heel = heel + np.stack([FOOT * (1 - np.cos(lift)), -FOOT * np.sin(lift)], axis=1)
    rise = np.stack([FOOT * (1 - np.cos(lift)), -FOOT * np.sin(lift)], axis=1) * 0.8
    ankle = ankle + rise  # the ankle, and the knee above it, rise with the heel
    if view == "front":
        ankle = np.broadcast_to(knee + [0.0, SHANK], (n, 2)).copy()
        heel = ankle + [0.0, 12.0]
        side = np.zeros(n) if sideways is None else np.radians(sideways)
        toe = ankle + np.stack([-np.tan(side) * 0.62 * SHANK, np.full(n, 25.0)], axis=1)
    knee0, knee = knee, np.broadcast_to(knee, (n, 2)) + (rise if view != "front" else 0.0)
    if leg_travel is not None:
        knee, ankle, heel, toe = knee + leg_travel, ankle + leg_travel, heel + leg_travel, toe + leg_travel
    for i in (LEFT_HIP, RIGHT_HIP):
        px[:, i] = hip + (0 if i == LEFT_HIP else -10)
    # shoulders: nearly overlapping from the side, about 0.75 shank lengths apart from the front
    px[:, LEFT_SHOULDER] = hip + ([40, -170] if view == "front" else [-5, -170])
    px[:, RIGHT_SHOULDER] = hip + ([-50, -170] if view == "front" else [-15, -170])
    px[:, NOSE] = hip + [10, -230]
    px[:, LEFT_KNEE] = knee
    px[:, LEFT_ANKLE] = ankle
    px[:, LEFT_HEEL] = heel
    px[:, LEFT_FOOT_INDEX] = toe
    # right leg: still, behind (beside it, seen from the front), foot flat
    rk = knee0 + ([-80, 0] if view == "front" else [-30, 0])
    px[:, RIGHT_KNEE] = rk
    px[:, RIGHT_ANKLE] = rk + [0, SHANK]
    if view == "front":
        px[:, RIGHT_HEEL] = rk + [0, SHANK + 12]
        px[:, RIGHT_FOOT_INDEX] = rk + [0, SHANK + 25]
    else:
        px[:, RIGHT_HEEL] = rk + [-15, SHANK + 15]
        px[:, RIGHT_FOOT_INDEX] = rk + [60, SHANK + 15]
    if other_foot_under is not None:
        m = np.asarray(other_foot_under, bool)
        px[m, RIGHT_FOOT_INDEX] = toe[m] + [-5, 8]
        px[m, RIGHT_HEEL] = toe[m] + [-70, 10]
        px[~m, RIGHT_FOOT_INDEX] -= [140, 0]
        px[~m, RIGHT_HEEL] -= [140, 0]
    for i in (LEFT_WRIST, LEFT_PINKY, LEFT_INDEX, RIGHT_WRIST, RIGHT_PINKY, RIGHT_INDEX):
        px[:, i] = hip + [40, -20]
    if hand_at_foot is not None:
        for i in (LEFT_WRIST, LEFT_PINKY, LEFT_INDEX):
            px[hand_at_foot, i] = toe[hand_at_foot] + [5, -10]
    rng = np.random.default_rng(seed)
    if noise_px:
        px = px + rng.normal(0, noise_px, px.shape)
    px = px * scale + np.asarray(offset)
    norm = np.zeros((n, NUM_LANDMARKS, 3), np.float32)
    norm[:, :, 0] = px[:, :, 0] / W
    norm[:, :, 1] = px[:, :, 1] / H
    vis = np.full((n, NUM_LANDMARKS), visibility, np.float32)
    return PoseRecording(t=t.astype(np.float64), norm=norm, visibility=vis, presence=vis.copy(),
                         world=np.zeros((n, NUM_LANDMARKS, 3), np.float32), people=np.ones(n, np.int16),
                         index=np.arange(n, dtype=np.int32), width=W, height=H,
                         meta={"source": {"name": "synthetic", "fps": float(1 / np.median(np.diff(t)))}})


def drop_frames(rec: PoseRecording, mask: np.ndarray) -> PoseRecording:
    """Frames where ``mask`` is True become 'no person' (NaN), as when the model loses the foot."""
    norm = rec.norm.copy()
    vis = rec.visibility.copy()
    norm[mask] = np.nan
    vis[mask] = np.nan
    return PoseRecording(rec.t, norm, vis, vis.copy(), rec.world, rec.people, rec.index, rec.width, rec.height,
                         rec.meta)


def live_count(rec: PoseRecording, exercise, side: str = "left", mode: str = "active") -> tuple[int, list]:
    """Run the causal LiveCounter frame by frame over a recording (as the live loop does)."""
    c = live_counter(rec, exercise, side, mode)
    return c.state.count, c.reps


def live_counter(rec: PoseRecording, exercise, side: str = "left", mode: str = "active"):
    """The LiveCounter after it has been fed every frame of ``rec``."""
    from tracker.counting.live import LiveCounter
    from tracker.pose.landmarks import other_side
    from tracker.signals.features import leg_features, reference_scale

    px = rec.norm[:, :, :2] * np.array([rec.width, rec.height])
    scale = reference_scale(px, side)
    f = leg_features(px, rec.visibility, side, exercise, scale)
    o = leg_features(px, rec.visibility, other_side(side), exercise, scale)
    c = LiveCounter(exercise, side, mode=mode)
    for i in range(len(rec)):
        c.update(float(rec.t[i]), _frame(f, i), bool(f.quality[i] >= 0.5), float(o.signal[i]))
    return c


def _frame(f, i: int):
    """Frame ``i`` of a LegFeatures record, as a one-frame record."""
    import dataclasses

    return dataclasses.replace(f, **{k.name: getattr(f, k.name)[i:i + 1] for k in dataclasses.fields(f)
                                     if k.name != "side"})
