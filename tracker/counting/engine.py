"""The one rep engine: where a rep is decided, for live and offline alike.

A rep is a full excursion away from rest and back: the signal (in the rep direction) rises
past an upper threshold and comes back below a lower one (hysteresis), within a minimum
and maximum duration, not sooner than a refractory time after the previous rep. The rest
level and both thresholds are frozen at the rep's start, so a rep ends only when the
signal itself comes back, never because a moving rest level caught up with a long hold.
A rep may also start from where the foot just was: a rise past the upper threshold from the
lowest point of the last few seconds (a rest that settled above the learned one). After a
frame that cannot be used, a rep starts only from a point seen after it, so no rep spans a
gap. When the data end, a rep whose top was reached counts (a top reached whose rise was
seen is a rep), one still rising does not.

The engine only decides; its two drivers differ in what they feed it: ``offline`` a
zero-phase filtered signal with a rolling rest and per-frame thresholds from the whole
clip, ``live`` a causally filtered one with a learned rest and range.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from tracker.exercises import Exercise

HI_FRACTION = 0.5  # enter a rep at this share of the person's range
LO_FRACTION = 0.2  # leave it (rep complete) below this share
HOLD_SHARE = 0.8  # within this share of the rep's peak so far: the person is holding
# A rep may also start from where the foot just was: a rise of ``hi`` above the lowest point
# of the last RISE_WINDOW_S (an up-phase lasts under 3 s), for a rest level that drifted
# above the learned one (landmarks settle a few degrees off between reps).
RISE_WINDOW_S = 3.0
TOP_SEEN_S = 0.25  # data end: a rep whose peak is this old (or that is coming down) topped out
# A rep may also end where the foot settled a little above the rest it started from (live's
# rest, learned early, can sit a degree or more below where the foot comes back to): still
# for SETTLE_S, below the driver's share of the rep's peak. Live only (offline's rest follows
# the foot from both sides).
SETTLE_S = 0.4
# Live only, too: a rep is also over once the foot is back below this share of the rep's own
# peak. Before the first rep live's range is the exercise's small prior (its exit band ~1°),
# so a first rep of 25° followed after a brief rest by the next one must not need the foot
# back within a degree of a rest learned from a moving start (seen at 10 fps: two reps as one).
PEAK_EXIT_SHARE = LO_FRACTION
# ... for this long: a dip of a frame or two during a hold (landmark noise, at 10 fps two
# frames are 0.2 s) is not the foot coming back; the CI case's trough lasted 0.5 s.
PEAK_EXIT_S = 0.25
# Live only, too: a rep's duration (for ``min_rep_s``) runs from where its rise began, not from
# the last frame under the exit band. Before the person's range is learned live's thresholds
# come from the exercise's prior, often above a small mover's range: the foot then spends most
# of a rep between the bands, and a 0.8 s rep of 3° read 0.3-0.45 s from band to band (corpus
# tune half, 15-60 fps) and was dropped as too short. The rise is where the (causally filtered,
# smooth) signal last stopped falling before the rep began: a spike still rises for a frame or
# two only, so it stays too short.
# Live only, too (``confirm_dips``): a rep that fell from its top (``HOLD_SHARE`` of its peak) into
# the rest band within DIP_FALL_S or two frames (the spike guard passes a jump as a two-frame fall)
# is over only once the foot has been away from its top for DIP_GAP_S; back near the top sooner,
# the dip was a landmark jump and the rep goes on. Why: timed from its rise, the part of a slow rep
# before a 0.1 s jump back to rest counts, and the rest of it counted again (review of the live
# rules: 5° reps, 1 s rise, 3 s hold, a jump 0.7 s into the rise or into the hold: 4 of 2 at 30 fps).
# Away from its top, as the engine sees it (causally filtered): such a jump 0.20-0.23 s at 30 fps,
# 0.27-0.33 s at 15 fps (at 10 fps the spike guard removes it); two genuine reps of 0.5-0.6 s with
# 0.1 s of rest at 10-15 fps, 0.40-0.6 s (with no rest 0.42 s, where the spike guard already loses
# reps at 10-12 fps). A foot let down over more than the fall time is over at once, as before: the
# 0.5 s reps without rest at 30 fps, 0.33 s from top to top, are still each counted. An earlier
# attempt joined a rep to the next one entered within ``refractory_s`` of its end, and lost half of
# the quick reps at 10-12 fps. The cost: a quick rep is announced up to DIP_GAP_S late.
DIP_GAP_S = 0.35
DIP_FALL_S = 0.1
# Timing alone does not tell a jump from a real rep's end (review of dip2: lifts of 0.15-0.2 s and
# drops of 0.05 s with 0.05-0.1 s of rest, 15-30 fps, 6 reps counted 2-3, held ones 0). The raw
# signal does: a landmark jump leaves the top and comes back within a frame each way, every frame
# away from the top low (under JUMP_LOW of the peak), away JUMP_S at most (or two frames); a real
# end and the next lift pass in-between values or take longer (0.2 s and more away at 0.8 of the
# peak in those reps). A rep is joined once at most, and a joined rep that is then refused or
# lost gives back the rep it joined (a join must never cost a finished rep).
JUMP_S = 0.17
JUMP_LOW = 1 / 3


@dataclass(frozen=True)
class RepWindow:
    """Frame indices of one rep: the last frame at rest before it, its peak, its end."""

    start: int
    peak: int
    end: int

    def shifted(self, offset: int) -> "RepWindow":
        return RepWindow(self.start - offset, self.peak - offset, self.end - offset)


def thresholds(ex: Exercise, range_deg):
    """(enter, leave) levels above rest for a rep, from the person's range (a number or a
    per-frame array); never below the exercise's noise floor."""
    rng = np.asarray(range_deg, float)
    return np.maximum(ex.min_rom_deg, HI_FRACTION * rng), np.maximum(0.4 * ex.min_rom_deg, LO_FRACTION * rng)


