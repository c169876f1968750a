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
- **movement**: only fits whose own counter, on the side it picks, counts a rep are chosen
  from, and the best of them must reach ``MIN_FIT``, else nothing is recognised ("no
  exercise": a still body, a stretch, shifting in the chair; a seated heel raise that counts
  nothing must not stand for a toe raise that counted 5). The counter is run without its
  own view check (``view="any"``): the view is judged once, softly, by the fit, so a foot
  that moved in an unsuited view lowers the fit (unsure, or another exercise) instead of
  reading as "no movement". The set is then counted by the exercise
  itself, view check included (a wrong view: counted 0 with the warning that says so).

The confidence is the chosen fit over it plus the runner-up (0.5: a tie), the runner-up
being a better fit whose counter found no rep (it may have missed a small movement), else the
next fit whose own counter counts a rep too (one that fits worse and finds no movement does
not explain the one seen); below ``MIN_CONFIDENCE`` it does not guess. Refused, it says what moved
and why (``Recognition.refused``: "toe_raise counted 5 but fits a side view"). Thresholds
were chosen on the tuning half of ``tests/corpus`` only.
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
MIN_FIT = 0.25  # the chosen fit (the best that counts a rep) below this: no exercise's position and view
# The toe's way of moving: the share of its smooth movement (against the ankle) that is up or
# down the picture. Tuning half, seated: toe raises 0.55-0.89, eversions 0.03-0.38 (one 0.71).
TOE_UP_SHARE = 0.6
TOE_UP_SOFT = 0.05
TOE_DRIFT_S = 6.0  # slow drift taken out (a rolling lower envelope over this long: the rest level)
TOE_LAG_S = 0.25  # movement correlated over this lag: the landmarks' frame-to-frame jitter is not
# ... judged only where the movement (its variance, so correlated) is over this share of the
# jitter's variance after the same smoothing: a still toe with 1 px of jitter, isotropic or 1.4x
# stronger up the picture, gave at most 0.26 and 0.37 over 200 seeds each; the tuning half's
# seated toe raises and eversions 0.56-190 (the lowest, c092, a 36° oblique toe raise)
TOE_CLEAR = 0.5
POSTURE_WORDS = {"standing": "standing", "seated": "seated with both feet down", "crossed": "with a leg crossed"}


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
    needs: tuple[str, str, str] = ("", "any", "")  # the entry's first posture, camera view, toe motion

    @property
    def score(self) -> float:
        return self.posture * self.view * self.motion

    def refusal(self, cues: BodyCues) -> str:
        """Why this fit, whose counter counted reps, was refused: its weakest factor, said."""
        posture, view, way = self.needs
        weakest = min((self.posture, "posture"), (self.view, "view"), (self.motion, "motion"))[1]
        if weakest == "view":
            return f"fits a {view} view (film from the {view})"
        if weakest == "motion":
            seen, want = ("sideways", "up") if way == "up" else ("up and down", "sideways")
            return f"the toe moved {seen}, not {want}"
        main = cues.main_posture()
        if posture == main:  # the right position, but seen too little of the time to stand for it
            return (f"is done {POSTURE_WORDS.get(posture, posture)}, which the body showed in only "
                    f"{100 * cues.share(main):.0f} % of the frames")
        return f"is done {POSTURE_WORDS.get(posture, posture)}, not {POSTURE_WORDS[main]}"


@dataclass(frozen=True)
class Recognition:
    """The recogniser's answer: ``exercise`` is None when it is unsure or sees none."""

    exercise: str | None
    confidence: float  # the winner's fit over its own and the runner-up's: 0.5 a tie, 1 alone
    verdict: str  # "recognised" | "unsure" | "none"
    fits: tuple[ExerciseFit, ...]  # best (posture x view x toe motion) first, reps or not
    cues: BodyCues

    @property
    def best(self) -> ExerciseFit:
        return self.fits[0]

    @property
    def chosen(self) -> ExerciseFit | None:
        """The best fit whose own counter counts a rep (None: no counter did)."""
        return next((f for f in self.fits if f.reps > 0), None)

    @property
    def runner(self) -> ExerciseFit | None:
        """The chosen fit's rival (``runner_up``)."""
        return runner_up(self.fits)

    def describe(self) -> str:
        """One line for the terminal and the set's warnings."""
        b = self.best
        seen = (f"{self.cues.main_posture()}, foot/shank {b.foot_ratio:.2f}, "
                f"shoulders/shank {self.cues.shoulders:.2f}")
        if self.verdict == "recognised":
            return f"recognised: {self.exercise} (confidence {self.confidence:.2f}; {seen})"
        if self.verdict == "none":
            return f"no exercise recognised: {self.refused()} ({seen})"
        runner = self.runner.exercise if self.runner is not None else "?"
        return (f"not sure which exercise this is ({self.chosen.exercise} or {runner}, confidence "
                f"{self.confidence:.2f}; {seen})")

    def refused(self) -> str:
        """What moved and why it was refused: the (at most two) fits whose counters counted reps,
        the body's fit apart from the camera first (a view is the person's to change)."""
        moved = sorted((f for f in self.fits if f.reps > 0), key=lambda f: (f.posture * f.motion, f.score),
                       reverse=True)[:2]
        if not moved:
            return f"no exercise's counter found a repetition (the best fit: {self.best.exercise})"
        return "; ".join(f"{f.exercise} counted {f.reps} but {f.refusal(self.cues)}" for f in moved)


def runner_up(fits) -> ExerciseFit | None:
    """The chosen fit's rival (``fits`` best first; the chosen: the first whose counter counts a
    rep): the best fit when it is not the chosen one (it fits the body better, and its counter
    may have missed the movement: no reason to rule it out), else the next fit that counts a
    rep too (one that fits worse and finds no movement does not explain the one seen)."""
    chosen = next((f for f in fits if f.reps > 0), None)
    if chosen is None:
        return None
    if fits[0] is not chosen:
        return fits[0]
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


