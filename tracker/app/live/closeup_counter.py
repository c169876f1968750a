"""One live set measured as a close-up of the foot (``tracker live --view closeup``).

The same interface as ``SetCounter`` (the session cannot tell them apart), but no pose:
``LiveFoot`` turns each frame into the foot's rotation relative to the shank and one
``LiveCounter`` steps the shared rep engine on it, as for every other method. The sign of
a rep is learned from the first clear excursion (a close-up does not show which side the
camera is on); the side is the one given, else "unknown".
"""
from __future__ import annotations

import dataclasses
import math
from collections import deque

import numpy as np

from tracker.closeup.online import KEEP_S, LiveFoot, Sample
from tracker.counting.closeup import LIVE_SPIKE_FRAMES, LIVE_SPIKE_S, METHOD, MIN_QUALITY, PLACE_CAMERA, uses_shank
from tracker.counting.live import LiveCounter
from tracker.counting.measure import CLOSEUP_COMPENSATION_RATIO
from tracker.exercises import Exercise
from tracker.records import CountState, Rep
from tracker.signals.features import LegFeatures
from tracker.signals.filters import CausalMedian
from tracker.signals.gating import GateTally

NO_BODY_S = 3.0  # --view auto: no person this long, and a moving foot found → the close-up method
# --view auto, in a close-up: the pose model looks again once a second, and a person seen at
# BODY_BACK_LOOKS looks in a row takes the session back to the body (someone who started the
# session before sitting down in view, whose legs walking in were taken for a moving foot).
BODY_BACK_EVERY_S = 1.0
BODY_BACK_LOOKS = 3


class _PauseLog:
    """Whether the user had paused (space), per frame time, over the frames a foot keeps: a box
    moved mid-set replays them, each with its own pause (a review: reps made while paused were counted)."""

    def __init__(self):
        self._order: deque[float] = deque()
        self._at: dict[float, bool] = {}

    def note(self, t: float, paused: bool) -> None:
        if t not in self._at:
            self._order.append(t)
        self._at[t] = paused
        while self._order and t - self._order[0] > KEEP_S + 1.0:
            self._at.pop(self._order.popleft(), None)

    def at(self, t: float, default: bool) -> bool:
        return self._at.get(t, default)  # a scout's frame, handed over: the pause now


