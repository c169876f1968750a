"""Repetition counting: an offline segmenter for recorded video and a causal live counter.

A rep is a full excursion away from the rest position and back. Both counters use
hysteresis between an upper and a lower threshold set from the person's OWN range (so a
4° mover and a 25° mover both count), a minimum duration and a refractory time. The
offline one sees the whole clip (zero-phase filtering, range from ``find_peaks``
prominences); the live one learns rest and range as the set goes. Both hand the found
window to ``measure_rep`` so a rep means the same thing in both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tracker.exercises import Exercise
from tracker.filters import CausalMedian, OneEuro
from tracker.records import Rep

HI_FRACTION = 0.5  # enter a rep at this share of the person's range
LO_FRACTION = 0.2  # leave it (rep complete) below this share
ASSIST_HAND_FOOT_LENGTHS = 0.6  # a hand point within this distance of the foot = assisting
ASSIST_OTHER_FOOT = 0.45  # other foot this close under the toes (toe raises) = assisting
ASSIST_SHARE = 0.3  # of the rep's frames
COMPENSATION_RATIO = 1.0  # shank rotation larger than the ankle's own range
COMPENSATION_MIN_DEG = 5.0
HEEL_LIFT_LIMIT = 0.08  # shank lengths: the heel left the floor during a toe raise
# Shank lengths the anchor point may travel in a clean rep. Measured: 0.02-0.16 in real and
# rendered heel/toe raises and dorsiflexion; 0.69-0.95 for ankle circles (foot in the air).
ANCHOR_LIMIT = 0.35
CONFIDENT = 0.5


@dataclass(frozen=True)
class RepWindow:
    start: int
    peak: int
    end: int


def thresholds(ex: Exercise, range_deg):
    """(enter, leave) levels above rest for a rep, from the person's range (a number or a
    per-frame array); never below the exercise's noise floor."""
    rng = np.asarray(range_deg, float)
    return np.maximum(ex.min_rom_deg, HI_FRACTION * rng), np.maximum(0.4 * ex.min_rom_deg, LO_FRACTION * rng)


# ---------------------------------------------------------------- offline (whole signal)

