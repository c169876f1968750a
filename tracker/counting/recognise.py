"""Which exercise a recording shows, from what the body shows (``--exercise auto``).

Why from the exercise entries: each entry already says where its movement is measured
(``signal``, ``view``) and now in which position it is done (``postures``), so one rule
serves every entry and a new one is recognised without new code. For each candidate:

    fit = posture share x view match x toe motion

- **posture**: the share of frames standing (``gating.standing``), else seated with a leg
  crossed or with both feet down (``crossed_share``); an entry's first posture counts in
  full, its others at ``LATER_POSTURE``.
- **view**: the foot's length against the shank (``View``'s own limits, softened).
- **toe motion** (seated with the feet down only): which way the toe moves against the ankle,
  up the picture or across it (``toe_vertical_share``), against the way the entry's signal
  carries it (``features.TOE_MOTION``). A toe raise lifts the toe in every view, an eversion
  rolls the foot without lifting it: in a 45° oblique view, which the view cue cannot call
  side or front, this tells them apart. Weighted by the seated share: a crossed leg's foot
  hangs in the air and its landmarks' way of moving did not follow the truth (tuning half:
  oblique dorsiflexions moved "across").
- **movement**: the best fit's own counter, on the side it picks, must count a rep, else
  nothing is recognised ("no exercise": a still body, a stretch, shifting in the chair). The
  counter is run without its own view check (``view="any"``): the view is judged once, softly,
  by the fit, so a foot that moved in an unsuited view lowers the fit (unsure, or another
  exercise) instead of reading as "no movement". The set is then counted by the exercise
  itself, view check included (a wrong view: counted 0 with the warning that says so).

The confidence is the best fit over the best plus the runner-up (0.5: a tie), the runner-up
being the best other fit whose own counter counts a rep too (one that finds no movement does
not explain the one seen); below ``MIN_CONFIDENCE`` it does not guess. Thresholds were
chosen on the tuning half of ``tests/corpus`` only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from tracker.exercises import EXERCISES, POSTURES, Exercise, View
from tracker.pose.landmarks import LEFT_SHOULDER, LEG, RIGHT_SHOULDER, SIDES
from tracker.pose.recording import PoseRecording
from tracker.signals import gating
from tracker.signals.features import TOE_MOTION, shank_length
from tracker.signals.filters import fill_gaps, quiet_runtime_warnings, smooth_offline

LATER_POSTURE = 0.3  # weight of an entry's second (less usual) posture
# Crossed, seen from the front or obliquely (hips apart in the picture): the knees are
# closer together than twice the hips' gap. Tuning half: crossed 0.83-1.22, feet down 1.57-2.38.
CROSS_SPREAD = 1.4
SPREAD_SOFT = 0.08
# Crossed, seen from the side (hips overlap): the crossed knee and the foot hanging from it
# are high. The midpoint of both shanks below the hips, in shank lengths: tuning half
# crossed 0.36-0.48, feet down 0.47-0.69 (the lowest a still, low camera).
CROSS_DROP = 0.465
DROP_SOFT = 0.015
HIPS_APART = (0.25, 0.35)  # hips' gap (shank lengths) over which the two cues hand over
VIEW_SOFT = 0.03  # foot/shank ratio over which a view limit is softened
SHOULDER_SOFT = 0.05  # shoulders/shank ratio over which a view limit is softened
MIN_CONFIDENCE = 0.65  # below: unsure, ask for --exercise
MIN_FIT = 0.25  # the best fit below this: no exercise's position and view are shown
# The toe's way of moving: the share of its smooth movement (against the ankle) that is up or
# down the picture. Tuning half, seated: toe raises 0.55-0.89, eversions 0.03-0.38 (one 0.71).
TOE_UP_SHARE = 0.6
TOE_UP_SOFT = 0.05
TOE_DRIFT_S = 6.0  # slow drift taken out (a rolling lower envelope over this long)
TOE_LAG_S = 0.25  # movement correlated over this lag: the landmarks' frame-to-frame jitter is not


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


@dataclass(frozen=True)
class BodyCues:
    """What the body shows over the stretch: shares of the postures (they sum to 1)."""

    standing: float
    seated: float
    crossed: float
    knee_spread: float  # knees' gap over hips' gap (NaN when the hips overlap)
    shank_drop: float  # shank midpoints below the hips, shank lengths
    shoulders: float  # shoulder width in the picture over the shank: narrow from the side

    def share(self, posture: str) -> float:
        return {"standing": self.standing, "seated": self.seated, "crossed": self.crossed}[posture]

    def main_posture(self) -> str:
        return max(POSTURES, key=self.share)


@dataclass(frozen=True)
class ExerciseFit:
    """How well one exercise entry fits the stretch (each factor 0-1)."""

    exercise: str
    side: str
    posture: float
    view: float
    reps: int  # what its counter found on that side
    foot_ratio: float
    motion: float = 1.0  # the toe's way of moving against the entry's (1: agrees or not judged)

    @property
    def score(self) -> float:
        return self.posture * self.view * self.motion


@dataclass(frozen=True)
class Recognition:
    """The recogniser's answer: ``exercise`` is None when it is unsure or sees none."""

    exercise: str | None
    confidence: float  # the winner's fit over its own and the runner-up's: 0.5 a tie, 1 alone
    verdict: str  # "recognised" | "unsure" | "none"
    fits: tuple[ExerciseFit, ...]  # best first
    cues: BodyCues

    @property
    def best(self) -> ExerciseFit:
        return self.fits[0]

    @property
    def runner(self) -> ExerciseFit | None:
        """The runner-up: the best other fit whose counter counts a rep too."""
        return runner_up(self.fits)

    def describe(self) -> str:
        """One line for the terminal and the set's warnings."""
        b = self.best
        seen = (f"{self.cues.main_posture()}, foot/shank {b.foot_ratio:.2f}, "
                f"shoulders/shank {self.cues.shoulders:.2f}")
        if self.verdict == "recognised":
            return f"recognised: {self.exercise} (confidence {self.confidence:.2f}; {seen})"
        if self.verdict == "none":
            return f"no exercise recognised: the best fit, {b.exercise}, found no repetition ({seen})"
        runner = self.runner.exercise if self.runner is not None else "?"
        return (f"not sure which exercise this is ({b.exercise} or {runner}, confidence "
                f"{self.confidence:.2f}; {seen})")


