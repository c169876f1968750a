"""Landmarks → ankle signals and the side features the counter needs (pure numpy).

Every function takes whole arrays ``px`` (N, 33, 2) pixels and ``vis`` (N, 33), so the same
code serves a whole recording (offline) and a one-frame window (live, N=1). Signals are in
degrees; the counter removes the person's own rest value, so a constant offset between
MediaPipe's skin points and the true joint centres does not matter.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from tracker.exercises import Exercise
from tracker.pose.landmarks import (
    FOOT_POINTS,
    HAND,
    LEFT_HIP,
    LEFT_SHOULDER,
    LEG,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    SIDES,
    other_side,
)
from tracker.signals import geometry as g

# Foot length (heel to toe tip) over shank length (knee to ankle) for adults: about 0.62
# (Drillis & Contini segment ratios 0.152 H / 0.246 H). Used to turn pixel lifts into angles.
FOOT_TO_SHANK = 0.62
VISIBLE = 0.5  # MediaPipe visibility below which a landmark is treated as not seen
CLEARLY_SEEN = 0.8  # visibility for judging the other foot's help (see leg_features)


def _pts(px: np.ndarray, side: str):
    leg = LEG[side]
    return (px[:, leg["knee"]], px[:, leg["ankle"]], px[:, leg["heel"]], px[:, leg["toe"]])


def shank_length(px: np.ndarray, side: str) -> np.ndarray:
    knee, ankle, _, _ = _pts(px, side)
    return g.length(knee - ankle)


def sig_ankle_dorsiflexion(px: np.ndarray, side: str, scale: np.ndarray) -> np.ndarray:
    """90° minus the angle between shank (ankle→knee) and foot (heel→toe): + = foot up."""
    knee, ankle, heel, toe = _pts(px, side)
    return 90.0 - g.angle_between(knee - ankle, toe - heel)


def sig_forefoot_lift(px: np.ndarray, side: str, scale: np.ndarray) -> np.ndarray:
    """Toe raise: dorsiflexion signal (shank vs foot), averaged with the foot's pitch to the
    image horizontal (the floor line in a level side view). Two estimates of the same
    rotation from partly independent points halve single-landmark jitter."""
    knee, ankle, heel, toe = _pts(px, side)
    return 0.5 * (sig_ankle_dorsiflexion(px, side, scale) + g.pitch_deg(toe - heel))


def sig_heel_lift(px: np.ndarray, side: str, scale: np.ndarray) -> np.ndarray:
    """Heel raise: height of heel (and ankle) above the toe, as a foot-pitch angle.

    Vertical image offsets work in side, diagonal and front views alike; normalising by the
    shank length makes it independent of distance to the camera.
    """
    _knee, ankle, heel, toe = _pts(px, side)
    foot = FOOT_TO_SHANK * scale
    rise = 0.5 * ((toe[:, 1] - heel[:, 1]) + (toe[:, 1] - ankle[:, 1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arcsin(np.clip(rise / foot, -1.0, 1.0)))


def sig_foot_sideways(px: np.ndarray, side: str, scale: np.ndarray) -> np.ndarray:
    """Eversion / ab-adduction proxy: toe's sideways offset from the shank line through the
    ankle, as an angle over the foot length. Approximate: a 2-D view of a 3-D rotation."""
    knee, ankle, _heel, toe = _pts(px, side)
    off = g.lateral_offset(ankle, ankle + (ankle - knee), toe)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arctan2(off, FOOT_TO_SHANK * scale))


SIGNALS = {
    "ankle_dorsiflexion": sig_ankle_dorsiflexion,
    "forefoot_lift": sig_forefoot_lift,
    "heel_lift": sig_heel_lift,
    "foot_sideways": sig_foot_sideways,
}


# How each signal's movement carries the toe against the ankle in the world: "up" (the foot
# tilts in its own vertical plane: dorsiflexion, a toe or a heel raise) or "across" (it turns
# or rolls sideways). A camera sees "up" as the toe moving up the picture from any side, so
# the recogniser can tell two exercises of one position apart where the view cannot
# (``tracker.counting.recognise``). A new signal names its way here.
TOE_MOTION = {
    "ankle_dorsiflexion": "up",
    "forefoot_lift": "up",
    "heel_lift": "up",
    "foot_sideways": "across",
}


def _check_exercise_signals() -> None:
    """Every exercise entry names a signal that exists: a typo fails at import, not mid-set."""
    from tracker.exercises import EXERCISES

    bad = [f"{e.key}: {e.signal!r}" for e in EXERCISES.values() if e.signal not in SIGNALS]
    if bad:
        raise ImportError(f"exercise entries name unknown signals ({'; '.join(bad)}); "
                          f"known: {', '.join(SIGNALS)}")
    way = [k for k in SIGNALS if TOE_MOTION.get(k) not in ("up", "across")]
    if way:
        raise ImportError(f"signals without a way the toe moves ({', '.join(way)}): give each one in "
                          f"TOE_MOTION ('up' or 'across'), tracker/signals/features.py")


_check_exercise_signals()


@dataclass
class LegFeatures:
    """Per-frame measurements for one leg (arrays of length N)."""

    side: str
    signal: np.ndarray  # exercise signal, degrees (raw, not yet filtered)
    quality: np.ndarray  # min visibility of knee, ankle, heel, toe (0..1)
    shank_deg: np.ndarray  # direction of the shank in the image, degrees
    foot_ratio: np.ndarray  # |heel→toe| / |knee→ankle|: ~0.6 side view, small front view
    heel_y: np.ndarray  # heel height in pixels (up is +), for "heel stays down"
    hand_dist: np.ndarray  # nearest hand point to this foot, in foot lengths
    other_foot_dist: np.ndarray  # nearest point of the other foot to this toe, in foot lengths
    anchor_xy: np.ndarray  # (N, 2) the exercise's anchor point, pixels
    toe_y: np.ndarray  # this toe's height in pixels (up is +)
    other_toe_y: np.ndarray  # the other foot's toe height in pixels (NaN unless clearly seen)
    knee_y: np.ndarray  # knee height in pixels (up is +): a heel raise lifts it
    shank_px: np.ndarray  # this frame's knee-ankle length in pixels: a leg swinging toward the
    # camera shortens it (the direction barely turns)
    body_xy: np.ndarray  # (N, 2) mid-hip, pixels (NaN unless both hips seen): the body shifting
    other_anchor_xy: np.ndarray  # (N, 2) the other leg's anchor point (NaN unless seen)
    # (N, 4, 2) knee, ankle, heel, toe, pixels (NaN unless seen): an ankle rep keeps at least
    # one of them in place (the knee, and the foot's pivot); a leg shifted as a whole moves all four
    leg_xy: np.ndarray
    # Shank length in pixels. Positions stay in pixels and a rep's travel is divided by the
    # scale over that rep: live, the scale is a running median that changes a little from
    # frame to frame, and dividing positions by it frame by frame would invent movement.
    scale: np.ndarray = field(repr=False)

    @classmethod
    def missing(cls, side: str) -> "LegFeatures":
        """One frame in which the leg was not seen."""
        nan = np.full(1, np.nan)
        xy = np.full((1, 2), np.nan)
        return cls(side, nan, np.zeros(1), nan, nan, nan, nan, nan, xy, nan, nan, nan, nan, xy, xy,
                   np.full((1, 4, 2), np.nan), nan)

    @classmethod
    def concat(cls, parts: list["LegFeatures"]) -> "LegFeatures":
        """Frames of several records in order (live keeps one record per frame)."""
        names = [f.name for f in fields(cls) if f.name != "side"]
        return cls(side=parts[0].side, **{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


def reference_scale(px: np.ndarray, side: str) -> np.ndarray:
    """Shank length for normalising: the clip's median (stable) broadcast to N frames."""
    s = shank_length(px, side)
    ok = np.isfinite(s) & (s > 1)
    ref = float(np.median(s[ok])) if ok.any() else np.nan
    return np.full(len(px), ref)


