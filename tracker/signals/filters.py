"""Gap-aware filters: zero-phase for recorded video, causal (One Euro) for live use.

Why gap-aware: landmarks drop out (foot out of view, occluded by a hand). A short dropout
is bridged by interpolation; a long one stays NaN so that no rep is counted across it.
Offline filters run per finite segment, so NaN never smears into good data.
"""
from __future__ import annotations

import math

import numpy as np


def finite_segments(x: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges where ``x`` is finite."""
    ok = np.isfinite(x).astype(np.int8)
    edges = np.diff(np.concatenate([[0], ok, [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist()))


def fill_gaps(x: np.ndarray, t: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linearly bridge NaN runs no longer than ``max_gap_s``; longer runs stay NaN."""
    x = np.asarray(x, float).copy()
    ok = np.isfinite(x)
    if ok.sum() < 2 or ok.all():
        return x
    segs = finite_segments(x)
    for (_a0, a1), (b0, _b1) in zip(segs[:-1], segs[1:]):
        gap_s = t[b0] - t[a1 - 1]
        if gap_s <= max_gap_s:
            idx = np.arange(a1, b0)
            x[idx] = np.interp(t[idx], [t[a1 - 1], t[b0]], [x[a1 - 1], x[b0]])
    return x


def hampel(x: np.ndarray, half_window: int = 3, n_sigmas: float = 3.0) -> np.ndarray:
    """Replace single-frame spikes by the local median (NaN-aware, zero-phase).

    Why: the landmark model occasionally jumps for one or two frames (seen on seated toe
    raises), and a spike through a threshold would otherwise double-count.
    """
    x = np.asarray(x, float)
    n = len(x)
    if n == 0:
        return x.copy()
    pad = np.pad(x, half_window, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half_window + 1)
    with np.errstate(all="ignore"), quiet_runtime_warnings():
        med = np.nanmedian(win, axis=1)
        mad = 1.4826 * np.nanmedian(np.abs(win - med[:, None]), axis=1)
    out = x.copy()
    bad = np.abs(x - med) > n_sigmas * np.maximum(mad, 1e-6)
    bad &= np.isfinite(x) & np.isfinite(med)
    out[bad] = med[bad]
    return out


class quiet_runtime_warnings:
    """Silence numpy's RuntimeWarnings (all-NaN slices) inside a ``with`` block."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *a):
        self._w.__exit__(*a)


def preload() -> None:
    """Import scipy's filters on a thread while the pose model runs: the import takes 0.5-2 s
    of CPU, and done at the first count it would hold up the pose pass instead of using the
    core the model leaves free."""
    import importlib
    import sys
    import threading

    if "scipy.signal" in sys.modules:
        return
    # not a daemon: a process that ends early waits for the import to finish rather than
    # tearing the interpreter down in the middle of loading scipy's extension modules
    threading.Thread(target=importlib.import_module, args=("scipy.signal",), name="preload-scipy").start()


def lowpass_zero_phase(x: np.ndarray, fs: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass run forward and backward (no lag), per finite segment."""
    from scipy.signal import butter, sosfiltfilt

    x = np.asarray(x, float)
    out = x.copy()
    wn = min(cutoff_hz / (fs / 2.0), 0.99)
    sos = butter(order, wn, output="sos")
    padlen = 3 * (2 * len(sos) + 1)
    for a, b in finite_segments(x):
        seg = x[a:b]
        if len(seg) > padlen + 1:
            out[a:b] = sosfiltfilt(sos, seg, padlen=padlen)
        elif len(seg) >= 3:
            k = np.ones(3) / 3
            out[a:b] = np.convolve(np.pad(seg, 1, mode="edge"), k, mode="valid")
    return out


SPIKE_HALF_S = 0.1  # offline spike removal: the Hampel window reaches this far either side of a frame


def smooth_offline(x: np.ndarray, t: np.ndarray, cutoff_hz: float = 2.5, max_gap_s: float = 0.5) -> np.ndarray:
    """The recorded-video chain: bridge short gaps → remove spikes → zero-phase low-pass."""
    fs = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else 30.0
    half = max(2, int(round(SPIKE_HALF_S * fs)))
    y = fill_gaps(x, t, max_gap_s)
    y = hampel(y, half_window=half)
    return lowpass_zero_phase(y, fs, cutoff_hz)


class OneEuro:
    """One Euro filter (Casiez et al. 2012): little lag when moving, little jitter when still.

    Causal, for live use. ``update`` returns the filtered value; NaN input returns NaN and
    does not disturb the state unless the gap exceeds ``max_gap_s`` (then it restarts).
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0,
                 max_gap_s: float = 0.5):
        self.min_cutoff, self.beta, self.d_cutoff, self.max_gap_s = min_cutoff, beta, d_cutoff, max_gap_s
        self.reset()

    def reset(self) -> None:
        self._x = None
        self._dx = 0.0
        self._t = None

    @staticmethod
    def _alpha(cutoff: float, dt: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / dt)

    def update(self, t: float, x: float) -> float:
        if not math.isfinite(x):
            if self._t is not None and t - self._t > self.max_gap_s:
                self.reset()
            return float("nan")
        if self._x is None or self._t is None or t - self._t > self.max_gap_s:
            self._x, self._dx, self._t = x, 0.0, t
            return x
        dt = max(t - self._t, 1e-4)
        dx = (x - self._x) / dt
        a_d = self._alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = a * x + (1 - a) * self._x
        self._t = t
        return self._x


class CausalMedian:
    """Median of the last ``k`` finite values, or (``window_s``) of at least those and all of
    the last ``window_s`` seconds: a causal spike guard before One Euro. A window in seconds
    holds the same time at any frame rate (a run of outliers a few frames long at 60 fps too)."""

    def __init__(self, k: int = 3, window_s: float | None = None):
        self.k, self.window_s = k, window_s
        self._buf: list[tuple[float, float]] = []

    def reset(self) -> None:
        self._buf.clear()

    def update(self, x: float, t: float = 0.0) -> float:
        if not math.isfinite(x):
            return float("nan")
        self._buf.append((t, x))
        while len(self._buf) > self.k and (self.window_s is None or t - self._buf[0][0] > self.window_s):
            self._buf.pop(0)
        return float(np.median([v for _, v in self._buf]))