class CloseupSetCounter:
    method = METHOD

    def __init__(self, ex: Exercise, side: str, calib_s: float, hold_s: float = 0.0, foot: LiveFoot | None = None,
                 mode: str = "active"):
        self.ex, self.side, self.shank = ex, side, uses_shank(ex, mode)
        self.calib_s, self.hold_s = calib_s, hold_s
        self._shown = CountState()  # the reps emitted (saved, spoken): what the screen shows (``_sync``)
        self._new_counter()
        self.quality = {side: 0.0}
        self.tally = GateTally()
        self.foot = foot  # a foot already found (the session's scout) is measured from its kept frames
        self.t0: float | None = None
        self.t_last: float | None = None
        self.t_fed: float | None = None  # the last frame time given to the counter
        self._judged: list[tuple[float, float]] = []  # (start, end) of every rep emitted (``_emit``)
        self._tallied = -math.inf  # the last frame tallied
        self._paused = _PauseLog()

    def _new_counter(self) -> None:
        counter = LiveCounter(self.ex, self.side, self.calib_s, self.hold_s,
                              CausalMedian(LIVE_SPIKE_FRAMES, LIVE_SPIKE_S), body=False)
        counter.direction = 0  # learned: the image's rotation sign is the camera's
        counter.compensation_ratio = CLOSEUP_COMPENSATION_RATIO
        counter.forget_compensated = True  # a swing's excursion must not teach the sign or range of a rep
        # Every angle is the turn from the rest frame (``LiveFoot``: the first), so rest is 0 from the
        # start, as offline takes it from the first half second (``REST_START_S``); waiting for a second
        # of stillness instead learned it at the end of sets that start moving (two real clips: at 3.6 s).
        self.counters = {self.side: counter}
        self._rest_at_zero()
        self._sync()

    def _sync(self) -> None:
        """The screen's count is the reps emitted, not the counter's own: after a move the fresh
        counter saw other reps than were saved and spoken (a review: 7 saved, 6 shown)."""
        st, shown = self.counters[self.side].state, self._shown
        st.count, st.low_confidence, st.best_deg = shown.count, shown.low_confidence, shown.best_deg
        st.last_rep, st.last_count_t = shown.last_rep, shown.last_count_t

    def keep(self, side: str) -> None:
        """One foot only: nothing to drop."""

    def recalibrate(self) -> list[tuple[str, Rep]]:
        reps = self.counters[self.side].recalibrate()  # none: a close-up's counter has no dip wait
        self._rest_at_zero()  # rest is the rest frame's by construction, after `c` as at the start
        out = self._emit(reps, self.t_last if self.t_last is not None else 0.0)
        self._sync()
        return out

    def _rest_at_zero(self) -> None:
        counter = self.counters[self.side]
        counter.rest.known(0.0)
        counter.state.rest_deg = 0.0

    def display_side(self) -> str:
        return self.side

    @property
    def elapsed(self) -> float:
        return (self.t_last - self.t0) if self.t0 is not None and self.t_last is not None else 0.0

    def step(self, t: float, image: np.ndarray, pose, paused: bool):
        """One frame → (no person problem, no leg problem, reps completed [(side, rep)])."""
        self.t0 = t if self.t0 is None else self.t0
        self.t_last = t
        self.tally.frames += 1
        if self.foot is None:
            self.foot = LiveFoot(image.shape[1], image.shape[0])
            samples = self.foot.push(t, image)
        elif self.tally.frames == 1 and self.foot.found:  # taken over from the scout, which saw this frame
            samples = self.foot.replay()
        else:
            samples = self.foot.push(t, image)
            if getattr(self.foot, "moved", False):  # found elsewhere: what the counter learned was not the foot's
                self._new_counter()  # (a review: a hand's 53° "rep" taught the sign, then 1 of 8 reps counted)
                self.t_fed = None  # ... the new box's kept frames, measured again, are counted afresh
        self._paused.note(t, paused)
        found: list[tuple[str, Rep]] = []
        counter = self.counters[self.side]
        for s in samples:
            if self.t_fed is not None and s.t <= self.t_fed:
                continue  # measured again (the scout's frames handed over): the counter saw this time
            self.t_fed = s.t
            usable = not self._paused.at(s.t, paused) and s.quality >= MIN_QUALITY and math.isfinite(s.foot_deg)
            if s.t > self._tallied:  # a frame measured again after a move is tallied once
                self._tallied, self.tally.detected = s.t, self.tally.detected + usable
            self.quality[self.side] = 0.8 * self.quality[self.side] + 0.2 * s.quality
            found += self._emit(counter.update(s.t, self._features(s), usable), s.t)
        self._sync()
        return None, {self.side: None}, found

    def _emit(self, reps: list[Rep], t: float) -> list[tuple[str, Rep]]:
        """The counter's reps numbered across counters, without a rep that peaks inside one already
        emitted: a counter started afresh when the foot was found elsewhere counts its kept frames
        again, and the old box may have held the same movement (part of the foot; a whole-leg
        swing flagged as compensation there, read as a rep on the foot's box). A rep between the
        old box's reps is new (a review: all reps before the old box's last were dropped)."""
        out, shown = [], self._shown
        for rep in reps:
            if any(a <= rep.peak_t <= b for a, b in self._judged):
                continue
            rep = dataclasses.replace(rep, index=shown.count + 1)
            out.append((self.side, rep))
            self._judged.append((rep.start_t, rep.end_t))
            shown.last_rep = rep
            if rep.counted:
                shown.count, shown.best_deg, shown.last_count_t = shown.count + 1, max(shown.best_deg, rep.rom_deg), t
            else:
                shown.low_confidence += 1
        return out

    def _features(self, s: Sample) -> LegFeatures:
        """One measured frame as the features the live counter reads (no landmarks: the rest NaN)."""
        shank = s.shank_deg if self.shank else 0.0  # uses_shank: the offline closeup_signal's choice
        one = lambda v: np.array([v], float)  # noqa: E731
        return dataclasses.replace(
            LegFeatures.missing(self.side), signal=one(s.foot_deg - shank),
            quality=one(s.quality), shank_deg=one(shank),
            anchor_xy=self.foot.anchor_px()[None].copy(), scale=one(self.foot.foot_size_px()))

    def finish(self) -> list[tuple[str, Rep]]:
        out = self._emit(self.counters[self.side].finish(True), self.t_last if self.t_last is not None else 0.0)
        self._sync()
        return out

    def shown(self, problem: str | None) -> None:
        self.tally.usable += problem is None

    def warnings(self, side: str) -> tuple[str, ...]:
        if self.foot is None or not self.foot.found:
            return (PLACE_CAMERA,)
        if self.tally.frames and self.tally.detected < 0.5 * self.tally.frames:
            return (f"the foot was measured in only {100 * self.tally.detected / self.tally.frames:.0f}% of frames",)
        return ()


