"""Which exercise comes next: the routine's order, or every exercise in turn for ``n``."""
from __future__ import annotations

from tracker.exercises import EXERCISES, ROUTINE, Exercise


class Routine:
    """``--routine``: the routine's exercises from the chosen one on, ending after the last;
    otherwise ``n`` cycles through every exercise, starting from the chosen one."""

    def __init__(self, first: str, routine: bool):
        self.routine = routine
        if routine:
            order = list(ROUTINE)
            self.order = order[order.index(first):] if first in order else order
        else:
            keys = list(EXERCISES)
            k = keys.index(first)
            self.order = keys[k:] + keys[:k]
        self.pos = 0
        self.done = False

    @property
    def current(self) -> str:
        return self.order[self.pos]

    def advance(self) -> bool:
        """Move on; False when a routine has just finished (nothing comes next)."""
        self.pos += 1
        if self.pos < len(self.order):
            return True
        if self.routine:
            self.done = True
            return False
        self.pos = 0
        return True

    @property
    def step_text(self) -> str:
        return f"exercise {self.pos + 1} of {len(self.order)}" if self.routine else ""

    # What a plan prescribes per set (PlanRoutine); without one, the command's options.
    step = None
    hold_s = 0.0

    def set_params(self, mode: str, target: int) -> tuple[Exercise, str, int]:
        """The set's exercise, mode and reps (the options' mode and target)."""
        return EXERCISES[self.current], mode, target

    def wait_s(self, default: float) -> float:
        return default

    def next_text(self) -> str:
        return ""
