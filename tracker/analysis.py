"""Recorded-video analysis: landmarks of a whole clip → one set of reps (offline method).

Offline may beat live: filters are zero-phase, the rest level follows drift from both
sides, and the person's range is learned from all of their peaks before any threshold
is set. Frames where the person is not usable (not seen, foot hidden, walking in or out)
are gated out first, so nothing is counted while someone gets into position.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tracker.exercises import Exercise
from tracker.filters import fill_gaps, smooth_offline
from tracker.kinematics import (MAX_UPRIGHT_TILT, VISIBLE, LegFeatures, leg_features, shank_length,
                                torso_tilt_deg, view_ratio_ok)
from tracker.landmarks import LEFT_HIP, RIGHT_HIP, SIDES, other_side
from tracker.records import Rep, RepSink, SetInfo, SetSummary
from tracker.recording import PoseRecording
from tracker.reps import (RepContext, estimate_direction, learn_range, local_range, number_reps,
                          rolling_baseline, segment_reps)

METHOD = "offline-peaks"
MAX_HIP_SPEED = 0.6  # shank lengths per second: faster = walking, not exercising
MAX_SCALE_RATE = 0.4  # relative change of shank length per second: walking toward/away
GATE_PAD_S = 0.2
BASELINE_WINDOW_S = 12.0


@dataclass
class SetResult:
    """Everything one analysed set produced, including the curves a plot needs."""

    info: SetInfo
    reps: list[Rep]
    summary: SetSummary
    t: np.ndarray = field(repr=False)
    signal: np.ndarray = field(repr=False)  # filtered signal, degrees, original sign
    baseline: np.ndarray = field(repr=False)
    direction: int = 1
    range_deg: float = 0.0
    warnings: tuple[str, ...] = ()
    recording: PoseRecording | None = field(default=None, repr=False)  # for --annotate


def _pad_mask(mask: np.ndarray, t: np.ndarray, pad_s: float) -> np.ndarray:
    """Grow False regions of ``mask`` by ``pad_s`` on each side."""
    bad = ~mask
    if not bad.any() or pad_s <= 0:
        return mask
    out = mask.copy()
    idx = np.flatnonzero(bad)
    tb = t[idx]
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


@dataclass
class _Leg:
    """One leg's gated, filtered signal and features (computed once per side)."""

    feats: LegFeatures
    valid: np.ndarray
    filt: np.ndarray


def _prepare(rec: PoseRecording, ex: Exercise, side: str, px: np.ndarray, lying: np.ndarray) -> _Leg:
    feats = leg_features(px, rec.visibility, side, ex)
    placed = person_in_place(px, rec.t, fill_gaps(shank_length(px, side), rec.t, 0.5))
    if ex.upright:
        placed = placed & ~lying
    # Pad only the walking/posture gate (its speed estimate is smoothed); a brief visibility
    # dropout stays brief so that it can be bridged.
    placed = _pad_mask(placed, rec.t, GATE_PAD_S) if not placed.all() else placed
    valid = (feats.quality >= VISIBLE) & np.isfinite(feats.signal) & placed
    filt = smooth_offline(np.where(valid, feats.signal, np.nan), rec.t)
    return _Leg(feats, valid, filt)


def choose_side(rec: PoseRecording, ex: Exercise, legs: dict[str, _Leg]) -> str:
    """'auto': the side whose signal moves most (learned range), weighted by visibility."""
    best, best_score = "left", -1.0
    for side in SIDES:
        leg = legs[side]
        if leg.valid.sum() < 5:
            continue
        x = (ex.rep_direction(side) or estimate_direction(leg.filt, rec.t)) * leg.filt
        score = learn_range(x - rolling_baseline(x, rec.t, BASELINE_WINDOW_S), rec.fps, ex)
        # weighted by how much of the clip this foot was usable: a foot seen in a few noisy
        # frames must not win on a spurious range
        score *= float(np.mean(leg.feats.quality[leg.valid])) * float(leg.valid.mean())
        if score > best_score:
            best, best_score = side, score
    return best