def leg_features(px: np.ndarray, vis: np.ndarray, side: str, exercise: Exercise,
                 scale: np.ndarray | None = None, turn: np.ndarray | None = None) -> LegFeatures:
    """``turn``: this foot's pixel turn (N,), degrees in image axes (``tracker.pose.foot_turn``),
    for an exercise counted from it (``Exercise.foot_turn``): it replaces the landmark signal
    (the same sign convention: toe toward image-right is negative), and a frame where it was
    not measured has quality 0 (its own confidence), whatever the landmarks' visibility."""
    if scale is None:
        scale = reference_scale(px, side)
    knee, ankle, heel, toe = _pts(px, side)
    leg = LEG[side]
    idx = [leg["knee"], leg["ankle"], leg["heel"], leg["toe"]]
    quality = np.nan_to_num(np.min(vis[:, idx], axis=1), nan=0.0)
    if turn is not None and exercise.foot_turn:
        sig = np.asarray(turn, float)
        quality = np.where(np.isfinite(sig), quality, 0.0)
    else:
        sig = SIGNALS[exercise.signal](px, side, scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        foot_ratio = g.length(toe - heel) / g.length(knee - ankle)
        heel_y = -heel[:, 1]
    foot_len = FOOT_TO_SHANK * scale
    foot = px[:, list(FOOT_POINTS[side])]  # (N, 3, 2)
    hands = px[:, [i for s in SIDES for i in HAND[s]]]  # (N, 6, 2)
    hand_vis = vis[:, [i for s in SIDES for i in HAND[s]]]
    d = np.linalg.norm(hands[:, :, None, :] - foot[:, None, :, :], axis=-1)  # (N, 6, 3)
    d = np.where((hand_vis > VISIBLE)[:, :, None], d, np.nan)
    with np.errstate(invalid="ignore"):
        hand_dist = _nanmin(d.reshape(len(px), -1)) / foot_len
        other = px[:, list(FOOT_POINTS[other_side(side)])]
        od = np.linalg.norm(other - toe[:, None, :], axis=-1)
        other_foot_dist = _nanmin(od) / foot_len
    anchor_xy = px[:, leg[exercise.anchor]].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        toe_y = -toe[:, 1].astype(float)
        other_toe_y = -px[:, LEG[other_side(side)]["toe"], 1].astype(float)
        # A hidden far foot (visibility ~0.3) or one overlapping this foot in a side view
        # (~0.6-0.75) is guessed by the model and moves with the visible one: only a clearly
        # seen other foot can tell "helping under the toes" from "resting beside them".
        o = LEG[other_side(side)]
        seen = np.minimum(vis[:, o["toe"]], vis[:, o["heel"]]) >= CLEARLY_SEEN
        other_toe_y[~seen] = np.nan
    body_xy = 0.5 * (px[:, LEFT_HIP] + px[:, RIGHT_HIP]).astype(float)
    body_xy[np.minimum(vis[:, LEFT_HIP], vis[:, RIGHT_HIP]) < VISIBLE] = np.nan
    other_anchor_xy = px[:, o[exercise.anchor]].astype(float)
    other_anchor_xy[vis[:, o[exercise.anchor]] < CLEARLY_SEEN] = np.nan  # a far foot guessed moves with this one
    leg_xy = px[:, idx].astype(float)
    leg_xy[vis[:, idx] < VISIBLE] = np.nan
    return LegFeatures(side, sig, quality, g.unwrap_deg(g.direction_deg(ankle - knee)), foot_ratio, heel_y,
                       hand_dist, other_foot_dist, anchor_xy, toe_y, other_toe_y, -knee[:, 1].astype(float),
                       g.length(knee - ankle).astype(float), body_xy, other_anchor_xy, leg_xy, scale)


def counts_from_turn(exercise: Exercise, turns: np.ndarray | None) -> bool:
    """The one rule, offline and live alike, for counting from the foot's pixel turn instead of
    the landmarks: the exercise says so (``Exercise.foot_turn``) and the pose step measured it
    (``turns`` is there; a recording or pose frame without it: the landmarks). A frame where the
    turn could not be measured then has quality 0 (``leg_features``): that foot cannot count
    there. Why no share of measured frames (offline fell back to the landmarks under half):
    live cannot know it before the set ends, so the two counted one clip 3 and 1 times."""
    return bool(exercise.foot_turn) and turns is not None


def foot_turn_of(turns: np.ndarray | None, side: str, exercise: Exercise) -> np.ndarray | None:
    """This foot's column of a recording's ``foot_turn`` (N, 2) when ``counts_from_turn``."""
    if not counts_from_turn(exercise, turns) or not len(turns):
        return None
    return turns[:, SIDES.index(side)]


def shoulder_ratio(px: np.ndarray, side: str) -> np.ndarray:
    """Shoulder width in the picture over this leg's shank length, per frame: under 0.41 in
    every side view of the corpus's tuning half, 0.52 and more obliquely or from the front
    (the camera-view check, ``View.ok``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(px[:, LEFT_SHOULDER, 0] - px[:, RIGHT_SHOULDER, 0]) / shank_length(px, side)


# Seated with a leg crossed, the crossed leg's foot hangs free, higher in the picture than the
# other, planted one: by 0.15-0.44 shank lengths (median over a clip) in every front view of
# the corpus's tuning half. From the side and obliquely the overlapping legs confuse the
# model (the higher ankle was the wrong leg in 3 of 13 such tuning clips, all within 0.11),
# so a smaller gap says nothing.
CROSSED_ANKLE_GAP = 0.13


def crossed_leg(px: np.ndarray) -> str | None:
    """The side of the crossed (free) leg when one ankle is clearly the higher over the clip
    (``CROSSED_ANKLE_GAP``), else None."""
    with np.errstate(invalid="ignore"):
        shank = np.concatenate([shank_length(px, s) for s in SIDES])
        gap = px[:, LEG["right"]["ankle"], 1] - px[:, LEG["left"]["ankle"], 1]  # > 0: left higher
    if not np.isfinite(shank).any() or not np.isfinite(gap).any():
        return None
    gap_shanks = float(np.nanmedian(gap)) / float(np.nanmedian(shank))
    if abs(gap_shanks) <= CROSSED_ANKLE_GAP:
        return None
    return "left" if gap_shanks > 0 else "right"


def torso_tilt_deg(px: np.ndarray) -> np.ndarray:
    """Angle of the hips→shoulders line from the image vertical: ~0-25° seated or standing,
    60-90° lying down."""
    shoulders = 0.5 * (px[:, LEFT_SHOULDER] + px[:, RIGHT_SHOULDER])
    hips = 0.5 * (px[:, LEFT_HIP] + px[:, RIGHT_HIP])
    v = shoulders - hips
    return np.degrees(np.arctan2(np.abs(v[:, 0]), -v[:, 1]))


def _nanmin(a: np.ndarray) -> np.ndarray:
    out = np.full(a.shape[0], np.nan)
    ok = np.isfinite(a).any(axis=1)
    out[ok] = np.nanmin(a[ok], axis=1)
    return out