def _jitter_power(raw: np.ndarray, fps: float) -> float:
    """The variance frame-to-frame jitter keeps after ``smooth_offline``'s low-pass: its size
    from the second differences (robust; a smooth movement hardly enters them) times the
    filter's own gain on white noise."""
    from tracker.signals.filters import lowpass_zero_phase

    d2 = np.diff(raw, 2)
    d2 = d2[np.isfinite(d2)]
    if len(d2) < 3:
        return float("nan")
    sigma = 1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / math.sqrt(6.0)
    impulse = np.zeros(301)
    impulse[150] = 1.0
    return sigma ** 2 * float(np.sum(lowpass_zero_phase(impulse, fps, 2.5) ** 2))


def _lagged_power(x: np.ndarray, lag: int) -> float:
    a, b = x[:-lag], x[lag:]
    ok = np.isfinite(a) & np.isfinite(b)
    return max(0.0, float(np.mean(a[ok] * b[ok]))) if ok.sum() > 2 else 0.0


def toe_vertical_share(rec: PoseRecording, px: np.ndarray, side: str) -> float:
    """The share of the toe's movement against the ankle that is up or down the picture
    (0: across, 1: up and down): its smoothed track, measured from its rest level (a rolling
    lower envelope) and correlated over ``TOE_LAG_S`` (landmark jitter, uncorrelated from
    frame to frame, drops out). NaN (not judged) when too little was seen, or when the
    movement is not clearly over the jitter (``TOE_CLEAR``, on the centred track: the
    envelope sits under a still toe's jitter, and that offset would give it a way)."""
    from tracker.counting.rest import rolling_baseline

    leg = LEG[side]
    scale = _median(shank_length(px, side))
    lag = max(1, int(round(TOE_LAG_S * rec.fps)))
    if not math.isfinite(scale) or scale <= 0 or len(rec.t) <= lag + 2:
        return float("nan")
    power, moved, jitter = [], 0.0, 0.0
    for k in (0, 1):
        raw = fill_gaps((px[:, leg["toe"], k] - px[:, leg["ankle"], k]) / scale, rec.t, 0.5)
        x = smooth_offline(raw, rec.t)
        x = x - rolling_baseline(x, rec.t, TOE_DRIFT_S)
        power.append(_lagged_power(x, lag))
        with quiet_runtime_warnings():
            moved += _lagged_power(x - np.nanmean(x), lag)
        jitter += _jitter_power(raw, rec.fps)
    total = power[0] + power[1]
    if not total > 0 or not moved > TOE_CLEAR * jitter:  # NaN jitter: nothing seen to judge
        return float("nan")
    return power[1] / total


def motion_fit(ex: Exercise, up_share: float, seated: float) -> float:
    """How well the toe's way of moving fits the entry's signal (``TOE_MOTION``), judged in
    proportion to the seated share (module docstring); unknown: 1."""
    if not math.isfinite(up_share):
        return 1.0
    up = _sigmoid((up_share - TOE_UP_SHARE) / TOE_UP_SOFT)
    agree = up if TOE_MOTION[ex.signal] == "up" else 1.0 - up
    return 1.0 - seated * (1.0 - agree)


def fit_exercise(rec: PoseRecording, px: np.ndarray, ex: Exercise, cues: BodyCues,
                 side: str = "auto", shares: dict[str, float] | None = None) -> ExerciseFit:
    """``shares``: the toe's way per side, kept across the entries (one side's is the same for all)."""
    from tracker.counting.offline import analyze_recording

    # the user's --side, when one was given; the view is the fit's to judge (module docstring)
    res = analyze_recording(rec, replace(ex, view="any"), side=side)
    side = res.info.side
    ratio = foot_ratio(px, side)
    motion = 1.0
    if cues.seated > 0:
        shares = {} if shares is None else shares
        if side not in shares:
            shares[side] = toe_vertical_share(rec, px, side)
        motion = motion_fit(ex, shares[side], cues.seated)
    return ExerciseFit(ex.key, side, posture_fit(ex, cues), view_fit(ex.camera, ratio, cues.shoulders),
                       res.summary.reps_counted, ratio, motion, (ex.postures[0], ex.view, TOE_MOTION[ex.signal]))


def candidates() -> list[Exercise]:
    """The routine's exercises (a plan's custom exercise shares its base's signal and view:
    the two could not be told apart)."""
    return [e for e in EXERCISES.values() if e.in_routine]


def recognise(rec: PoseRecording, exercises: list[Exercise] | None = None,
              min_confidence: float = MIN_CONFIDENCE, side: str = "auto") -> Recognition:
    """Which of ``exercises`` (default: the routine's) the recording shows, and how sure."""
    px = to_pixels(rec)
    cues = body_cues(px)
    shares: dict[str, float] = {}
    fits = tuple(sorted((fit_exercise(rec, px, ex, cues, side, shares) for ex in exercises or candidates()),
                        key=lambda f: f.score, reverse=True))
    chosen = next((f for f in fits if f.reps > 0), None)  # only a fit that counts a rep explains the movement
    runner = runner_up(fits)
    pair = (chosen.score if chosen is not None else 0.0) + (runner.score if runner is not None else 0.0)
    confidence = chosen.score / pair if chosen is not None and pair > 0 else 0.0
    if chosen is None or chosen.score < MIN_FIT:
        return Recognition(None, confidence, "none", fits, cues)
    if confidence < min_confidence:
        return Recognition(None, confidence, "unsure", fits, cues)
    return Recognition(chosen.exercise, confidence, "recognised", fits, cues)
