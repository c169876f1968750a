"""The live driver of the rep engine: one frame at a time, causally.

It differs from ``offline`` only where it must: the signal is filtered causally (a spike
guard, then One Euro), rest and range are learned as the set goes (``LiveRest``,
``LiveRange``), and the direction of an exercise whose direction is not fixed is taken
from the first clear excursion. Everything else is shared: the engine decides the rep,
``rep_context`` + ``measure_rep`` measure it from the same features offline uses.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from tracker.counting.engine import LO_FRACTION, PEAK_EXIT_SHARE, RepEngine, thresholds
from tracker.counting.hold import check_hold
from tracker.counting.legrest import LEG_REST_S, knee_levels, leg_rest
from tracker.counting.measure import COMPENSATION_RATIO, hold_time, measure_rep, rep_context
from tracker.counting.rest import LiveRange, LiveRest
from tracker.exercises import Exercise
from tracker.records import CountState, Rep
from tracker.signals.features import LegFeatures
from tracker.signals.filters import CausalMedian, OneEuro, preload, smooth_offline

# a rep ends where the foot settles below this share of its peak (engine ``SETTLE_S``):
# live's early rest can sit under where the foot really comes back to
SETTLED_SHARE = 0.25
KEEP_S = 2.0  # frames kept beyond the longest possible rep (the window a rep is measured over)
# One Euro's speed coefficient: how fast its cutoff opens while the foot moves. At 0.05 a 0.8 s
# rep at 15 fps read about half its size and the first reps of small movers were missed; 0.1
# (corpus tune half: live exact 24 -> 26 %, together with the two rules below) still keeps the
# still foot's jitter, which the cutoff floor (1.5 Hz) sets, out of the count. Still needed with
# the floor read zero-phase (below): at 0.05 the tune half's live false reps were 9, not 3.
ONE_EURO_BETA = 0.1
# A rep smaller than the exercise's noise floor (``min_rom_deg``) is not counted. Live's engine
# can enter from a trough or a rest learned early, so it sees excursions offline never does;
# corpus tune half: every live false rep on a negative but one read under it (1.99-2.25° for
# floors of 2.0-2.5°), and such a rep on the wrong leg locked ``--side auto`` to that leg. The
# range it is judged on is the finished rep's read as offline reads it (zero-phase, over its
# own frames: ``_FrameLog.offline_range``): the causal filter attenuates a small quick rep (the
# sample toe_raise_side_right's rep of 2.99° zero-phase read 2.49° causally and was lost).
TOO_SMALL = "too small to be a rep: move the foot further"
KNEE_LEAD_S = 1.0  # frames before a rep read zero-phase with it (over LEG_REST_S: the smoothing's edge stays out)


class _FrameLog:
    """The last few seconds of per-frame features and filtered values, by absolute index,
    so a rep can be measured over exactly the frames the engine saw."""

    def __init__(self, keep_s: float, passive: bool = False):
        self.keep_s = keep_s
        self.passive = passive  # the set is passive (``RepContext.passive``)
        self.first = 0  # absolute index of rows[0]
        self.rows: list[tuple[float, LegFeatures, float, bool, float, float]] = []

    @property
    def next_index(self) -> int:
        return self.first + len(self.rows)

    def append(self, t: float, feats: LegFeatures, s: float, valid: bool, base: float, other: float) -> int:
        self.rows.append((t, feats, s, valid, base, other))
        if len(self.rows) > 64 and t - self.rows[len(self.rows) // 2][0] > self.keep_s:
            half = len(self.rows) // 2
            del self.rows[:half]
            self.first += half
        return self.next_index - 1

    def since(self, t0: float) -> int:
        """Absolute index of the first kept frame at or after time ``t0``."""
        for k, row in enumerate(self.rows):
            if row[0] >= t0:
                return self.first + k
        return self.next_index - 1

    def leg_rest(self, start: int) -> tuple[np.ndarray, np.ndarray]:
        """Where the leg (knee, ankle, heel, toe) and the other leg's anchor rested before the kept
        frame ``start`` (``legrest.leg_rest``, from the ``LEG_REST_S`` kept before it: offline's
        context holds those frames too)."""
        first = self.since(self.rows[start - self.first][0] - LEG_REST_S)
        rows = self.rows[first - self.first:]
        t = np.array([r[0] for r in rows])
        xy = np.concatenate([np.concatenate([r[1].leg_xy, r[1].other_anchor_xy[:, None]], axis=1) for r in rows])
        rest = leg_rest(t, xy, start - first)
        return rest[:4], rest[4]

    def set_base(self, index: int, base: float) -> tuple:
        """Give a kept frame its rest level (learned after the frame was seen); returns the row."""
        row = self.rows[index - self.first]
        self.rows[index - self.first] = row = (*row[:4], base, row[5])
        return row

    def unfiltered(self, index: int, rest: float, direction: int) -> float:
        """Frame ``index``'s signal before the spike guard and filter, from ``rest`` in the rep
        direction (0, not known yet: either way), for telling a landmark jump (engine ``JUMP_S``)."""
        u = float(self.rows[index - self.first][1].signal[0]) - rest
        return direction * u if direction else abs(u)

    def offline_range(self, w, rep: Rep, direction: int) -> float:
        """The finished rep's range read as offline reads it: the raw signal from ``KNEE_LEAD_S``
        before the window to its end, smoothed zero-phase (``smooth_offline``), its
        top within the window over the rep's rest, in the rep's direction (if not known yet: its own)."""
        up, rest = float(direction or np.sign(rep.peak_deg - rep.rest_deg) or 1.0), rep.rest_deg
        pre = max(self.first, self.since(self.rows[w.start - self.first][0] - KNEE_LEAD_S))
        rows = self.rows[pre - self.first:w.end - self.first + 1]  # to its end, even when announced later
        t = np.array([r[0] for r in rows])
        x = up * (smooth_offline(np.array([r[1].signal[0] if r[3] else np.nan for r in rows]), t) - rest)
        top = x[w.start - pre:w.end - pre + 1]
        return float(np.nanmax(top)) if np.isfinite(top).any() else 0.0

    def context(self, w, view_ok: bool, compensation_ratio: float = COMPENSATION_RATIO):
        """The context of the finished window ``w`` (absolute indices), with the knee's top and rest
        (``knee_levels``) read over the kept frames from before it."""
        rows = self.rows[w.start - self.first:w.end - self.first + 1]
        t, feats, s, valid, base, other = zip(*rows)
        f, t, s = LegFeatures.concat(list(feats)), np.array(t), np.array(s, float)
        leg, other_leg = self.leg_rest(w.start)
        ctx = rep_context(f, t, s, np.array(base, float), np.array(valid, bool), other_signal=np.array(other, float),
                          view_ok=view_ok, compensation_ratio=compensation_ratio, passive=self.passive,
                          leg_rest_xy=leg, other_rest_xy=other_leg)
        if ctx.knee_y is None:
            return ctx
        up = float(np.sign(s[w.peak - w.start] - base[0]))
        return replace(ctx, knee_levels=self.knee_levels(w, float(base[0]), up or 1.0))

    def knee_levels(self, w, rest: float, up: float) -> tuple[float, float]:
        """The heel-raise knee check's (top, rest) knee heights (``legrest.knee_levels``) as offline reads
        them: the raw signal and the knee from ``KNEE_LEAD_S`` before the window to its end, smoothed
        zero-phase, so top and rest frames are picked by where the heel was, on the knee's own clock.
        (The causal filter lags: its peak came 0.1-0.2 s after the real top, and on a hold seconds after
        it; its level before the window, or at a touch-down between reps with no pause, reads high.)"""
        pre = max(self.first, self.since(self.rows[w.start - self.first][0] - KNEE_LEAD_S))
        rows = self.rows[pre - self.first:w.end - self.first + 1]
        t = np.array([r[0] for r in rows])
        raw = np.array([r[1].signal[0] if r[3] else np.nan for r in rows])
        knee = np.array([r[1].knee_y[0] for r in rows], float)
        if len(t) < 4 or not np.isfinite(raw).any() or not np.isfinite(knee).any():
            return float("nan"), float("nan")
        return knee_levels(t, up * (smooth_offline(raw, t) - rest), smooth_offline(knee, t), w.start - pre)


def body_rules(rep: Rep, ctx, ex: Exercise, offline_rom: float) -> Rep:
    """The hold read on the finished rep smoothed zero-phase (the causal filter's jitter at the
    top read up to 0.53 s on a rep without one); a rep whose range read as offline reads it
    (``offline_rom``, ``_FrameLog.offline_range``) is under the noise floor not counted."""
    held = hold_time(ctx.t, smooth_offline(ctx.signal, ctx.t), rep.rest_deg, rep.peak_deg)
    rep = replace(rep, hold_s=round(held, 2))
    if rep.counted and offline_rom < ex.min_rom_deg:
        rep = replace(rep, counted=False, note="; ".join(n for n in (TOO_SMALL, rep.note) if n))
    return rep


class _SetEnds:
    """How a live counter's set ends or starts over ('c'): a rep whose end was waiting (engine
    ``DIP_GAP_S``) had come back, and is counted."""

    def recalibrate(self, view_ok: bool = True) -> list[Rep]:
        """Rest is learned again ('c'); a rep whose end was waiting (engine ``DIP_GAP_S``) had come
        back: it is returned, counted, not lost with the rep in progress."""
        out = self.drop_movement(view_ok)
        self.rest.reset()
        self.state.stage = "calibrating"
        return out

    def drop_movement(self, view_ok: bool = True) -> list[Rep]:
        """The movement in progress is dropped (the engine's ``lose``); a rep whose end was waiting
        had come back: it is returned, counted."""
        w = self.engine.lose()
        return [] if w is None or not self._log.rows else [self._counted(w, self._log.rows[-1][0], view_ok)]

    def finish(self, view_ok: bool = True) -> list[Rep]:
        """The set ends: a set too short to learn rest in is counted with rest from its
        movement; a rep whose top was reached counts, as offline at a clip's end."""
        out = []
        if self.rest.value is None and self.rest.settle(self.direction):
            out = self._replay_calibration(view_ok)
        w = self.engine.finish()
        return out if w is None else [*out, self._counted(w, self._log.rows[-1][0], view_ok)]


class LiveCounter(_SetEnds):
    """Causal counter for one leg, fed one frame of features at a time."""

    def __init__(self, ex: Exercise, side: str, calib_s: float = 1.5, hold_s: float = 0.0,
                 spike: CausalMedian | None = None, body: bool = True, mode: str = "active"):
        """``spike``: the spike guard (None: median of 3 frames). ``body``: the body's landmarks, whose rules
        (``ONE_EURO_BETA``, ``from_rise``, ``body_rules``) a close-up's counter does not take. ``mode``: the set's."""
        self.ex, self.side, self.hold_s = ex, side, hold_s  # hold_s: a plan's hold (counting/hold.py)
        self.state = CountState()
        self.direction = ex.rep_direction(side) or 0
        self.rest = LiveRest(calib_s=calib_s)
        self.range = LiveRange(ex)
        self.body = body
        preload() if body else None  # the floor reads zero-phase (scipy): imported beside the camera now
        self.engine = RepEngine(ex, settled_share=SETTLED_SHARE, from_rise=body, confirm_dips=body)
        self.reps: list[Rep] = []
        self._spike = spike or CausalMedian(3)
        self.compensation_ratio = COMPENSATION_RATIO  # a close-up's counter sets its own (measure.py)
        # A close-up's: a compensated rep teaches no range, and when the sign of a rep was learned
        # from it, the sign is forgotten (a whole-leg swing before the reps locked the opposite sign)
        self.forget_compensated = False
        self._guessed = False  # the direction was learned from the excursion still being measured
        self._smooth = OneEuro(min_cutoff=1.5, beta=ONE_EURO_BETA if body else 0.05)
        self._other_smooth = OneEuro(min_cutoff=1.5, beta=0.05)
        self._log = _FrameLog(ex.max_rep_s + KEEP_S, passive=mode == "passive")

    def update(self, t: float, feats: LegFeatures, usable: bool, other_signal: float = np.nan,
               view_ok: bool = True) -> list[Rep]:
        """Feed one frame (``feats`` holds one frame); returns the reps completed at it (usually
        none or one; more when calibration ends and the frames it held are counted)."""
        signal = float(feats.signal[0])
        s = self._smooth.update(t, self._spike.update(signal if usable else np.nan, t))
        o = self._other_smooth.update(t, other_signal)
        ok = bool(usable and np.isfinite(s))
        calibrated = False
        if ok and self.rest.value is None:
            self.state.stage = "calibrating"
            calibrated = self.rest.calibrate(t, s, self.direction)
        rest = self.rest.value
        i = self._log.append(t, feats, s, ok, np.nan if rest is None else rest, o)
        if not ok:
            w = self.engine.lose()  # a rep whose end was waiting (engine ``DIP_GAP_S``) counts now
            self._spike.reset()  # values from before a gap must not stand in for the first ones after it
            self.range.reset_attempt()  # an excursion cut by a gap was not seen come back
            self.state.angle_deg = float("nan")
            return [] if w is None else [self._counted(w, t, view_ok)]
        if rest is None:
            return []
        if calibrated:
            return self._replay_calibration(view_ok)
        return self._frame(i, t, s, rest, view_ok)

    def _frame(self, i: int, t: float, s: float, rest: float, view_ok: bool) -> list[Rep]:
        raw = s - rest
        learning = self.direction == 0 and not self._learn_direction(raw)
        # direction not known yet: any clear excursion may be the first rep
        d = abs(raw) if learning else self.direction * raw
        rep = self._step(i, t, s, d, raw, learning, view_ok)
        return [] if rep is None else [rep]

    def _replay_calibration(self, view_ok: bool) -> list[Rep]:
        """Rest is known now: step the engine over the frames calibration held. When the
        person was already moving (no still start), a rep made while rest was being learned
        is counted now, a few seconds late, instead of being lost."""
        self.state.rest_deg, self.state.stage = self.rest.value, "ready"
        start = self._log.since(self._log.rows[-1][0] - self.rest.calib_timeout_s)
        out: list[Rep] = []
        for k in range(start, self._log.next_index):
            t, _f, s, ok, _b, _o = self._log.set_base(k, self.rest.value)
            if ok:
                out += self._frame(k, t, s, self.rest.value, view_ok)
            else:
                out += [self._counted(w, t, view_ok) for w in [self.engine.lose()] if w is not None]
        return out

    def _learn_direction(self, raw: float) -> bool:
        if abs(raw) >= max(self.ex.min_rom_deg, 0.5 * self.ex.prior_rom_deg):
            self.direction, self._guessed = (1 if raw > 0 else -1), True
            return True
        return False

    def _forget_guess(self) -> None:
        """A close-up's: the sign learned from an excursion that was no rep (or the leg's work) is forgotten."""
        if self.forget_compensated and self._guessed:
            self.direction, self._guessed = 0, False

    def _step(self, i: int, t: float, s: float, d: float, raw: float, learning: bool, view_ok: bool) -> Rep | None:
        st = self.state
        hi, lo = (float(v) for v in thresholds(self.ex, self.range.value))
        st.angle_deg, st.range_deg = d, self.range.value
        was_in = self.engine.in_rep
        # the prior's exit band is ~1°: until the person's range is known, a rep may also end
        # back below a share of its own peak (engine ``PEAK_EXIT_SHARE``)
        self.engine.peak_exit_share = 0.0 if self.range.learned else PEAK_EXIT_SHARE
        w = self.engine.step(i, t, d, 0.0, hi, lo, self._log.unfiltered(i, s - raw, self.direction))
        st.stage = self.engine.stage
        if self.engine.in_rep:
            if not was_in:  # a rep began: its rising edge was not an attempt
                self.rest.rep_started()
                self.range.reset_attempt()
            return None
        if w is None:
            if was_in:
                self.range.reset_attempt()  # too short or too long: not a rep
                self._forget_guess()
            elif learning:
                self.rest.follow(t, s, raw, LO_FRACTION * self.ex.prior_rom_deg, self.direction)
            else:
                self.range.between_reps(d, hi, lo)
                self.rest.follow(t, s, d, lo, self.direction)
            st.rest_deg = self.rest.value
            return None
        return self._counted(w, t, view_ok)

    def _counted(self, w, t: float, view_ok: bool) -> Rep:
        """Measure a finished window, count it and learn from it."""
        st = self.state
        ctx = self._log.context(w, view_ok, self.compensation_ratio)
        rep = measure_rep(ctx, w.shifted(w.start), self.ex, st.count + 1, self.side)
        if self.body:
            rep = body_rules(rep, ctx, self.ex, self._log.offline_range(w, rep, self.direction))
        rep = check_hold(rep, self.hold_s)
        if self.forget_compensated and rep.compensation:
            self._forget_guess()
        else:
            self.range.rep(rep.rom_deg)
        self._guessed = False
        self.reps.append(rep)
        if rep.counted:
            st.count += 1
            st.best_deg = max(st.best_deg, rep.rom_deg)
            st.last_count_t = t
        else:
            st.low_confidence += 1
        st.last_rep = rep
        return rep
