"""Where rest is and how far the person moves: the two things live and offline learn differently.

Offline sees the whole clip: rest is a rolling low percentile (it follows slow drift, not
the reps), the range a quantile of the peak prominences, per frame near each rep (a tiring
patient). Live learns as the set goes: rest from a still moment at the start (or from the
low end of the movement when nobody holds still), following a sagging foot at once and a
repositioned one only after a long still period; the range from the person's last reps.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from tracker.exercises import Exercise

# ---------------------------------------------------------------- offline (whole signal)

def estimate_direction(d: np.ndarray, t: np.ndarray | None = None, start_s: float = 1.5,
                       rest_t: float | None = None) -> int:
    """+1 if excursions go up from the rest position, -1 if down.

    Rest is where the person starts (the still moment before the set: the first
    ``start_s`` seconds of usable signal, or from ``rest_t`` when the rest is known to be
    later); without times, the most common value. The mode alone would mistake long holds
    at the top for rest.
    """
    fin = np.isfinite(d)
    ok = d[fin]
    if len(ok) < 5 or np.ptp(ok) < 1e-6 * max(1.0, float(np.max(np.abs(ok)))):
        return 1  # no movement: any direction counts nothing
    rest = None
    if t is not None and fin.any():
        tf = t[fin]
        t0 = tf[0] if rest_t is None else float(rest_t) - 0.5 * start_s
        first = ok[(tf >= t0) & (tf <= t0 + start_s)]
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



# ---------------------------------------------------------------- live (causal)

class LiveRest:
    """Rest level of a live set, learned causally (``value`` is None until calibrated).

    Calibration: ``calib_s`` seconds in which the signal stays within ``still_deg`` set the
    rest ("keep your foot still"); nobody held still for ``calib_timeout_s``: rest is taken
    from the low end of the movement instead of asking forever.
    """

    STILL_S = 1.0  # still this long below rest: the foot settled lower (a sag) -> new rest
    SHIFT_S = 3.0  # still this long a little above rest: the person repositioned -> new rest

    def __init__(self, calib_s: float = 1.5, still_deg: float = 1.5, calib_timeout_s: float = 4.0):
        self.calib_s, self.still_deg, self.calib_timeout_s = calib_s, still_deg, calib_timeout_s
        self.value: float | None = None
        self._calib: deque[tuple[float, float]] = deque()
        self._calib_all: deque[tuple[float, float]] = deque()
        self._still: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        self.value = None
        self._calib.clear()
        self._calib_all.clear()
        self._still.clear()

    def known(self, value: float) -> None:
        """Rest given before the set, not learned (a close-up measures every angle from its rest frame)."""
        self.reset()
        self.value = float(value)

    def calibrate(self, t: float, s: float, direction: int) -> bool:
        """Feed one usable frame before rest is known; True once it is."""
        self._calib.append((t, s))
        while t - self._calib[0][0] > self.calib_s:
            self._calib.popleft()
        self._calib_all.append((t, s))
        while t - self._calib_all[0][0] > self.calib_timeout_s:
            self._calib_all.popleft()
        vals = [v for _, v in self._calib]
        if max(vals) - min(vals) > 2 * self.still_deg:
            self._calib = deque([self._calib[-1]])
        elif self._calib[-1][0] - self._calib[0][0] >= 0.9 * self.calib_s:
            self.value = float(np.median(vals))
        if self.value is None and t - self._calib_all[0][0] >= 0.9 * self.calib_timeout_s:
            self.settle(direction)  # nobody held still long enough (or only just now)
        return self.value is not None

    def settle(self, direction: int) -> bool:
        """Take rest from the low end of the movement seen so far (the calibration timeout,
        or a set that ended before it); False when no usable frame was seen."""
        if self.value is None and self._calib_all:
            q = 10 if direction > 0 else (90 if direction < 0 else 50)
            self.value = float(np.percentile([v for _, v in self._calib_all], q))
        return self.value is not None

    def rep_started(self) -> None:
        self._still.clear()

    def follow(self, t: float, s: float, d: float, lo: float, direction: int) -> None:
        """Between reps, rest follows the foot only while it is still, with time constants in
        seconds (not frames): it drops at once to a lower still position (a sagging foot) but
        rises only after a long still period, so a slow lift is never absorbed into rest."""
        self._still.append((t, s))
        while t - self._still[0][0] > self.SHIFT_S:
            self._still.popleft()
        recent = [(tt, ss) for tt, ss in self._still if t - tt <= self.STILL_S]
        vals = np.array([ss for _, ss in recent])
        span_short = t - recent[0][0]
        if len(vals) < 3 or np.ptp(vals) > 2 * self.still_deg:
            self._still = deque([self._still[-1]])
            return
        med = float(np.median(vals))
        below = (direction or 1) * (med - self.value) < 0
        if below and span_short >= 0.9 * self.STILL_S:
            self.value = med
        elif abs(d) <= lo and span_short >= 0.9 * self.STILL_S:
            self.value += (med - self.value) * min(1.0, (t - self._still[-2][0]) / 10.0)
        elif t - self._still[0][0] >= 0.9 * self.SHIFT_S:
            all_vals = np.array([ss for _, ss in self._still])
            if np.ptp(all_vals) <= 2 * self.still_deg:
                self.value = float(np.median(all_vals))


class LiveRange:
    """The person's typical excursion, learned live: the exercise's prior until the first
    rep, then the median of the last five reps; an attempt that came back below the entry
    threshold pulls it down (a patient who moves less than the prior is still counted)."""

    def __init__(self, ex: Exercise):
        self.ex = ex
        self._excursions: list[float] = []
        self._attempt = 0.0
        self._from = 0.0  # where the foot was (above rest) when it last left the rest band
        self._reps_seen = False

    @property
    def learned(self) -> bool:
        """A rep was measured (or carried from the set before): the range is the person's. An
        attempt alone does not count: a fidget can pull the range below the prior."""
        return self._reps_seen

    @property
    def value(self) -> float:
        if not self._excursions:
            return self.ex.prior_rom_deg
        return float(np.median(self._excursions[-5:]))

    def between_reps(self, d: float, hi: float, lo: float) -> None:
        """An attempt is an excursion that left the rest band (above ``lo``) and came back
        without reaching ``hi``: the rising edge of a rep or the tail of the last one,
        which never leave the band between two frames, are not attempts."""
        if d > lo:
            self._attempt = max(self._attempt, d)
            return
        # its size is its rise from where it started: a foot settled near ``lo`` whose
        # jitter crosses it makes no attempt
        if self.ex.min_rom_deg <= self._attempt - self._from < hi:
            self._excursions.append(self._attempt - self._from)
        self._attempt, self._from = 0.0, max(0.0, d)

    def rep(self, rom_deg: float) -> None:
        self._reps_seen = True
        self._excursions.append(rom_deg)
        self._attempt = 0.0

    def reset_attempt(self) -> None:
        self._attempt = 0.0

    def carry(self, earlier: "LiveRange") -> None:
        """Start from the range an earlier set on the same signal learned (the same person a
        minute ago): a new set's first rep is then judged by it, not by the exercise's prior."""
        self._excursions = list(earlier._excursions[-5:])
        self._reps_seen = earlier._reps_seen