def runner_up(fits) -> ExerciseFit | None:
    """After the best (``fits`` best first): the best fit whose own counter counts a rep (one
    that finds no movement does not explain the one seen)."""
    return next((f for f in fits[1:] if f.reps > 0), None)


def to_pixels(rec: PoseRecording) -> np.ndarray:
    return rec.norm[:, :, :2] * np.array([rec.width, rec.height], np.float32)


def _median(a: np.ndarray) -> float:
    with quiet_runtime_warnings():
        return float(np.nanmedian(a)) if np.isfinite(a).any() else float("nan")


def body_cues(px: np.ndarray) -> BodyCues:
    """Posture shares over a stretch of frames ``px`` (N, 33, 2) pixels."""
    seen = np.isfinite(px[:, LEG["left"]["hip"], 1])
    standing = float(gating.standing(px[seen]).mean()) if seen.any() else 0.0
    scale = _median(np.concatenate([shank_length(px, s) for s in SIDES]))
    hips_y = 0.5 * (px[:, LEG["left"]["hip"], 1] + px[:, LEG["right"]["hip"], 1])
    mid = [0.5 * (px[:, LEG[s]["knee"], 1] + px[:, LEG[s]["ankle"], 1]) - hips_y for s in SIDES]
    drop = _median(0.5 * (mid[0] + mid[1])) / scale
    hips_dx = _median(np.abs(px[:, LEG["left"]["hip"], 0] - px[:, LEG["right"]["hip"], 0])) / scale
    knees_dx = _median(np.abs(px[:, LEG["left"]["knee"], 0] - px[:, LEG["right"]["knee"], 0])) / scale
    lo, hi = HIPS_APART
    w = float(np.clip((hips_dx - lo) / (hi - lo), 0.0, 1.0)) if math.isfinite(hips_dx) else 0.0
    spread = knees_dx / hips_dx if w > 0 else float("nan")
    by_spread = _sigmoid((CROSS_SPREAD - spread) / SPREAD_SOFT) if w > 0 else 0.0
    by_drop = _sigmoid((CROSS_DROP - drop) / DROP_SOFT) if math.isfinite(drop) else 0.0
    crossed = w * by_spread + (1.0 - w) * by_drop
    sitting = 1.0 - standing
    shoulders = _median(np.abs(px[:, LEFT_SHOULDER, 0] - px[:, RIGHT_SHOULDER, 0])) / scale
    return BodyCues(standing, sitting * (1.0 - crossed), sitting * crossed, spread, drop, shoulders)


def posture_fit(ex: Exercise, cues: BodyCues) -> float:
    return min(1.0, sum((1.0 if i == 0 else LATER_POSTURE) * cues.share(p) for i, p in enumerate(ex.postures)))


def _within(x: float, lo: float | None, hi: float | None, soft: float) -> float:
    """1 inside [lo, hi], falling off softly outside; an unknown value fits half."""
    if not math.isfinite(x):
        return 0.5
    fit = 1.0
    if lo is not None:
        fit *= _sigmoid((x - lo) / soft)
    if hi is not None:
        fit *= _sigmoid((hi - x) / soft)
    return fit


