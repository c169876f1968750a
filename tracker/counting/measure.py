"""What one rep was: range, duration, confidence and the flags a therapist reads.

Both drivers hand the engine's ``RepWindow`` and a ``RepContext`` built by ``rep_context``
from the same per-frame features, so a rep means the same thing live and offline: the
same assistance, compensation, heel-lift and anchor-travel checks, the same confidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tracker.counting.engine import RepWindow
from tracker.counting.legrest import LEG_REST_S, knee_levels, leg_median, leg_rest, rest_travel, shank_turn
from tracker.exercises import Exercise
from tracker.records import Rep
from tracker.signals.features import FOOT_TO_SHANK, LegFeatures

ASSIST_HAND_FOOT_LENGTHS = 0.6  # a hand point within this distance of the foot = assisting
ASSIST_OTHER_FOOT = 0.45  # other foot this close under the toes (toe raises) = assisting
ASSIST_SHARE = 0.3  # of the rep's frames
# The shank turned by more than this share of the ankle's own range (and by more than
# COMPENSATION_MIN_DEG): the leg did the work. Measured over the reps of every benchmark clip
# with a known count: 0.02-0.58 on clean reps (most under 0.3); 1.9-9 on a leg swing.
COMPENSATION_RATIO = 0.7
COMPENSATION_MIN_DEG = 3.5
# A close-up (tracker/counting/closeup.py) flags any shank turn beyond COMPENSATION_MIN_DEG:
# there the ankle's range is the foot's edge turn, which a leg swing sliding the foot across
# the picture makes meaningless (synthetic 12° whole-leg swings: 3 to 50° "ranges", either
# sign), while its shank reads exactly 0 when still. Measured, per rep: shank 5-12° on those
# swings (seeds 0-2, still and hand-held, offline and live); 0-2° on every rendered close-up.
CLOSEUP_COMPENSATION_RATIO = 0.0
# A knee swing turns the knee->ankle direction by 18-45° in the world and carries the foot with it;
# an ankle rep barely turns it. The ratio above reads the shank's turn within the rep's window,
# which opens after the foot (and a swinging shank) has moved some way, against a foot excursion
# that an oblique view inflates: on the corpus's knee swing c072 (oblique, 52°) it read 0.79-1.49
# on one posing and 0.45-0.87 on a re-posing of the same render (landmarks moved ~4 px), and 4 of
# 6 swings counted. The turn measured from where the shank rested before the rep (``_shank_turn``)
# separates them: corpus tune half (committed and re-posed recordings, offline and live), at most
# 4.8° over every true rep of the seated exercises; 7.9-30.5° over the knee swings seen from the
# side or obliquely (seen from the front a swing barely turns the shank: SHANK_STRETCH_LIMIT).
# A turn beyond SWING_MIN_DEG and SWING_SHARE of the foot's range is the leg's work; the share
# keeps a large real rep with a restless shank (a 20° rep may turn the shank 8°).
SWING_MIN_DEG = 6.0
SWING_SHARE = 0.4
SPIKE_DEG = 2.5  # a one-frame shank jump this large, gone the next frame, is landmark noise
# Seen end-on (a knee swing toward the camera) the shank shortens instead of turning. Its
# length varied (5th-95th percentile over median) by 0.01-0.09 over clean reps of every
# benchmark clip, 0.23-0.28 in a knee swing filmed from the front.
SHANK_STRETCH_LIMIT = 0.15
HEEL_LIFT_LIMIT = 0.08  # shank lengths: the heel left the floor during a toe raise
# Shank lengths the anchor point may travel in a clean rep. Measured: 0.02-0.16 in real and
# rendered heel/toe raises and dorsiflexion; 0.69-0.95 for ankle circles (foot in the air).
ANCHOR_LIMIT = 0.35
# A heel raise lifts the knee by about 0.7 foot lengths x sin(range) (the ball of the foot to
# the ankle). Measured rise over that, per rep (one frame at start and peak, before the corpus):
# 0.70-1.78 on real and rendered heel raises, -1.40 to -0.14 on calf stretches and a leg swing.
# As read now (``_knee_rise``), corpus tune half, every window offline and live: 0.42-2.56 over
# the true heel raises but one (c046 offline, 0.02: the knee landmark did not follow); -2.39 to
# -0.08 over the calf stretches' and weight shifts' (c012, c016, c048); under the 2.5° floor, which
# refuses them anyway: 2.17 (c016 live, 2.25°), -0.14 (c094 live, 1.29°). Near the floor the check
# reads landmark jitter (a 2.5° rep lifts the knee about 1.3 px): the floor, not this, keeps small
# negatives out (report half: a weight shift's 2.7° live excursion, c075, reads 0.53).
KNEE_RISE_SHARE = 0.35
# A seated ankle exercise keeps the body still. The hips' travel over a rep, in shank lengths:
# at most 0.045 over the reps of the corpus tune half's seated exercises; 0.075-0.13 when
# someone shifting in the chair made the foot's 2-D angle change (the ankle did not move).
BODY_SHIFT_LIMIT = 0.065
# An ankle rep turns the foot about a pivot (the ankle, the heel or the ball of the foot) under a
# knee that stays: some point of knee, ankle, heel and toe barely moves. Shifting in the chair
# moves the whole leg, the hips sometimes hardly at all (a slide toward the camera seen from the
# side). How far the least-moving of those four points got from where the leg rested before the
# rep (``_leg_travel``: medians over LEG_REST_S before the window and over LEG_MEDIAN_S during
# it, shank lengths), corpus tune half: at most 0.069 offline / 0.055 live over the counted reps
# of every exercise clip (toe raise 0.069, dorsiflexion 0.057, eversion 0.044, ab/adduction
# 0.023), 0.083 over those of the benchmark's real and rendered clips (``--models full``: a
# banded dorsiflexion, skatefit_banded_ankle_flicks); 0.10-0.19 over the chair shifts'
# excursions where the leg slid (0.013-0.032 over those next to a shift, where it did not). A thin
# margin on the real clips: a rep with a restless leg may be refused. Synthetic (tests): landmark
# jitter 0.025 shank lengths on a body swaying +-0.02 over 11 s reps reads at most 0.057.
LEG_SHIFT_LIMIT = 0.09
# The other leg's anchor travelled this far (shank lengths) and more than OTHER_LEG_RATIO times
# this leg's: the movement was the other leg's (crossing it, swinging it), seen through this
# foot's landmarks. Corpus tune half: at most 0.14 on true reps; 0.19-0.88 on those negatives.
OTHER_LEG_LIMIT = 0.16
OTHER_LEG_RATIO = 2.0
CONFIDENT = 0.5
# The top of a rep (for its hold time): within TOP_SHARE of the rep's excursion and moving
# slower than SLOW_SHARE of the rep's fastest speed. Speed, not level alone, separates a
# hold from the rounded top of a slow rep: a cosine ramp is above 80 % of its height for
# 30 % of its up-time but slower than 25 % of its top speed for only 8 %.
TOP_SHARE = 0.8
SLOW_SHARE = 0.25


@dataclass
class RepContext:
    """Per-frame arrays a rep is measured from (all length N, filtered where it matters)."""

    t: np.ndarray
    signal: np.ndarray  # filtered signal, degrees, original sign
    baseline: np.ndarray  # rest level in the original sign
    quality: np.ndarray
    valid: np.ndarray  # bool: frame usable (visible, person still in place)
    shank_deg: np.ndarray
    heel_y: np.ndarray
    hand_dist: np.ndarray
    other_foot_dist: np.ndarray
    anchor_xy: np.ndarray  # (N, 2) anchor point, pixels
    toe_y: np.ndarray  # affected toe height (pixels, up +)
    other_toe_y: np.ndarray  # the other foot's toe height (pixels)
    scale: np.ndarray  # shank length, pixels: travel over a rep is in shank lengths
    other_signal: np.ndarray | None = None  # filtered, the other leg
    knee_y: np.ndarray | None = None  # knee height (pixels, up +); None: no knee (a close-up)
    shank_px: np.ndarray | None = None  # knee-ankle length per frame (pixels); None: not measured
    body_xy: np.ndarray | None = None  # (N, 2) mid-hip, pixels; None: not measured
    other_anchor_xy: np.ndarray | None = None  # (N, 2) the other leg's anchor, pixels
    leg_xy: np.ndarray | None = None  # (N, 4, 2) knee, ankle, heel, toe, pixels; None: not measured
    leg_rest_xy: np.ndarray | None = None  # (4, 2) ``leg_rest`` when the frames before the rep are not here (live)
    other_rest_xy: np.ndarray | None = None  # (2,) where the other leg's anchor rested, likewise
    knee_levels: tuple[float, float] | None = None  # (top, rest) knee heights read by live (``_knee_rise``)
    view_ok: bool = True
    passive: bool = False  # a helper moves the foot (a passive set): their hands may move the leg too
    compensation_ratio: float = COMPENSATION_RATIO  # the shank's share of the range that makes it the leg's work


Smoother = Callable[..., np.ndarray]  # (x, t, max_gap_s=...) -> x filtered


def _as_is(x: np.ndarray, t: np.ndarray, max_gap_s: float = 0.5) -> np.ndarray:
    return x


def rep_context(feats: LegFeatures, t: np.ndarray, signal: np.ndarray, baseline: np.ndarray, valid: np.ndarray,
                other_signal: np.ndarray | None = None, view_ok: bool = True,
                smooth: Smoother = _as_is, compensation_ratio: float = COMPENSATION_RATIO,
                passive: bool = False, leg_rest_xy: np.ndarray | None = None,
                other_rest_xy: np.ndarray | None = None) -> RepContext:
    """The one builder of a rep's context from a leg's features. ``smooth`` is the driver's
    filter for the slow geometric features (offline: zero-phase; live: none)."""
    return RepContext(t=t, signal=signal, baseline=baseline, quality=feats.quality, valid=valid,
                      shank_deg=smooth(feats.shank_deg, t), heel_y=smooth(feats.heel_y, t),
                      hand_dist=feats.hand_dist, other_foot_dist=feats.other_foot_dist, anchor_xy=feats.anchor_xy,
                      toe_y=smooth(feats.toe_y, t), other_toe_y=smooth(feats.other_toe_y, t, max_gap_s=0.2),
                      knee_y=smooth(feats.knee_y, t), shank_px=feats.shank_px, body_xy=feats.body_xy,
                      other_anchor_xy=feats.other_anchor_xy, leg_xy=feats.leg_xy,
                      scale=feats.scale, other_signal=other_signal, view_ok=view_ok,
                      compensation_ratio=compensation_ratio, passive=passive, leg_rest_xy=leg_rest_xy,
                      other_rest_xy=other_rest_xy)


def _scale(ctx: RepContext, sl: slice) -> float:
    s = ctx.scale[sl]
    s = s[np.isfinite(s) & (s > 0)]
    return float(np.median(s)) if len(s) else float("nan")


def _travel(y: np.ndarray, scale: float) -> float:
    """Vertical travel in shank lengths; 0 unless the point was seen in most of the window."""
    ok = y[np.isfinite(y)]
    return float(ok.max() - ok.min()) / scale if len(ok) > 1 and len(ok) >= 0.7 * len(y) else 0.0


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask)) if len(mask) else 0.0


def _assistance(ctx: RepContext, w: RepWindow, ex: Exercise, sl: slice) -> str:
    """'' or why the rep was assisted: a hand at the foot, or (toe raises) the other foot
    that came to the toes during the rep AND lifted with them. Seen from the side, two feet
    resting side by side overlap in the image and the model moves them together, so a foot
    already at the toes when the rep starts cannot be judged (the declared mode is kept)."""
    if _share(ctx.hand_dist[sl] < ASSIST_HAND_FOOT_LENGTHS) >= ASSIST_SHARE:
        return "hand at the foot"
    if ex.heel_must_stay_down:
        came_in = np.isfinite(ctx.other_foot_dist[w.start]) and ctx.other_foot_dist[w.start] > ASSIST_OTHER_FOOT
        s = _scale(ctx, sl)
        if came_in and _travel(ctx.other_toe_y[sl], s) > max(0.05, 0.5 * _travel(ctx.toe_y[sl], s)):
            if _share(ctx.other_foot_dist[sl] < ASSIST_OTHER_FOOT) >= ASSIST_SHARE:
                return "other foot under the toes"
    return ""


def _shank_range(shank: np.ndarray) -> float:
    """How far the shank turned during the rep. One glitched frame (a landmark jumping 5
    degrees for one frame and back, seen on a clean rendered toe raise played live at 10 fps)
    is not a leg movement; a leg swing moves on over several frames and stays."""
    shank = shank[np.isfinite(shank)]
    if not len(shank):
        return 0.0
    rel = (shank - shank[0] + 180.0) % 360.0 - 180.0  # rotation since the rep began, wrap-safe
    if len(rel) >= 3:  # a lone frame off both neighbours the same way, that agree: a glitch
        p = np.r_[rel[2], rel, rel[-3]]  # an end frame is judged against the next two
        a, b, c = p[:-2], p[1:-1], p[2:]
        spike = (np.abs(b - a) > SPIKE_DEG) & (np.abs(b - c) > SPIKE_DEG) & ((b - a) * (b - c) > 0) \
            & (np.abs(a - c) < 0.5 * SPIKE_DEG)
        rel = np.where(spike, 0.5 * (a + c), rel)
    return float(rel.max() - rel.min())


def _heel_lift(ctx: RepContext, w: RepWindow, sl: slice) -> float:
    """Highest heel over its height at the rep's start, in shank lengths."""
    h = ctx.heel_y[sl]
    if np.isfinite(h).any() and np.isfinite(ctx.heel_y[w.start]):
        return float(np.nanmax(h) - ctx.heel_y[w.start]) / _scale(ctx, sl)
    return 0.0


