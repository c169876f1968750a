"""``--side auto`` live: count both legs until the first counted rep says which foot moves.

Reps found before the side is known wait here; the first counted one locks its side, and
that side's waiting reps are released in order. A set that ends unlocked releases the
best-seen side's low-confidence reps so nothing the person did is dropped.
"""
from __future__ import annotations

from tracker.pose.landmarks import SIDES
from tracker.records import Rep


class SideLock:
    def __init__(self, side: str | None):
        self.side = side  # None until decided
        self._pending: dict[str, list[Rep]] = {}

    @property
    def candidates(self) -> list[str]:
        return [self.side] if self.side else list(SIDES)

    def new_set(self) -> None:
        self._pending = {s: [] for s in self.candidates}

    def offer(self, side: str, rep: Rep) -> tuple[list[Rep], bool]:
        """A rep found on ``side``: (the reps to record now, in order; whether this rep
        just decided the side)."""
        if self.side is not None:
            return ([rep] if side == self.side else []), False
        self._pending[side].append(rep)
        if not rep.counted:
            return [], False
        self.side = side
        out, self._pending = self._pending[side], {side: []}
        return out, True

    def set_aside(self, pending: dict | None = None) -> dict:
        """The reps waiting for the side, taken out (a set set aside, ``live --routine``); ``pending``:
        those of the set taken back instead."""
        out, self._pending = self._pending, pending if pending is not None else {s: [] for s in self.candidates}
        return out

    def release(self, side: str) -> list[Rep]:
        out = self._pending.get(side, [])
        self._pending = {s: [] for s in self._pending}
        return out
