"""A long recording cut into sets: active stretches between still periods (issue 16, first step).

Why activity, not reps: a set is where a foot keeps moving (reps, with short rests and
holds between them); between sets the person rests or changes position. Each stretch can
then be recognised and counted on its own (``recognise_sets``). ``routine.py`` builds the
whole-session analysis (``analyze --routine``) on this: changes of position found first,
the foot settling between sets dropped. Not handled: two sets done back to back without a
pause or a change of position.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.counting.recognise import Recognition, recognise, to_pixels
from tracker.pose.landmarks import SIDES
from tracker.pose.recording import PoseRecording
from tracker.signals.features import SIGNALS, reference_scale
from tracker.signals.filters import fill_gaps, quiet_runtime_warnings, smooth_offline

WINDOW_S = 1.0  # activity: the spread (robust std) of each foot signal over this window
ACTIVE_DEG = 1.0  # a foot signal spreading by more than this (std, degrees) is movement
MAX_PAUSE_S = 3.5  # a still gap shorter than this stays inside a set (rests, holds)
MIN_SET_S = 2.5  # shorter active stretches are not a set (a shuffle, a scratch)
# Before pauses are bridged, a burst shorter than this is dropped: a jolt (a twitch, what is
# left of a jump of the landmarks) must not bridge the pauses on either side into one set.
MIN_BURST_S = 0.6
BURST_GAP_S = 0.5  # a burst goes on across dips shorter than this (a rest between reps)


@dataclass(frozen=True)
class Stretch:
    """One active stretch of the recording: frames [start, end) and their times."""

    start: int
    end: int
    start_s: float
    end_s: float


@dataclass(frozen=True)
class RecognisedSet:
    stretch: Stretch
    recognition: Recognition


def activity(rec: PoseRecording) -> np.ndarray:
    """Per frame: the largest rolling spread (std over ``WINDOW_S``, degrees) of any foot
    signal of either leg; NaN-free (unseen frames are still)."""
    px = to_pixels(rec)
    t = rec.t
    out = np.zeros(len(t))
    half = max(1, int(round(WINDOW_S * rec.fps / 2)))
    for side in SIDES:
        scale = reference_scale(px, side)
        for fn in SIGNALS.values():
            x = smooth_offline(fill_gaps(fn(px, side, scale), t, 0.5), t)
            out = np.maximum(out, _rolling_spread(x, half))
    return out


def _rolling_spread(x: np.ndarray, half: int) -> np.ndarray:
    """Median absolute deviation (as a std): a jump of the landmarks (a new position, a
    glitch) is a step, whose deviation is zero except where the window straddles it evenly."""
    n = len(x)
    s = np.zeros(n)
    with quiet_runtime_warnings():
        for i in range(n):
            w = x[max(0, i - half): i + half + 1]
            s[i] = 1.4826 * np.nanmedian(np.abs(w - np.nanmedian(w))) if np.isfinite(w).sum() > 2 else 0.0
    return np.nan_to_num(s)


def _runs(t: np.ndarray, spans, max_gap_s: float) -> list[tuple[int, int]]:
    """Frame spans (first, last), in order, merged where the gap between one's last frame
    and the next one's first is at most ``max_gap_s``."""
    runs: list[tuple[int, int]] = []
    for a, b in spans:
        if runs and t[a] - t[runs[-1][1]] <= max_gap_s:
            runs[-1] = (runs[-1][0], int(b))
        else:
            runs.append((int(a), int(b)))
    return runs


def active_stretches(t: np.ndarray, act: np.ndarray) -> list[Stretch]:
    """Bursts of active frames (short jolts dropped), then pauses under ``MAX_PAUSE_S``
    bridged, then stretches under ``MIN_SET_S`` dropped."""
    on = np.flatnonzero(act > ACTIVE_DEG)
    bursts = [(a, b) for a, b in _runs(t, zip(on, on), BURST_GAP_S) if t[b] - t[a] >= MIN_BURST_S]
    sets = _runs(t, bursts, MAX_PAUSE_S)
    return [Stretch(int(a), int(b) + 1, float(t[a]), float(t[b])) for a, b in sets if t[b] - t[a] >= MIN_SET_S]


def cut(rec: PoseRecording, s: Stretch) -> PoseRecording:
    """The frames of one stretch as a recording of its own (times kept)."""
    return rec.take(slice(s.start, s.end))


def recognise_sets(rec: PoseRecording) -> list[RecognisedSet]:
    """Every active stretch, with what it was recognised as (or why not)."""
    return [RecognisedSet(s, recognise(cut(rec, s))) for s in active_stretches(rec.t, activity(rec))]