def _shank_stretch(ctx: RepContext, sl: slice) -> float:
    """How much the shank's length in the image changed over the rep (share of its median)."""
    if ctx.shank_px is None:
        return 0.0
    s = ctx.shank_px[sl][ctx.valid[sl]]  # frames where the leg's points were seen
    s = s[np.isfinite(s)]
    if len(s) < 3:
        return 0.0
    lo, hi = np.percentile(s, [5, 95])
    return float(hi - lo) / float(np.median(s))


def _knee_rise(ctx: RepContext, w: RepWindow, rom: float) -> float:
    """How far the knee rose over the rep, over what the heel lift (of ``rom`` degrees) would lift
    it; NaN when the knee was not seen (the check is then skipped). Its median over the rep's top
    against its median where the heel was down, before the window and at its landing (``knee_levels``;
    live reads them over its kept frames on one zero-phase clock: ``RepContext.knee_levels``).
    Why medians, not one frame at the window's start and one at its peak: a rep of 3-6° lifts the
    knee 1-2 px, within the landmark's jitter, and the window opens once the heel (and the knee)
    has risen some way (corpus tune half: 6 of 27 true reps read under ``KNEE_RISE_SHARE`` so)."""
    if ctx.knee_y is None:
        return float("nan")
    expected = 0.7 * FOOT_TO_SHANK * _scale(ctx, slice(w.start, w.end + 1)) * np.sin(np.radians(rom))
    rest, up = float(ctx.baseline[w.start]), float(np.sign(ctx.signal[w.peak] - ctx.baseline[w.start]))
    lo = int(np.searchsorted(ctx.t, ctx.t[w.start] - LEG_REST_S, "left"))
    span = slice(lo, w.end + 1)
    top, before = ctx.knee_levels or knee_levels(ctx.t[span], up * (ctx.signal[span] - rest), ctx.knee_y[span],
                                                 w.start - lo)
    if not np.isfinite(before):  # the heel not seen down: where the leg rested before the window
        before = -float((ctx.leg_rest_xy if ctx.leg_rest_xy is not None else
                         leg_rest(ctx.t, ctx.leg_xy, w.start))[0, 1]) if ctx.leg_xy is not None else np.nan
    return (top - before) / expected if expected > 0 and np.isfinite(top) else float("nan")