@dataclass
class _Dip:
    """A rep back in the rest band, its end not confirmed yet (``confirm_dips``): its window, its
    end frame ``(i, t, x, rest, lo)`` and the frames seen since ``(i, t, x, rest, hi, lo, raw)``."""

    window: RepWindow
    end: tuple[float, ...]
    since: list[tuple[float, ...]]


class _Endings:
    """How a rep ends, and (``confirm_dips``, live) the wait before an end back in the rest band
    that came quickly after the rep's top is taken as its end (``DIP_GAP_S``)."""

    ex: Exercise
    confirm_dips: bool
    _dip: _Dip | None
    _replay: list[tuple]
    _high_t: float  # the last frame of the rep in progress near its top (``HOLD_SHARE`` of its peak)

    def _leave(self, i: int, t: float, x: float, rest: float, lo: float, at_rest: bool) -> RepWindow | None:
        """The rep in progress ends at frame ``i``: its window if it counts."""
        ex = self.ex
        self.in_rep, self.stage = False, "ready"
        dur = t - self._rise_t
        if at_rest:  # a share exit leaves the foot above rest: not a start point
            self._low = (i, t, rest, lo)
        self._trough.append((i, t, x, lo))
        if ex.min_rep_s <= dur <= ex.max_rep_s:
            self.last_end_t, self._saved = t, None
            return RepWindow(self.start, self.peak, i)
        self._cut = (self.start, self._rise_t, t) if self.from_rise and dur < ex.min_rep_s else None
        return self._given_back()

    @property
    def busy(self) -> bool:
        """A rep in progress, or one whose end is waiting (``DIP_GAP_S``) or a join may give back."""
        return self.in_rep or self._dip is not None or self._saved is not None

    def lose(self) -> RepWindow | None:
        """An unusable frame: a rep in progress is dropped; rest must be seen again. Returns a
        rep whose end was waiting (``DIP_GAP_S``): it had come back before the gap."""
        w = self._leave(*self._dip.end, True) if self._dip is not None else self._given_back()
        self._dip, self._replay, self._saved = None, [], None
        self.in_rep = False
        self._low = self._cut = None
        self._trough.clear()
        self.stage = "ready"
        return w

    def _given_back(self) -> RepWindow | None:
        """The rep a refused or lost joined rep had joined (``JUMP_S``), as it was before the join."""
        saved, self._saved = self._saved, None
        if saved is None:
            return None
        self.last_end_t = saved[1]
        return saved[0]

    def _dip_begins(self, i: int, t: float, x: float, rest: float, lo: float) -> bool:
        """A rep that would count fell from its top into the rest band within ``DIP_FALL_S`` (or two
        frames): wait for ``DIP_GAP_S`` (from its top) before taking that as its end."""
        counts = self.ex.min_rep_s <= t - self._rise_t <= self.ex.max_rep_s and self._saved is None  # one join
        fall = max(DIP_FALL_S, 2 * (t - self._last[1] if self._last is not None else 0.0)) + 1e-6
        if not self.confirm_dips or t - self._high_t > min(fall, DIP_GAP_S) or not counts:
            return False
        self._dip = _Dip(RepWindow(self.start, self.peak, i), (i, t, x, rest, lo), [])
        return True

    def _dip_step(self, frame: tuple) -> tuple[bool, RepWindow | None]:
        """A frame while a rep's end waits: ``(False, None)`` when the foot is back near the top
        in time (the rep goes on from this frame), else ``(True, the rep if its end is confirmed now)``."""
        i, t, x = frame[:3]
        if t - self._high_t > DIP_GAP_S:
            return True, self._confirm(frame)
        if x - self.rest >= HOLD_SHARE * (self.peak_x - self.rest):
            if not self._raw_jump():  # a real end and a quick next lift: the rep ended at the dip
                return True, self._confirm(frame)
            self._dip, self._saved = None, (self._dip.window, self._dip.end[1])
            return False, None
        self._dip.since.append(frame)
        return True, None

    def _raw_jump(self) -> bool:
        """The raw signal left the top and came back as a landmark jump does (``JUMP_S``)."""
        top = self.peak_x - self.rest
        r = [(t, v - self.rest) for t, v in self._raw if t >= self._high_t - 0.25]
        if len(r) < 3 or top <= 0:
            return False
        k = min(range(len(r)), key=lambda j: r[j][1])
        a, b = k, k
        while a > 0 and r[a - 1][1] < HOLD_SHARE * top:
            a -= 1
        while b < len(r) - 1 and r[b + 1][1] < HOLD_SHARE * top:
            b += 1
        if a == 0 or b == len(r) - 1:  # not seen at the top before it, or not back yet
            return False
        low = all(v <= JUMP_LOW * top for _, v in r[a:b + 1])
        return low and (b - a < 2 or r[b + 1][0] - r[a - 1][0] <= JUMP_S + 1e-6)

    def _confirm(self, frame: tuple | None = None) -> RepWindow | None:
        """The rep ended where it came back: its end is taken; the frames seen since (and ``frame``)
        are stepped again as frames after it at the next frame (``_catch_up``)."""
        dip, self._dip = self._dip, None
        if dip is None:
            return None
        self._replay = dip.since + ([frame] if frame is not None else [])
        return self._leave(*dip.end, True)

    def _catch_up(self, hi: float, lo: float) -> None:
        """Step the frames seen while a confirmed rep's end waited, with this frame's bands: the
        driver has learned from the rep by now (live's range; the old bands left the next rep
        an exit band a third narrower and ran two quick reps together at 10 fps). No rep can
        start and end within them (``DIP_GAP_S`` < ``min_rep_s``)."""
        frames, self._replay = self._replay, []
        for i, t, x, rest, _hi, _lo, raw in frames:
            self.step(i, t, x, rest, hi, lo, raw)


