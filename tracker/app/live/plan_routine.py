"""``tracker live --plan``: the session follows a therapist's plan, set after set.

``PlanRoutine`` is the plan's answer to ``Routine`` (same questions: which exercise now,
what comes next) plus what the plan prescribes for the set: mode, reps, hold, rest.
``PlanCoach`` says what the overlay shows on top: the hold countdown ("hold… 2… 1") while
the foot is at the top of a rep, and the rest timer between sets.
"""
from __future__ import annotations

import math

from tracker.counting.hold import SHORT_HOLD
from tracker.exercises import EXERCISES, Exercise
from tracker.records import PlanStep


class PlanRoutine:
    """The plan's sets in order; the session ends after the last one."""

    routine = True  # moves on by itself at the target, like --routine

    def __init__(self, plan):
        self.plan = plan
        self.steps = plan.steps()
        self.order = [pe.exercise for pe, _ in self.steps]
        self.pos = 0
        self.done = False

    @property
    def current(self) -> str:
        return self.order[self.pos]

    @property
    def step(self) -> PlanStep:
        return self.steps[self.pos][1]

    @property
    def hold_s(self) -> float:
        return self.step.hold_s

    def set_params(self, mode: str, target: int) -> tuple[Exercise, str, int]:
        """The set's exercise, mode and reps: the plan's (the options' are ignored)."""
        return EXERCISES[self.current], self.steps[self.pos][0].mode, self.step.reps

    def wait_s(self, default: float) -> float:
        """How long after the target the next set starts: the plan's rest (none after the last)."""
        return default if self.pos + 1 >= len(self.steps) else self.step.rest_s

    def mark_done(self) -> None:
        """A plan's steps are done in its order (``Routine.mark_done``): nothing to remember."""

    def advance(self) -> bool:
        self.pos += 1
        if self.pos < len(self.steps):
            return True
        self.pos = len(self.steps) - 1
        self.done = True
        return False

    @property
    def step_text(self) -> str:
        s = self.step
        hold = f", hold {s.hold_s:g} s" if s.hold_s else ""
        return f"set {s.set_no} of {s.sets}{hold} - step {self.pos + 1} of {len(self.steps)}"

    def next_text(self) -> str:
        if self.pos + 1 >= len(self.steps):
            return "last set done"
        pe, s = self.steps[self.pos + 1]
        return f"next: {EXERCISES[pe.exercise].title.lower()}, set {s.set_no} of {s.sets}"


class PlanCoach:
    """What the overlay shows about the set beyond the count: the SET COMPLETE banner, and
    with a plan the hold countdown, a short hold and the rest timer."""

    SHOW_SHORT_S = 3.0  # "hold longer" stays up this long after a short hold

    def __init__(self, hold_s: float, banner_s: float):
        self.hold_s, self.banner_s = hold_s, banner_s
        self._top_since: float | None = None
        self._last_rep, self._last_rep_t = None, float("-inf")

    def frame(self, t: float, state, complete_at: float | None, routine) -> tuple[bool, str]:
        """(the SET COMPLETE banner is up, the plan's message) at time ``t``; ``complete_at``:
        when the set reached its target (then the plan's rest timer runs)."""
        complete = complete_at is not None and t - complete_at < self.banner_s
        return complete, self.message(t, state.stage, state.last_rep, complete_at, routine)

    def message(self, t: float, stage: str, last_rep, complete_at: float | None, routine) -> str:
        if last_rep is not self._last_rep:
            self._last_rep, self._last_rep_t = last_rep, t
        if complete_at is not None and routine.step is not None:
            left = routine.wait_s(0.0) - (t - complete_at)
            return f"Set done. Rest {math.ceil(left)} s - {routine.next_text()}" if left > 0 else ""
        if self.hold_s <= 0:
            return ""
        if stage == "hold" or (stage == "lift" and self._top_since is not None):
            self._top_since = t if self._top_since is None else self._top_since
            left = self.hold_s - (t - self._top_since)
            return f"hold... {math.ceil(left)}" if left > 0 else "lower slowly"
        self._top_since = None
        if last_rep is not None and t - self._last_rep_t < self.SHOW_SHORT_S and last_rep.note.startswith(SHORT_HOLD):
            return f"Hold longer: {last_rep.hold_s:.1f} of {self.hold_s:g} s - not counted"
        return ""