def _point_travel(xy: np.ndarray | None, ctx: RepContext, sl: slice, seen: float = 0.7) -> float:
    """Farthest a point got from where it was first seen in the rep, in shank lengths; 0 unless
    it was seen in ``seen`` of the rep's frames."""
    if xy is None:
        return 0.0
    a = xy[sl]
    ok = np.isfinite(a).all(axis=1)
    if ok.sum() < max(2, seen * len(a)):
        return 0.0
    return float(np.max(np.linalg.norm(a[ok] - a[ok][0], axis=1))) / _scale(ctx, sl)


def _leg_travel(ctx: RepContext, sl: slice) -> float:
    """How far the leg moved as a whole during the rep, in shank lengths: for each of knee,
    ankle, heel and toe, the farthest it got (medians over ``LEG_MEDIAN_S``: a landmark's jump
    for a few frames is not travel) from where it rested before the rep (``leg_rest``); the
    least of the four. 0 when no point was seen both before and during most of the rep."""
    if ctx.leg_xy is None:
        return 0.0
    rest = ctx.leg_rest_xy if ctx.leg_rest_xy is not None else leg_rest(ctx.t, ctx.leg_xy, sl.start)
    dist = np.linalg.norm(leg_median(ctx.leg_xy[sl], ctx.t[sl]) - rest[None], axis=2)  # (n, K)
    far = [float(np.nanmax(d)) for d in dist.T if np.isfinite(d).sum() * 2 >= len(d)]
    return min(far) / _scale(ctx, sl) if far else 0.0