def view_fit(view: View, foot_ratio: float, shoulders: float) -> float:
    """The mean of two cues to the camera view: the foot's length and the shoulders' width,
    each against the shank (either alone is fooled: a crossed foot turns, a body turns)."""
    by_foot = _within(foot_ratio, view.min_foot_ratio, view.max_foot_ratio, VIEW_SOFT)
    by_body = _within(shoulders, view.min_shoulder_ratio, view.max_shoulder_ratio, SHOULDER_SOFT)
    return 0.5 * (by_foot + by_body)


def foot_ratio(px: np.ndarray, side: str) -> float:
    leg = LEG[side]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.linalg.norm(px[:, leg["toe"]] - px[:, leg["heel"]], axis=1) / shank_length(px, side)
    return _median(r)


def toe_vertical_share(rec: PoseRecording, px: np.ndarray, side: str) -> float:
    """The share of the toe's movement against the ankle that is up or down the picture
    (0: across, 1: up and down), from its smoothed, de-drifted track correlated over
    ``TOE_LAG_S`` (landmark jitter, uncorrelated from frame to frame, drops out). NaN when
    nothing moved or too little was seen."""
    from tracker.counting.rest import rolling_baseline

    leg = LEG[side]
    scale = _median(shank_length(px, side))
    lag = max(1, int(round(TOE_LAG_S * rec.fps)))
    if not math.isfinite(scale) or scale <= 0 or len(rec.t) <= lag + 2:
        return float("nan")
    power = []
    for k in (0, 1):
        x = smooth_offline(fill_gaps((px[:, leg["toe"], k] - px[:, leg["ankle"], k]) / scale, rec.t, 0.5), rec.t)
        x = x - rolling_baseline(x, rec.t, TOE_DRIFT_S)
        a, b = x[:-lag], x[lag:]
        ok = np.isfinite(a) & np.isfinite(b)
        power.append(max(0.0, float(np.mean(a[ok] * b[ok]))) if ok.sum() > 2 else 0.0)
    total = power[0] + power[1]
    return power[1] / total if total > 0 else float("nan")


def motion_fit(ex: Exercise, up_share: float, seated: float) -> float:
    """How well the toe's way of moving fits the entry's signal (``TOE_MOTION``), judged in
    proportion to the seated share (module docstring); unknown: 1."""
    if not math.isfinite(up_share):
        return 1.0
    up = _sigmoid((up_share - TOE_UP_SHARE) / TOE_UP_SOFT)
    agree = up if TOE_MOTION[ex.signal] == "up" else 1.0 - up
    return 1.0 - seated * (1.0 - agree)


def fit_exercise(rec: PoseRecording, px: np.ndarray, ex: Exercise, cues: BodyCues,
                 side: str = "auto") -> ExerciseFit:
    from tracker.counting.offline import analyze_recording

    # the user's --side, when one was given; the view is the fit's to judge (module docstring)
    res = analyze_recording(rec, replace(ex, view="any"), side=side)
    side = res.info.side
    ratio = foot_ratio(px, side)
    motion = motion_fit(ex, toe_vertical_share(rec, px, side), cues.seated) if cues.seated > 0 else 1.0
    return ExerciseFit(ex.key, side, posture_fit(ex, cues), view_fit(ex.camera, ratio, cues.shoulders),
                       res.summary.reps_counted, ratio, motion)


def candidates() -> list[Exercise]:
    """The routine's exercises (a plan's custom exercise shares its base's signal and view:
    the two could not be told apart)."""
    return [e for e in EXERCISES.values() if e.in_routine]


def recognise(rec: PoseRecording, exercises: list[Exercise] | None = None,
              min_confidence: float = MIN_CONFIDENCE, side: str = "auto") -> Recognition:
    """Which of ``exercises`` (default: the routine's) the recording shows, and how sure."""
    px = to_pixels(rec)
    cues = body_cues(px)
    fits = sorted((fit_exercise(rec, px, ex, cues, side) for ex in exercises or candidates()),
                  key=lambda f: f.score, reverse=True)
    best = fits[0]
    runner = runner_up(fits)
    pair = best.score + (runner.score if runner is not None else 0.0)
    confidence = best.score / pair if pair > 0 else 0.0
    if best.reps == 0 or best.score < MIN_FIT:
        return Recognition(None, confidence, "none", tuple(fits), cues)
    if confidence < min_confidence:
        return Recognition(None, confidence, "unsure", tuple(fits), cues)
    return Recognition(best.exercise, confidence, "recognised", tuple(fits), cues)