def estimate_direction(d: np.ndarray, t: np.ndarray | None = None, start_s: float = 1.5) -> int:
    """+1 if excursions go up from the rest position, -1 if down.

    Rest is where the person starts (the still moment before the set: the first
    ``start_s`` seconds of usable signal); without times, the most common value. The mode
    alone would mistake long holds at the top for rest.
    """
    fin = np.isfinite(d)
    ok = d[fin]
    if len(ok) < 5 or np.ptp(ok) < 1e-6 * max(1.0, float(np.max(np.abs(ok)))):
        return 1  # no movement: any direction counts nothing
    rest = None
    if t is not None and fin.any():
        tf = t[fin]
        first = ok[tf <= tf[0] + start_s]
        if len(first) >= 3:
            rest = float(np.median(first))
    if rest is None:
        hist, edges = np.histogram(ok, bins=min(50, max(5, len(ok) // 10)))
        rest = 0.5 * (edges[hist.argmax()] + edges[hist.argmax() + 1])
    up, down = np.percentile(ok, 97) - rest, rest - np.percentile(ok, 3)
    return 1 if up >= down else -1


def rolling_baseline(d: np.ndarray, t: np.ndarray, window_s: float, q: float = 15.0) -> np.ndarray:
    """Rest level as a rolling low percentile (a lower envelope): follows slow drift (the
    person shifting in the chair) but not the reps, even when holds at the top fill most
    of the time (a 10th percentile over 20 s still finds 0.6 s rests between 5 s holds)."""
    n = len(d)
    if n == 0:
        return d.copy()
    fs = 1.0 / float(np.median(np.diff(t))) if n > 1 else 30.0
    half = max(1, int(window_s * fs / 2))
    step = max(1, half // 8)
    centres = np.arange(0, n, step)
    vals = np.full(len(centres), np.nan)
    for k, c in enumerate(centres):
        seg = d[max(0, c - half):c + half + 1]
        seg = seg[np.isfinite(seg)]
        if len(seg) >= 3:
            vals[k] = np.percentile(seg, q)
    ok = np.isfinite(vals)
    if not ok.any():
        return np.full(n, np.nan)
    return np.interp(np.arange(n), centres[ok], vals[ok])


def learn_range(d: np.ndarray, fs: float, ex: Exercise) -> float:
    """The person's typical excursion: a high quantile of peak prominences above noise."""
    from scipy.signal import find_peaks

    x = np.where(np.isfinite(d), d, 0.0)
    peaks, props = find_peaks(x, prominence=ex.min_rom_deg, distance=max(1, int(ex.min_rep_s * fs)))
    if len(peaks) == 0:
        return 0.0
    prom = np.sort(props["prominences"])
    # The upper quartile of prominences: robust to a few tiny wobbles and one huge outlier.
    return float(np.percentile(prom, 75))


LOCAL_WINDOW_S = 6.0  # neighbouring reps that set a rep's own threshold (a tiring patient)
LOCAL_FLOOR = 0.7  # a local threshold may fall to this share of the set's: tiring yes, noise no


def local_range(t: np.ndarray, d: np.ndarray, fs: float, ex: Exercise, global_range: float) -> np.ndarray:
    """Per-frame range: the median prominence of the peaks within ±LOCAL_WINDOW_S, never
    below LOCAL_FLOOR of the set's range. A patient whose reps shrink from 10° to 4° as they tire
    keeps being counted, while noise between sets stays under the global floor."""
    from scipy.signal import find_peaks

    out = np.full(len(d), float(global_range))
    x = np.where(np.isfinite(d), d, 0.0)
    peaks, props = find_peaks(x, prominence=ex.min_rom_deg, distance=max(1, int(ex.min_rep_s * fs)))
    if len(peaks) == 0:
        return out
    tp, prom = t[peaks], props["prominences"]
    for i in range(len(d)):
        near = np.abs(tp - t[i]) <= LOCAL_WINDOW_S
        if near.any():
            out[i] = max(float(np.median(prom[near])), LOCAL_FLOOR * global_range)
    return out


def segment_reps(t: np.ndarray, x: np.ndarray, baseline: np.ndarray, ex: Exercise,
                 range_deg: float | np.ndarray) -> list[RepWindow]:
    """Hysteresis segmentation of ``x`` (signal in the rep direction, NaN = not usable).

    The rest level is ``baseline`` (slow drift) while at rest, and is frozen at a rep's start:
    a rep ends only when the signal itself comes back, never because the baseline caught up
    with a long hold. After a dropout the foot must be seen at rest again before a rep can
    start, so no rep spans a gap.
    """
    his, los = (np.broadcast_to(a, x.shape) for a in thresholds(ex, range_deg))
    out: list[RepWindow] = []
    state_in = False
    start = peak = 0
    rest = 0.0
    last_low: int | None = None  # last index at or below lo (the rep's start)
    last_end_t = -np.inf
    for i in range(len(x)):
        if not (np.isfinite(x[i]) and np.isfinite(baseline[i])):
            state_in = False  # a long dropout ends a rep without counting it
            last_low = None
            continue
        hi, lo = his[i], los[i]
        if not state_in:
            v = x[i] - baseline[i]
            if v <= lo:
                last_low = i
            elif v >= hi and last_low is not None and t[i] - last_end_t >= ex.refractory_s:
                state_in, start, peak = True, last_low, i
                rest = baseline[start]
        else:
            v = x[i] - rest
            if x[i] > x[peak]:
                peak = i
            if v <= los[start]:
                state_in = False
                dur = t[i] - t[start]
                if ex.min_rep_s <= dur <= ex.max_rep_s:
                    out.append(RepWindow(start, peak, i))
                    last_end_t = t[i]
                last_low = i
            elif t[i] - t[start] > ex.max_rep_s:
                state_in = False  # held too long: not a rep (walked away, changed position)
                last_low = None
    return out


# ---------------------------------------------------------------- per-rep measurements

@dataclass
class RepContext:
    """Per-frame arrays a rep is measured from (all length N, filtered where it matters)."""

    t: np.ndarray
    signal: np.ndarray  # filtered signal, degrees, original sign
    direction: int
    baseline: np.ndarray  # rest level in the original sign
    quality: np.ndarray
    valid: np.ndarray  # bool: frame usable (visible, person still in place)
    shank_deg: np.ndarray
    heel_y: np.ndarray
    hand_dist: np.ndarray
    other_foot_dist: np.ndarray
    anchor_xy: np.ndarray | None = None  # (N, 2) anchor point in shank lengths
    toe_y: np.ndarray | None = None  # affected toe height (shank lengths, up +)
    other_toe_y: np.ndarray | None = None  # the other foot's toe height
    other_signal: np.ndarray | None = None  # filtered, the other leg
    view_ok: bool = True


def measure_rep(ctx: RepContext, w: RepWindow, ex: Exercise, index: int, side: str) -> Rep:
    sl = slice(w.start, w.end + 1)
    rest = float(ctx.baseline[w.start])
    peak = float(ctx.signal[w.peak])
    rom = abs(peak - rest)
    dur = float(ctx.t[w.end] - ctx.t[w.start])
    q = ctx.quality[sl]
    valid_share = float(np.mean(ctx.valid[sl]))
    conf = float(np.clip((np.mean(q) - 0.3) / 0.5, 0.0, 1.0)) * valid_share
    notes = []
    if not ctx.view_ok:
        conf *= 0.4
        notes.append(f"camera view not suited to {ex.title.lower()} ({ex.view} view needed)")
    hand_share = _share(ctx.hand_dist[sl] < ASSIST_HAND_FOOT_LENGTHS)
    # The other foot helps if it comes to the toes during the rep AND lifts with them. Seen
    # from the side, two feet resting side by side overlap in the image and the model moves
    # them together, so a foot already at the toes when the rep starts cannot be judged
    # (limit: a helping foot placed before the set is not detected; the declared mode is kept).
    other_share = 0.0
    if ex.heel_must_stay_down and ctx.toe_y is not None and ctx.other_toe_y is not None:
        came_in = np.isfinite(ctx.other_foot_dist[w.start]) and ctx.other_foot_dist[w.start] > ASSIST_OTHER_FOOT
        lift = _travel(ctx.toe_y[sl])
        other_lift = _travel(ctx.other_toe_y[sl])
        if came_in and other_lift > max(0.05, 0.5 * lift):
            other_share = _share(ctx.other_foot_dist[sl] < ASSIST_OTHER_FOOT)
    assisted = hand_share >= ASSIST_SHARE or other_share >= ASSIST_SHARE
    if assisted:
        notes.append("hand at the foot" if hand_share >= ASSIST_SHARE else "other foot under the toes")
    shank = ctx.shank_deg[sl]
    shank = shank[np.isfinite(shank)]
    if len(shank):
        rel = (shank - shank[0] + 180.0) % 360.0 - 180.0  # rotation since the rep began, wrap-safe
        shank_range = float(rel.max() - rel.min())
    else:
        shank_range = 0.0
    compensation = shank_range > max(COMPENSATION_MIN_DEG, COMPENSATION_RATIO * rom)
    if compensation:
        notes.append(f"leg moved {shank_range:.0f} deg: start the movement from the ankle")
    if ex.heel_must_stay_down:
        h = ctx.heel_y[sl]
        if np.isfinite(h).any() and np.isfinite(ctx.heel_y[w.start]):
            lift = float(np.nanmax(h) - ctx.heel_y[w.start])
            if lift > HEEL_LIFT_LIMIT:
                compensation = True
                notes.append("heel lifted: keep the heel on the floor")
    other = None
    if ctx.other_signal is not None:
        o = ctx.other_signal[sl]
        if np.isfinite(o).sum() >= 0.7 * len(o) and len(o) > 1:
            other = float(np.nanmax(o) - np.nanmin(o))
    if ctx.anchor_xy is not None:
        a = ctx.anchor_xy[sl]
        ok = np.isfinite(a).all(axis=1)
        if ok.sum() >= 2:
            travel = float(np.max(np.linalg.norm(a[ok] - a[ok][0], axis=1)))
            if travel > ANCHOR_LIMIT:
                conf = min(conf, 0.2)
                notes.append(f"the {ex.anchor} moved too ({travel:.2f} shank lengths): not a clean "
                             f"{ex.title.lower()} rep")
    counted = conf >= CONFIDENT
    if not counted and not notes:
        notes.append("foot not clearly visible during the rep")
    return Rep(index=index, start_t=float(ctx.t[w.start]), peak_t=float(ctx.t[w.peak]),
               end_t=float(ctx.t[w.end]), rest_deg=round(rest, 2), peak_deg=round(peak, 2),
               rom_deg=round(rom, 2), duration_s=round(dur, 3), assisted=bool(assisted),
               compensation=bool(compensation), confidence=round(conf, 3), counted=bool(counted),
               side=side, other_side_rom_deg=None if other is None else round(other, 2),
               note="; ".join(notes))


def _travel(y: np.ndarray) -> float:
    """Vertical travel; 0 unless the point was seen in most of the window."""
    ok = y[np.isfinite(y)]
    return float(ok.max() - ok.min()) if len(ok) > 1 and len(ok) >= 0.7 * len(y) else 0.0


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask)) if len(mask) else 0.0


def number_reps(windows: list[RepWindow], ctx: RepContext, ex: Exercise, side: str) -> list[Rep]:
    """Measure windows in order; counted reps get 1, 2, 3...; a low-confidence one gets the
    next number too but does not advance the count."""
    reps, n = [], 0
    for w in windows:
        r = measure_rep(ctx, w, ex, n + 1, side)
        if r.counted:
            n += 1
        reps.append(r)
    return reps


# ---------------------------------------------------------------- live (causal)

@dataclass
class LiveState:
    """What the overlay shows; the counter owns it, the overlay only reads it."""

    stage: str = "calibrating"  # calibrating | ready | lift | lower | hold | paused
    count: int = 0
    low_confidence: int = 0
    angle_deg: float = float("nan")  # current signal relative to rest (rep direction +)
    rest_deg: float = float("nan")
    range_deg: float = float("nan")
    best_deg: float = 0.0
    message: str = ""
    last_rep: Rep | None = None


@dataclass
class LiveCounter:
    """Causal counter fed one frame at a time.

    Calibration: the first ``calib_s`` seconds in which the foot is visible and still set
    the rest value ("keep your foot still"). Range: starts from the exercise's prior and
    then follows the median of the person's recent excursions, so thresholds adapt within
    the first reps. History is kept so every rep is measured by ``measure_rep``.
    """

    ex: Exercise
    side: str
    calib_s: float = 1.5
    still_deg: float = 1.5
    # Nobody held still for this long: take rest from the low end of the movement instead
    # of asking forever (impatient users, clips that start mid-set).
    calib_timeout_s: float = 4.0
    state: LiveState = field(default_factory=LiveState)

    def __post_init__(self):
        self._spike = CausalMedian(3)
        self._smooth = OneEuro(min_cutoff=1.5, beta=0.05)
        self._other_smooth = OneEuro(min_cutoff=1.5, beta=0.05)
        self.direction = self.ex.rep_direction(self.side) or 0
        self._hist: dict[str, list] = {k: [] for k in ("t", "s", "q", "v", "shank", "heel", "hand", "ofoot", "other", "base")}
        self._calib: list[tuple[float, float]] = []
        self._calib_all: list[tuple[float, float]] = []
        self._rest: float | None = None
        self._excursions: list[float] = []
        self._in_rep = False
        self._start = self._peak = 0
        self._last_low = 0
        self._last_end_t = -np.inf
        self._cur_max = 0.0
        self._still: list[tuple[float, float]] = []  # recent (t, s) at rest, for re-baselining
        self.reps: list[Rep] = []

    def recalibrate(self) -> None:
        self._calib.clear()
        self._calib_all.clear()
        self._rest = None
        self._in_rep = False
        self.state.stage = "calibrating"
        self.state.message = "Keep your foot still"

    def reset_set(self) -> None:
        self.reps.clear()
        self.state.count = self.state.low_confidence = 0
        self.state.best_deg = 0.0
        self.state.last_rep = None
        self.recalibrate()

    @property
    def range_deg(self) -> float:
        if not self._excursions:
            return self.ex.prior_rom_deg
        return float(np.median(self._excursions[-5:]))

    def update(self, t: float, signal: float, quality: float, valid: bool, shank_deg: float = np.nan,
               heel_y: float = np.nan, hand_dist: float = np.nan, other_foot_dist: float = np.nan,
               other_signal: float = np.nan, view_ok: bool = True) -> Rep | None:
        """Feed one frame; returns the Rep completed at this frame, if any."""
        s = self._smooth.update(t, self._spike.update(signal if valid else np.nan))
        o = self._other_smooth.update(t, other_signal)
        h = self._hist
        for k, v in (("t", t), ("s", s), ("q", quality), ("v", bool(valid and np.isfinite(s))), ("shank", shank_deg),
                     ("heel", heel_y), ("hand", hand_dist), ("ofoot", other_foot_dist), ("other", o)):
            h[k].append(v)
        i = len(h["t"]) - 1
        if not (valid and np.isfinite(s)):
            h["base"].append(self._rest if self._rest is not None else np.nan)
            if self._in_rep:
                self._in_rep = False  # foot lost mid-rep: not counted
            self.state.angle_deg = float("nan")
            return None
        if self._rest is None:
            self._calibrate(t, s)
            h["base"].append(self._rest if self._rest is not None else np.nan)
            if self._rest is not None:
                self._last_low = i  # the first rep starts after calibration, not before it
            return None
        h["base"].append(self._rest)
        raw_d = s - self._rest
        if self.direction == 0:
            if abs(raw_d) >= max(self.ex.min_rom_deg, 0.5 * self.ex.prior_rom_deg):
                self.direction = 1 if raw_d > 0 else -1
            else:
                if abs(raw_d) <= LO_FRACTION * self.ex.prior_rom_deg:
                    self._last_low = i  # the first rep starts here, not at calibration
                self._follow_rest(t, s, raw_d, LO_FRACTION * self.ex.prior_rom_deg)
                self.state.angle_deg = abs(raw_d)
                return None
        d = self.direction * raw_d
        self.state.angle_deg = d
        hi, lo = (float(v) for v in thresholds(self.ex, self.range_deg))
        self.state.range_deg = self.range_deg
        if not self._in_rep:
            self._cur_max = max(self._cur_max, d)
            if d <= lo:
                if self._cur_max >= self.ex.min_rom_deg and self._cur_max < hi:
                    self._excursions.append(self._cur_max)  # an attempt below threshold: adapt down
                self._cur_max = 0.0
                self._last_low = i
                self.state.stage = "ready"
            elif d >= hi and t - self._last_end_t >= self.ex.refractory_s:
                self._in_rep, self._start, self._peak = True, self._last_low, i
                self._still.clear()
                self.state.stage = "lift"
                return None
            self._follow_rest(t, s, d, lo)
            return None
        if d > self.direction * (h["s"][self._peak] - h["base"][self._peak]):
            self._peak = i
            self.state.stage = "lift"
        elif d > 0.8 * self.direction * (h["s"][self._peak] - h["base"][self._peak]):
            self.state.stage = "hold"
        else:
            self.state.stage = "lower"
        if t - h["t"][self._start] > self.ex.max_rep_s:
            # too long for a rep: the person changed position; start afresh from here and let
            # the still-period logic find the new rest
            self._in_rep = False
            self._last_low = i
            self._cur_max = 0.0
            self.state.stage = "ready"
            return None
        if d > lo:
            return None
        self._in_rep = False
        self._cur_max = 0.0
        self._last_low = i
        dur = t - h["t"][self._start]
        if dur < self.ex.min_rep_s:
            return None
        rep = self._measure(RepWindow(self._start, self._peak, i), view_ok)
        self._last_end_t = t
        self._excursions.append(rep.rom_deg)
        self.reps.append(rep)
        if rep.counted:
            self.state.count += 1
            self.state.best_deg = max(self.state.best_deg, rep.rom_deg)
        else:
            self.state.low_confidence += 1
        self.state.last_rep = rep
        self.state.stage = "ready"
        return rep

    REST_STILL_S = 1.0  # still this long below rest: the foot settled lower (a sag) → new rest
    REST_SHIFT_S = 3.0  # still this long a little above rest: the person repositioned → new rest

    def _follow_rest(self, t: float, s: float, d: float, lo: float) -> None:
        """Rest follows the foot only while it is still, with time constants in seconds (not
        frames): it drops at once to a lower still position (a sagging foot) but rises only
        after a long still period, so a slow lift is never absorbed into rest."""
        self._still.append((t, s))
        self._still = [(tt, ss) for tt, ss in self._still if t - tt <= self.REST_SHIFT_S]
        vals = np.array([ss for tt, ss in self._still if t - tt <= self.REST_STILL_S])
        span_short = t - min(tt for tt, _ in self._still if t - tt <= self.REST_STILL_S)
        if len(vals) < 3 or np.ptp(vals) > 2 * self.still_deg:
            self._still = self._still[-1:]
            return
        med = float(np.median(vals))
        below = (self.direction or 1) * (med - self._rest) < 0
        if below and span_short >= 0.9 * self.REST_STILL_S:
            self._rest = med
        elif abs(d) <= lo and span_short >= 0.9 * self.REST_STILL_S:
            self._rest += (med - self._rest) * min(1.0, (t - self._still[-2][0]) / 10.0)
        elif t - self._still[0][0] >= 0.9 * self.REST_SHIFT_S:
            all_vals = np.array([ss for _, ss in self._still])
            if np.ptp(all_vals) <= 2 * self.still_deg:
                self._rest = float(np.median(all_vals))
        self.state.rest_deg = self._rest

    def _calibrate(self, t: float, s: float) -> None:
        self._calib.append((t, s))
        self._calib = [(tt, ss) for tt, ss in self._calib if t - tt <= self.calib_s]
        vals = np.array([ss for _, ss in self._calib])
        span = self._calib[-1][0] - self._calib[0][0]
        self.state.stage = "calibrating"
        self._calib_all.append((t, s))
        self._calib_all = [(tt, ss) for tt, ss in self._calib_all if t - tt <= self.calib_timeout_s]
        if np.ptp(vals) > 2 * self.still_deg:
            self._calib = self._calib[-1:]
            self.state.message = "Keep your foot still"
            moving = np.array([ss for _, ss in self._calib_all])
            if t - self._calib_all[0][0] >= 0.9 * self.calib_timeout_s:
                q = 10 if self.direction > 0 else (90 if self.direction < 0 else 50)
                self._rest = float(np.percentile(moving, q))
                self.state.rest_deg = self._rest
                self.state.stage = "ready"
                self.state.message = ""
            return
        if span >= self.calib_s * 0.9:
            self._rest = float(np.median(vals))
            self.state.rest_deg = self._rest
            self.state.stage = "ready"
            self.state.message = ""

    def _measure(self, w: RepWindow, view_ok: bool) -> Rep:
        h = self._hist
        a = lambda k: np.asarray(h[k][: w.end + 1], float)  # noqa: E731
        ctx = RepContext(t=a("t"), signal=a("s"), direction=self.direction or 1, baseline=a("base"),
                         quality=a("q"), valid=np.asarray(h["v"][: w.end + 1], bool), shank_deg=a("shank"),
                         heel_y=a("heel"), hand_dist=a("hand"), other_foot_dist=a("ofoot"),
                         other_signal=a("other"), view_ok=view_ok)
        n = self.state.count
        return measure_rep(ctx, w, self.ex, n + 1, self.side)