def _other_travel(ctx: RepContext, sl: slice) -> float:
    """Farthest the other leg's anchor got from where it rested before the rep, shank lengths: a
    window that opens late (a short excursion of this foot) sees little of the other leg's swing."""
    if ctx.other_anchor_xy is None:
        return 0.0
    rest = ctx.other_rest_xy if ctx.other_rest_xy is not None else \
        leg_rest(ctx.t, ctx.other_anchor_xy[:, None], sl.start)[0]
    return rest_travel(ctx.t[sl], ctx.other_anchor_xy[sl], rest) / _scale(ctx, sl)


def _anchor_travel(ctx: RepContext, sl: slice) -> float:
    """Farthest the anchor got from where the rep started, in shank lengths."""
    return _point_travel(ctx.anchor_xy, ctx, sl, seen=0.0)


def _moved_instead(ctx: RepContext, ex: Exercise, sl: slice) -> str:
    """'' or what moved instead of the ankle: the body shifting (the hips of a seated exercise
    travelled, or the whole leg did: ``LEG_SHIFT_LIMIT``) or the other leg (its anchor travelled
    far more than this one's). Not for heel raises: rising on the toes lifts the body, often on
    both feet; and standing toe raises rock the body back (the hips of a real tibialis raise
    travel 0.08 shank lengths; its heel stays, so the leg check still holds). In a passive set a
    helper's hands move the foot and may move the leg with it: the whole-leg check is not held
    against it."""
    if ex.lifts_knee:
        return ""
    body = _point_travel(ctx.body_xy, ctx, sl) if ex.seated else 0.0
    if body > BODY_SHIFT_LIMIT:
        return "the body moved: sit still and move only the foot"
    if not ctx.passive and _leg_travel(ctx, sl) > LEG_SHIFT_LIMIT:
        return "the whole leg moved: keep the leg still and move only the foot"
    other = max(_point_travel(ctx.other_anchor_xy, ctx, sl), _other_travel(ctx, sl))
    if other > max(OTHER_LEG_LIMIT, OTHER_LEG_RATIO * _anchor_travel(ctx, sl)):
        return "the other leg moved: keep it still and move only this foot"
    return ""


