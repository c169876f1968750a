"""One live set, frame by frame: gate → features → a counter per candidate leg.

The same stages the offline analysis runs over a whole clip, run causally: the gate judges
the frame, ``leg_features`` measures each leg (one frame), and each ``LiveCounter`` steps
the shared rep engine. What the gate saw is tallied for the set's warnings.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import replace

import numpy as np

from tracker.app.live.set_record import METHOD
from tracker.counting.live import LiveCounter
from tracker.exercises import Exercise
from tracker.pose.landmarks import SIDES, other_side
from tracker.records import Rep
from tracker.signals.features import VISIBLE, LegFeatures, counts_from_turn, crossed_leg, leg_features
from tracker.signals.gating import VIEW_FRAMES, VIEW_MIN_FRAMES, WRONG_VIEW_SHARE, GateTally, LiveGate, set_warnings


class SetCounter:
    """``hold_s``: a plan's hold (a rep held shorter is not counted); ``previous``: the set
    before, whose learned range a set of the same movement starts from; ``mode``: the set's."""

    method = METHOD  # what the set's rows name as how they were counted

    def __init__(self, ex: Exercise, sides: list[str], calib_s: float, hold_s: float = 0.0,
                 previous: "SetCounter | None" = None, mode: str = "active"):
        self.ex = ex
        self.gate = LiveGate(ex)
        self.counters = {s: LiveCounter(ex, s, calib_s=calib_s, hold_s=hold_s, mode=mode) for s in sides}
        # The next set of the same movement (a plan's next set, `r`, a custom exercise after its
        # base): same signal from the same position. Not ab/adduction -> eversion (another position).
        if previous is not None and (previous.ex.signal, previous.ex.position) == (ex.signal, ex.position):
            for s, c in self.counters.items():
                if s in previous.counters:
                    c.range.carry(previous.counters[s].range)
        self.quality = {s: 0.0 for s in sides}
        self.tally = GateTally()
        self._wrong_view_frames = 0
        # the last poses, for telling the crossed leg (an exercise done crossed, side not known)
        self._poses: deque[np.ndarray] = deque(maxlen=VIEW_FRAMES)
        self._planted_side: str | None = None
        self.t0: float | None = None
        self.t_last: float | None = None
        self._marks: deque = deque(maxlen=256)  # before each recent frame: (t, tally, wrong view frames, t_last)

    def keep(self, side: str) -> None:
        """The side is known: stop counting the other leg."""
        self.counters = {side: self.counters[side]}
        self.quality = {side: self.quality.get(side, 0.0)}

    def recalibrate(self) -> list[tuple[str, Rep]]:
        """Rest is learned again: reps whose end was waiting are returned (``LiveCounter.recalibrate``)."""
        return [(s, rep) for s, c in self.counters.items() for rep in c.recalibrate(self.gate.view_ok(s))]

    def interrupt(self) -> list[tuple[str, Rep]]:
        """Set aside (``live --routine``: the body moved to another exercise's position): a movement
        in progress is that change, no rep; if the set resumes, its rest and range are kept. A rep
        whose end was waiting (engine ``DIP_GAP_S``) had come back: returned, as main counted it."""
        found = [(s, rep) for s, c in self.counters.items() for rep in c.drop_movement(self.gate.view_ok(s))]
        for c in self.counters.values():
            c.range.reset_attempt()
        return found

    def trim(self, since: float) -> None:
        """Forget the frames from ``since`` on in the tally and the time (given to the next set
        instead: no frame is in two sets' summaries)."""
        for t, tally, wrong, last in self._marks:
            if t >= since:
                self.tally, self._wrong_view_frames, self.t_last = tally, wrong, last
                break

    def display_side(self) -> str:
        """The leg shown: the best seen one, never the leg found planted on the floor."""
        legs = [s for s in self.counters if s != self._planted_side] or list(self.counters)
        return max(legs, key=lambda s: self.quality.get(s, 0.0))

    @property
    def elapsed(self) -> float:
        return (self.t_last - self.t0) if self.t0 is not None and self.t_last is not None else 0.0

    def _planted(self) -> str | None:
        """For an exercise done with a leg crossed, while both legs are candidates: the leg
        clearly on the floor (the other foot hangs higher, ``crossed_leg``), which cannot be
        the one exercising; its landmarks' wander must not count or decide the side."""
        if self._planted_side is not None or len(self.counters) < 2:
            return self._planted_side  # once found it stays: a gap near the limit must not flip it mid-rep
        if self.ex.postures != ("crossed",) or len(self._poses) < VIEW_MIN_FRAMES:
            return None
        crossed = crossed_leg(np.stack(self._poses))
        self._planted_side = other_side(crossed) if crossed else None
        return self._planted_side

    def step(self, t: float, image: np.ndarray, pose, paused: bool):
        """One frame → (problem with the person, problem per leg, reps completed [(side, rep)])."""
        self._marks.append((t, replace(self.tally), self._wrong_view_frames, self.t_last))
        self.t0 = t if self.t0 is None else self.t0
        self.t_last = t
        self.tally.frames += 1
        problem = self.gate.person_problem(t, image, pose)
        self.tally.detected += bool(pose.detected)
        self.tally.lying += problem == "lying"
        self.tally.standing += problem == "standing"
        feats = self._features(pose)
        if pose.detected and self.ex.postures == ("crossed",):
            self._poses.append(np.asarray(pose.pixels, float)[:, :2])
        planted = self._planted()
        leg_problems: dict[str, str | None] = {}
        found: list[tuple[str, Rep]] = []
        h, w = image.shape[:2]
        for s, counter in self.counters.items():
            f = feats.get(s)
            if f is None:
                self.quality[s] *= 0.8
                reps = counter.update(t, LegFeatures.missing(s), False)
            else:
                q = float(f.quality[0])
                leg_problems[s] = self.gate.leg_problem(s, q, float(f.foot_ratio[0]), pose.pixels, w, h)
                self.quality[s] = 0.8 * self.quality[s] + 0.2 * q
                o = feats[other_side(s)]
                other = float(o.signal[0]) if float(o.quality[0]) >= VISIBLE else math.nan
                usable = not paused and problem is None and leg_problems[s] is None and s != planted
                reps = counter.update(t, f, usable, other, view_ok=self.gate.view_ok(s))
            found += [(s, rep) for rep in reps]
        return problem, leg_problems, found

    def busy(self) -> bool:
        """A leg's movement in progress or a rep whose end is waiting: not written anywhere yet."""
        return any(c.engine.busy for c in self.counters.values())

    def finish(self) -> list[tuple[str, Rep]]:
        """The set ends: reps whose top was reached and that were still in progress."""
        return [(s, rep) for s, c in self.counters.items() for rep in c.finish(self.gate.view_ok(s))]

    def _features(self, pose) -> dict[str, LegFeatures]:
        """Each leg's features; the foot's pixel turn replaces the landmark signal by the rule
        offline counting follows (``counts_from_turn``), and the set's method says so."""
        turns = getattr(pose, "foot_turn", None)
        if not counts_from_turn(self.ex, turns):
            turns = None
        elif self.method == METHOD:
            self.method = f"{METHOD}+foot-turn"
        if not pose.detected:
            return {}
        px, vis = pose.pixels[None], pose.visibility[None]
        return {s: leg_features(px, vis, s, self.ex, scale=np.array([self.gate.scale(s)]),
                                turn=None if turns is None else turns[k:k + 1])
                for k, s in enumerate(SIDES)}

    def shown(self, problem: str | None) -> None:
        """The problem on screen this frame (None: the foot could count)."""
        self.tally.usable += problem is None
        self._wrong_view_frames += problem == "wrong_view"

    def warnings(self, side: str) -> tuple[str, ...]:
        self.tally.wrong_view = self._wrong_view_frames > WRONG_VIEW_SHARE * max(1, self.tally.frames)
        return set_warnings(self.ex, side, self.tally)
