"""Recorded-video analysis: landmarks of a whole clip → one set of reps (offline method).

Offline may beat live: filters are zero-phase, the rest level follows drift from both
sides, and the person's range is learned from all of their peaks before any threshold
is set. The reps themselves are decided by the same engine and measured by the same
``measure_rep`` as live; frames the gate rejects (not seen, walking in or out, lying
down) are cut out first, so nothing is counted while someone gets into position.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from tracker.counting.engine import RepWindow, segment
from tracker.counting.measure import number_reps, rep_context
from tracker.counting.rest import estimate_direction, learn_range, local_range, rolling_baseline
from tracker.exercises import Exercise
from tracker.pose.landmarks import SIDES, other_side
from tracker.pose.recording import PoseRecording
from tracker.records import Rep, SetInfo, SetSummary
from tracker.signals import gating
from tracker.signals.features import (
    LegFeatures,
    crossed_leg,
    foot_turn_of,
    leg_features,
    shank_length,
    shoulder_ratio,
)
from tracker.signals.filters import fill_gaps, smooth_offline

METHOD = "offline-peaks"
TURN_METHOD = "offline-peaks+foot-turn"  # the signal was the foot's pixel turn (tracker/pose/foot_turn.py)
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

    def with_warnings(self, *notes: str | None) -> "SetResult":
        """More warnings, on the terminal and in the summary row alike (empty or repeated
        notes are left out). In place; returns itself."""
        new = tuple(n for n in dict.fromkeys(notes) if n and n not in self.warnings)
        self.summary = replace(self.summary, warnings=self.summary.warnings + new)
        self.warnings = self.warnings + new
        return self


@dataclass
class _Leg:
    """One leg's gated, filtered signal and features (computed once per side)."""

    feats: LegFeatures
    valid: np.ndarray
    filt: np.ndarray


def _prepare(rec: PoseRecording, ex: Exercise, side: str, px: np.ndarray, posture: np.ndarray) -> _Leg:
    """``posture``: frames whose posture does not fit the exercise (lying, or standing for a
    seated one)."""
    feats = leg_features(px, rec.visibility, side, ex, turn=foot_turn_of(rec.foot_turn, side, ex))
    placed = gating.person_in_place(px, rec.t, fill_gaps(shank_length(px, side), rec.t, 0.5)) & ~posture
    # Pad only the walking/posture gate (its speed estimate is smoothed); a brief visibility
    # dropout stays brief so that it can be bridged.
    placed = gating.pad_mask(placed, rec.t, gating.GATE_PAD_S) if not placed.all() else placed
    valid = gating.usable(feats.quality, feats.signal, placed)
    filt = smooth_offline(np.where(valid, feats.signal, np.nan), rec.t)
    return _Leg(feats, valid, filt)


@dataclass
class Excursions:
    """The reps found in a whole filtered signal, and what they were judged against."""

    base: np.ndarray  # rest level, rep direction
    range_deg: float  # the person's typical excursion
    windows: list[RepWindow]


def find_excursions(t: np.ndarray, x: np.ndarray, fps: float, ex: Exercise) -> Excursions:
    """Reps in a whole filtered signal ``x`` (rep direction up, NaN = unusable): a rolling
    rest, the person's range from all of their peaks, then the engine (every offline method
    finds its reps here)."""
    base = rolling_baseline(x, t, BASELINE_WINDOW_S)
    range_deg = learn_range(x - base, fps, ex)
    windows = segment(t, x, base, ex, local_range(t, x - base, fps, ex, range_deg)) if range_deg > 0 else []
    return Excursions(base, range_deg, windows)


def choose_side(rec: PoseRecording, ex: Exercise, legs: dict[str, _Leg], px: np.ndarray | None = None) -> str:
    """'auto': for an exercise done with the leg crossed, the crossed leg when its foot hangs
    clearly higher (the other foot's landmarks wander as much as a small movement); else the
    side whose signal moves most (learned range), weighted by visibility."""
    crossed = crossed_leg(px) if px is not None and ex.postures == ("crossed",) else None
    if crossed is not None and legs[crossed].valid.sum() >= 5:
        return crossed
    best, best_score = "left", -1.0
    for side in SIDES:
        leg = legs[side]
        if leg.valid.sum() < 5:
            continue
        direction = ex.rep_direction(side) or estimate_direction(leg.filt, rec.t)
        score = find_excursions(rec.t, direction * leg.filt, rec.fps, ex).range_deg
        # weighted by how much of the clip this foot was usable: a foot seen in a few noisy
        # frames must not win on a spurious range
        score *= float(np.mean(leg.feats.quality[leg.valid])) * float(leg.valid.mean())
        if score > best_score:
            best, best_score = side, score
    return best


def _view_ok(ex: Exercise, leg: _Leg, px: np.ndarray) -> bool:
    """The camera view over the frames this leg could count in: the foot's and the
    shoulders' medians (``View.ok``)."""
    def med(a: np.ndarray) -> float:
        return float(np.nanmedian(a)) if np.isfinite(a).any() else float("nan")

    return ex.camera.ok(med(leg.feats.foot_ratio[leg.valid]), med(shoulder_ratio(px[leg.valid], leg.feats.side)))


def analyze_recording(rec: PoseRecording, ex: Exercise, side: str = "auto", mode: str = "active",
                      target: int = 10, source: str | None = None, profile: str = "default") -> SetResult:
    """Count and measure one set in a landmark recording (hand the result to a Recorder)."""
    px = rec.norm[:, :, :2] * np.array([rec.width, rec.height], np.float32)
    lying = gating.lying(px)
    stands = gating.standing(px) if ex.seated else np.zeros(len(px), bool)
    legs = {s: _prepare(rec, ex, s, px, (lying if ex.upright else False) | stands) for s in SIDES}
    if side == "auto":
        side = choose_side(rec, ex, legs, px)
    leg, t = legs[side], rec.t
    detected = np.isfinite(rec.norm[:, 0, 0])
    view_ok = _view_ok(ex, leg, px)
    tally = gating.GateTally(frames=len(t), detected=int(detected.sum()), usable=int(leg.valid.sum()),
                             lying=int((lying & detected).sum()), standing=int((stands & detected).sum()),
                             wrong_view=not view_ok)
    warnings = gating.set_warnings(ex, side, tally)

    direction = ex.rep_direction(side) or estimate_direction(leg.filt, t)
    found = find_excursions(t, direction * leg.filt, rec.fps, ex)
    base_d, windows = found.base, found.windows

    other = legs[other_side(side)]
    ctx = rep_context(leg.feats, t, leg.filt, direction * base_d, leg.valid,
                      other_signal=other.filt if other.valid.mean() > 0.5 else None, view_ok=view_ok,
                      smooth=smooth_offline, passive=mode == "passive")
    reps = number_reps(windows, ctx, ex, side)
    info = SetInfo(source=source or str(rec.meta.get("source", {}).get("name", "recording")), exercise=ex.key,
                   side=side, mode=mode, target=target, profile=profile,
                   source_sha256=rec.meta.get("source", {}).get("sha256"),
                   method=TURN_METHOD if foot_turn_of(rec.foot_turn, side, ex) is not None else METHOD)
    summary = SetSummary.from_reps(info, reps, float(t[-1] - t[0]) if len(t) else 0.0, len(t),
                                   int((~detected).sum()), warnings)
    return SetResult(info, reps, summary, t, leg.filt, direction * base_d, direction, found.range_deg, warnings, rec)