def _other_range(ctx: RepContext, sl: slice) -> float | None:
    if ctx.other_signal is None:
        return None
    o = ctx.other_signal[sl]
    if len(o) > 1 and np.isfinite(o).sum() >= 0.7 * len(o):
        return float(np.nanmax(o) - np.nanmin(o))
    return None


def hold_time(t: np.ndarray, x: np.ndarray, rest: float, peak: float) -> float:
    """Seconds held at the top of one rep: the span of the frames near the peak level where
    the foot is nearly still (see TOP_SHARE, SLOW_SHARE). ``x`` is the rep's filtered signal."""
    ok = np.isfinite(x)
    if ok.sum() < 3 or peak == rest:
        return 0.0
    t, x = t[ok], x[ok]
    rel = (x - rest) / (peak - rest)
    speed = np.abs(np.gradient(x, t))
    top = (rel >= TOP_SHARE) & (speed <= SLOW_SHARE * float(np.max(speed)))
    if not top.any():
        return 0.0
    idx = np.flatnonzero(top)
    return float(t[idx[-1]] - t[idx[0]])


def measure_rep(ctx: RepContext, w: RepWindow, ex: Exercise, index: int, side: str) -> Rep:
    sl = slice(w.start, w.end + 1)
    rest = float(ctx.baseline[w.start])
    peak = float(ctx.signal[w.peak])
    rom = abs(peak - rest)
    conf = float(np.clip((np.mean(ctx.quality[sl]) - 0.3) / 0.5, 0.0, 1.0)) * float(np.mean(ctx.valid[sl]))
    notes = []
    if not ctx.view_ok:
        conf *= 0.4
        notes.append(f"camera view not suited to {ex.title.lower()} ({ex.view} view needed)")
    assist = _assistance(ctx, w, ex, sl)
    if assist:
        notes.append(assist)
    shank_range = _shank_range(ctx.shank_deg[sl])
    turn = 0.0 if ex.lifts_knee or ctx.leg_xy is None else \
        shank_turn(ctx.t[sl], ctx.leg_xy[sl], ctx.leg_rest_xy if ctx.leg_rest_xy is not None
                   else leg_rest(ctx.t, ctx.leg_xy, sl.start))
    leg_did_it = shank_range > max(COMPENSATION_MIN_DEG, ctx.compensation_ratio * rom) \
        or turn > max(SWING_MIN_DEG, SWING_SHARE * rom)
    if leg_did_it:
        notes.append(f"leg moved {max(shank_range, turn):.0f} deg: start the movement from the ankle")
    elif _shank_stretch(ctx, sl) > SHANK_STRETCH_LIMIT:
        leg_did_it = True
        notes.append("the lower leg swung toward the camera: start the movement from the ankle")
    moved = "" if assist else _moved_instead(ctx, ex, sl)  # a helping foot moves: it is assistance
    if moved:
        leg_did_it = True
        notes.append(moved)
    # A lifted heel is flagged for the therapist but the rep stands: the heel landmark is the
    # least steady point, and the ankle did move.
    heel_up = ex.heel_must_stay_down and _heel_lift(ctx, w, sl) > HEEL_LIFT_LIMIT
    if heel_up:
        notes.append("heel lifted: keep the heel on the floor")
    compensation = leg_did_it or heel_up
    if ex.lifts_knee and _knee_rise(ctx, w, rom) < KNEE_RISE_SHARE:
        conf = min(conf, 0.2)
        notes.append("the knee did not rise with the heels: not counted")
    travel = _anchor_travel(ctx, sl)
    if travel > ANCHOR_LIMIT:
        conf = min(conf, 0.2)
        notes.append(f"the {ex.anchor} moved too: keep the {ex.anchor} in place (not counted)")
    # A leg that did the work is the compensation the coaching cue warns about: flagged and
    # shown, never counted.
    counted = conf >= CONFIDENT and not leg_did_it
    if not counted and not notes:
        notes.append("foot not clearly visible during the rep")
    other = _other_range(ctx, sl)
    return Rep(index=index, start_t=float(ctx.t[w.start]), peak_t=float(ctx.t[w.peak]),
               end_t=float(ctx.t[w.end]), rest_deg=round(rest, 2), peak_deg=round(peak, 2),
               rom_deg=round(rom, 2), duration_s=round(float(ctx.t[w.end] - ctx.t[w.start]), 3),
               assisted=bool(assist), compensation=bool(compensation), confidence=round(conf, 3),
               counted=bool(counted), side=side, other_side_rom_deg=None if other is None else round(other, 2),
               note="; ".join(notes), hold_s=round(hold_time(ctx.t[sl], ctx.signal[sl], rest, peak), 2))


def number_reps(windows: list[RepWindow], ctx: RepContext, ex: Exercise, side: str, first: int = 1) -> list[Rep]:
    """Measure windows in order; counted reps get first, first+1, ...; a low-confidence one
    gets the next number too but does not advance the count."""
    reps, n = [], first - 1
    for w in windows:
        r = measure_rep(ctx, w, ex, n + 1, side)
        if r.counted:
            n += 1
        reps.append(r)
    return reps