class CloseupSwitch:
    """Which method a live session measures with. ``closeup``: the close-up from the start
    (no pose model); ``auto``: the body, until no person was seen for ``NO_BODY_S`` and a
    scout ``LiveFoot`` watching the frames since then finds a moving foot; the session then
    measures the close-up (handing over the scout's frames, so nothing seen is lost)."""

    def __init__(self, view: str = "body", side: str = "auto"):
        self.view, self.side, self.active = view, side, view == "closeup"
        self.scout: LiveFoot | None = None
        self._last_body: float | None = None
        self._last_look, self._seen = -math.inf, 0  # auto, in a close-up: the pose model's last look
        self._lock_for: bool | None = None  # the lock handed out was for the close-up (True) or the body

    def side_lock(self, current):
        """``current``, or a new lock when the method changed: a close-up does not show which
        leg it is, so it counts the side given, else "unknown"."""
        from tracker.app.live.side_lock import SideLock

        if current is None or self._lock_for != self.active:
            self._lock_for = self.active
            if self.active:
                current = SideLock(self.side if self.side in ("left", "right") else "unknown")
            else:
                current = SideLock(None if self.side == "auto" else self.side)
        current.new_set()
        return current

    def set_counter(self, session, calib_s: float):
        """The session's next set counter: the close-up's, or the body's (``SetCounter``,
        from the set before: a set of the same movement starts from its learned range)."""
        ex, lock, hold_s = session.exercise, session.lock, session.routine.hold_s
        if not self.active:
            from tracker.app.live.set_counter import SetCounter

            return SetCounter(ex, lock.candidates, calib_s, hold_s, vars(session).get("set"),
                              getattr(session, "mode", "active"))
        foot, self.scout = self.scout, None
        return CloseupSetCounter(ex, lock.side, calib_s, hold_s, foot, getattr(session, "mode", "active"))

    def pose(self, estimator, frame, on_switch=None):
        """The pose model's answer, or an empty pose in a close-up (the model is not run);
        ``on_switch()`` when the close-up takes over at this frame (the session starts a set)."""
        from tracker.pose.estimator import PoseFrame

        h, w = frame.image.shape[:2]
        if self.active:
            if self._body_back(estimator, frame) and on_switch is not None:
                on_switch()
            return PoseFrame.empty(frame.index, frame.t, w, h)
        pose = estimator.process(frame)
        if self.should_switch(frame, pose) and on_switch is not None:
            on_switch()
        return pose

    def should_switch(self, frame, pose) -> bool:
        """``auto``: True at the frame the close-up takes over."""
        if self.view != "auto" or self.active:
            return False
        t = float(frame.t)
        if pose.detected or self._last_body is None:
            self._last_body, self.scout = t, None
            return False
        if t - self._last_body < NO_BODY_S:
            return False
        if self.scout is None:
            self.scout = LiveFoot(frame.image.shape[1], frame.image.shape[0])
        self.scout.push(t, frame.image)
        self.active = self.scout.found
        return self.active

    def _body_back(self, estimator, frame) -> bool:
        """``auto``, in a close-up: True at the frame a person has been seen at
        ``BODY_BACK_LOOKS`` looks in a row, one every ``BODY_BACK_EVERY_S``; the body takes over."""
        t = float(frame.t)
        if self.view != "auto" or t - self._last_look < BODY_BACK_EVERY_S:
            return False
        self._last_look = t
        self._seen = self._seen + 1 if estimator.process(frame).detected else 0
        if self._seen < BODY_BACK_LOOKS:
            return False
        self.active, self._seen, self._last_body = False, 0, t
        return True

    def label(self, step: str) -> str:
        """The overlay names the method while the close-up measures."""
        if not self.active:
            return step
        return "close-up: foot motion" + (f" - {step}" if step else "")