def analyze_recording(rec: PoseRecording, ex: Exercise, side: str = "auto", mode: str = "active",
                      target: int = 10, source: str | None = None, profile: str = "default") -> SetResult:
    """Count and measure one set in a landmark recording (hand the result to ``emit``)."""
    px = rec.norm[:, :, :2] * np.array([rec.width, rec.height], np.float32)
    with np.errstate(invalid="ignore"):
        lying = torso_tilt_deg(px) > MAX_UPRIGHT_TILT
    legs = {s: _prepare(rec, ex, s, px, lying) for s in SIDES}
    if side == "auto":
        side = choose_side(rec, ex, legs)
    feats, valid, filt = legs[side].feats, legs[side].valid, legs[side].filt
    t = rec.t
    warnings: list[str] = []
    detected = np.isfinite(rec.norm[:, 0, 0])
    if not detected.any():
        warnings.append("no person was found in the video")
    elif valid.mean() < 0.5:
        warnings.append(f"the {side} foot was clearly visible in only {100 * valid.mean():.0f}% of frames")
    if ex.upright and detected.any():
        lying_share = float(np.mean(lying[detected]))
        if lying_share > 0.5:
            warnings.append(f"the person was lying down in {100 * lying_share:.0f}% of the video: "
                            f"{ex.title.lower()} is done seated or standing")
    fr = feats.foot_ratio[valid]
    foot_ratio = float(np.nanmedian(fr)) if np.isfinite(fr).any() else float("nan")
    view_ok = view_ratio_ok(ex, foot_ratio)
    if not view_ok:
        warnings.append(f"wrong camera view: film {ex.title.lower()} from the side (turn sideways to the camera)")

    direction = ex.rep_direction(side) or estimate_direction(filt, t)
    x = direction * filt
    base_d = rolling_baseline(x, t, BASELINE_WINDOW_S)
    range_deg = learn_range(x - base_d, rec.fps, ex)
    windows = (segment_reps(t, x, base_d, ex, local_range(t, x - base_d, rec.fps, ex, range_deg))
               if range_deg > 0 else [])

    other = legs[other_side(side)]
    other_filt = other.filt if other.valid.mean() > 0.5 else None
    ctx = RepContext(t=t, signal=filt, direction=direction, baseline=direction * base_d, quality=feats.quality,
                     valid=valid, shank_deg=smooth_offline(feats.shank_deg, t), heel_y=smooth_offline(feats.heel_y, t),
                     hand_dist=feats.hand_dist, other_foot_dist=feats.other_foot_dist,
                     anchor_xy=feats.anchor_xy, toe_y=smooth_offline(feats.toe_y, t),
                     other_toe_y=smooth_offline(feats.other_toe_y, t, max_gap_s=0.2), other_signal=other_filt,
                     view_ok=view_ok)
    reps = number_reps(windows, ctx, ex, side)
    info = SetInfo(source=source or str(rec.meta.get("source", {}).get("name", "recording")), exercise=ex.key,
                   side=side, mode=mode, target=target, profile=profile,
                   source_sha256=rec.meta.get("source", {}).get("sha256"), method=METHOD)
    summary = SetSummary.from_reps(info, reps, float(t[-1] - t[0]) if len(t) else 0.0, len(t),
                                   int((~detected).sum()), tuple(warnings))
    return SetResult(info, reps, summary, t, filt, direction * base_d, direction, range_deg, tuple(warnings), rec)


def emit(result: SetResult, sinks: list[RepSink]) -> None:
    """Feed one analysed set to every sink: open, each rep (persisted at once), close.

    Sinks are isolated: one failing (a full USB stick under the CSV) does not stop the
    others (the history on the home disk); the first error is raised after all have run.
    """
    errors: list[Exception] = []

    def each(call):
        for sink in sinks:
            try:
                call(sink)
            except Exception as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)

    each(lambda k: k.open(result.info))
    for rep in result.reps:
        each(lambda k, r=rep: k.add(r))
    each(lambda k: k.close(result.summary))
    if errors:
        raise errors[0]
