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
        self.practised: set[int] = set()  # the routine's exercises a set counted reps of (in any order)

    @property
    def current(self) -> str:
        return self.order[self.pos]

    def go_to(self, k: int) -> None:
        """The patient went to ``order[k]`` by themselves (``live --routine``: later, skipped or done before)."""
        self.pos = k

    def mark_done(self) -> None:
        """A set of the current exercise counted reps: ``advance`` passes over it from now on."""
        self.practised.add(self.pos)

    def advance(self) -> bool:
        """Move on (in a routine, to the next exercise not done yet: after going back to one
        already done, the ones done since are not done again); False when a routine has just
        finished (nothing comes next)."""
        self.pos += 1
        while self.routine and self.pos in self.practised:
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
        if not self.routine:
            return ""
        done = f", {len(self.practised)} done" if self.practised else ""
        return f"exercise {self.pos + 1} of {len(self.order)}{done}"

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