class RepEngine(_Endings):
    """Hysteresis state machine stepped one frame at a time.

    ``step(i, t, x, rest, hi, lo)``: ``x`` is the signal in the rep direction (up = toward
    the top of a rep), ``rest`` the current rest level in the same units, ``hi``/``lo``
    this frame's thresholds above rest. Returns the ``RepWindow`` of a rep that ends at
    this frame. ``lose()`` marks a frame that cannot be used.
    """

    def __init__(self, ex: Exercise, settled_share: float = 0.0, peak_exit_share: float = 0.0,
                 from_rise: bool = False, confirm_dips: bool = False):
        self.ex, self.settled_share, self.peak_exit_share = ex, settled_share, peak_exit_share
        self.from_rise = from_rise  # live: the duration runs from where the rise began
        self.confirm_dips, self._dip, self._high_t = confirm_dips, None, 0.0  # live: ``DIP_GAP_S``
        self._replay: list[tuple] = []  # frames to step again after a confirmed end (``_catch_up``)
        self._raw: deque[tuple[float, float]] = deque(maxlen=64)  # (t, raw x) of the last frames (``JUMP_S``)
        self._saved: tuple[RepWindow, float] | None = None  # the rep a rep in progress joined, its end time
        self._recent: deque[tuple[float, float]] = deque()  # (t, x) of the rep's last SETTLE_S
        self._below_since: float | None = None  # in a rep: since when under peak_exit_share of its peak
        self.in_rep = False
        self.stage = "ready"  # ready | lift | hold | lower
        self.last_end_t = -np.inf
        self.start = self.peak = 0
        self.rest = 0.0  # frozen rest of the rep in progress
        self.peak_x = 0.0
        self._last: tuple[int, float] | None = None  # the last frame of a rep in progress
        self._peak_t = 0.0
        self._start_t = 0.0
        self._rise_t = 0.0  # where the rep's rise began (its duration runs from here, ``from_rise``)
        self._exit = 0.0
        self._low: tuple[int, float, float, float] | None = None  # (i, t, rest, lo) last seen at rest
        self._trough: deque[tuple[int, float, float, float]] = deque()  # (i, t, x, lo) since the last rep
        # ``from_rise`` (live): a too-short rep's (start, rise t, end t). A rep re-entered within
        # ``refractory_s`` of it is the same rep, cut by a landmark jump near its top (the sample
        # toe_raise_side_right: 0.2 s below the exit band, two halves of 0.2 and 0.47 s).
        self._cut: tuple[int, float, float] | None = None

    def _start_from(self) -> tuple[int, float, float, float] | None:
        """Where a rising foot started, if it rose enough: the last frame at rest, else the
        lowest point of the last few seconds."""
        if self._low is not None:
            return self._low
        i, t, x, lo = min(self._trough, key=lambda r: r[2])
        return i, t, x, lo

    def _rise_began(self, start_t: float) -> float:
        """Time the rise into the rep began: walking back from the newest frame while the
        signal kept falling and was above the rep's rest (``from_rise``); else ``start_t``,
        the last frame inside the rest band."""
        if not self.from_rise:
            return start_t
        frames = list(self._trough)
        k = len(frames) - 1
        while k > 0 and frames[k - 1][2] < frames[k][2] and frames[k][2] > self.rest:
            k -= 1
        return min(start_t, frames[k][1])

    def _enters(self, x: float, v: float, hi: float) -> bool:
        if v >= hi and self._low is not None:
            return True
        return bool(self._trough) and x - min(r[2] for r in self._trough) >= hi

    def _settled_low(self, t: float, x: float) -> bool:
        """The foot came most of the way back and stays there: for ``SETTLE_S`` the signal
        moved no more than the exit band, below ``settled_share`` of the rep's peak (0: off)."""
        self._recent.append((t, x))
        while t - self._recent[0][0] > SETTLE_S:
            self._recent.popleft()
        if self.settled_share <= 0 or t - self._recent[0][0] < 0.9 * SETTLE_S:
            return False
        top = max(v for _, v in self._recent)
        return (top - min(v for _, v in self._recent) <= self._exit
                and top - self.rest <= self.settled_share * (self.peak_x - self.rest))

    def _back_below_share(self, t: float, x: float) -> bool:
        """The foot has stayed below ``peak_exit_share`` of the rep's peak for ``PEAK_EXIT_S``."""
        if self.peak_exit_share <= 0 or x - self.rest > self.peak_exit_share * (self.peak_x - self.rest):
            self._below_since = None
            return False
        self._below_since = t if self._below_since is None else self._below_since
        return t - self._below_since >= PEAK_EXIT_S

    def step(self, i: int, t: float, x: float, rest: float, hi: float, lo: float,
             raw: float | None = None) -> RepWindow | None:
        """``raw``: the frame's signal before filtering, on ``x``'s scale (live: to tell a landmark jump)."""
        ex = self.ex
        self._catch_up(hi, lo) if self._replay else None
        if not self._raw or t > self._raw[-1][0]:  # frames stepped again (``_catch_up``) are in already
            self._raw.append((t, x if raw is None else raw))
        if not self.in_rep:
            v = x - rest
            self._trough.append((i, t, x, lo))
            while t - self._trough[0][1] > RISE_WINDOW_S:
                self._trough.popleft()
            if v <= lo:
                self._low = (i, t, rest, lo)
            elif t - self.last_end_t >= ex.refractory_s and self._enters(x, v, hi):
                self.in_rep, self.stage = True, "lift"
                self.start, self._start_t, self.rest, self._exit = self._start_from()
                self._rise_t = self._rise_began(self._start_t)
                if self._cut is not None and t - self._cut[2] <= ex.refractory_s:  # one rep, cut by a jitter
                    self.start, self._rise_t = self._cut[0], min(self._rise_t, self._cut[1])
                self._cut = None
                self.peak, self.peak_x, self._peak_t, self._high_t = i, x, t, t
                self._saved = None
                self._trough.clear()
                self._recent.clear()
                self._below_since = None
            return None
        if self._dip is not None:
            taken, w = self._dip_step((i, t, x, rest, hi, lo, raw))
            if taken:
                return w
        if x > self.peak_x:
            if x - self.peak_x > 0.05 * (self.peak_x - self.rest):  # still rising, not jitter at the top
                self._peak_t = t
            self.peak, self.peak_x, self.stage = i, x, "lift"
        else:
            self.stage = "hold" if x - self.rest > HOLD_SHARE * (self.peak_x - self.rest) else "lower"
        self._high_t = t if self.stage != "lower" else self._high_t
        back = x - self.rest <= self._exit
        settled = not back and self._settled_low(t, x)
        share_exit = self._back_below_share(t, x)
        if back or settled or share_exit:
            return None if back and self._dip_begins(i, t, x, rest, lo) else self._leave(i, t, x, rest, lo,
                                                                                          back or settled)
        w = self.lose() if t - self._start_t > ex.max_rep_s else None  # held too long: not a rep
        self._last = (i, t)
        return w

    def finish(self) -> RepWindow | None:
        """The recording or set ends: a rep whose top was reached counts even if the foot was
        not seen come back (the count convention: a top reached whose rise was seen); a rep whose
        end was waiting (``DIP_GAP_S``) had come back."""
        if self._dip is not None:
            return self._confirm()
        if not self.in_rep or self._last is None:
            return self._given_back()
        i, t = self._last
        # the top was reached: the foot is coming down, or rose no further for a moment
        topped = self.stage == "lower" or t - self._peak_t >= TOP_SEEN_S
        self.in_rep, self.stage = False, "ready"
        if topped and self.peak < i and t - self._rise_t >= self.ex.min_rep_s:
            self._saved = None
            return RepWindow(self.start, self.peak, i)
        return self._given_back()


def segment(t: np.ndarray, x: np.ndarray, rest: np.ndarray, ex: Exercise, range_deg) -> list[RepWindow]:
    """Run the engine over a whole signal (NaN = frame not usable)."""
    his, los = (np.broadcast_to(a, x.shape) for a in thresholds(ex, range_deg))
    engine = RepEngine(ex)
    out = []
    usable = np.isfinite(x) & np.isfinite(rest)
    for i in range(len(x)):
        if not usable[i]:
            engine.lose()
            continue
        w = engine.step(i, float(t[i]), float(x[i]), float(rest[i]), float(his[i]), float(los[i]))
        if w is not None:
            out.append(w)
    w = engine.finish()
    return out if w is None else [*out, w]
