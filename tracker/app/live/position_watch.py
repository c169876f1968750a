"""``live --routine``: the session moves on by itself when the patient visibly starts a later
exercise of the routine.

Why the position: the routine's exercises are done in different positions (the leg crossed,
both feet down, standing). When the body has settled in the first position of a later
exercise and in none of the current one's, after it was seen in the current one's (the leg
uncrossed, the patient stood up), the patient has moved on, so the session goes to that
exercise and says so (its title, as any new set); ``n`` still works.
Two exercises done in one position (dorsiflexion then ab/adduction) are not told apart this
way: reaching the target, or ``n``, moves on there. The position is judged as
``--exercise auto`` judges it (``recognise.body_cues``) over the last ``WINDOW_S``.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from tracker.counting.recognise import body_cues
from tracker.exercises import EXERCISES

WINDOW_S = 1.5  # the position is judged over the last this long
SETTLED_S = 1.5  # ... and must have held this long
SHARE = 0.8  # share of the window the body shows that position
EVERY_S = 0.25  # how often it is judged


class PositionWatch:
    def __init__(self, session):
        self.session = session  # its routine (order and position) is read when judged: ``choose`` replaces it
        self._frames: deque = deque()
        self._pos: str | None = None
        self._since = 0.0
        self._next_t = float("-inf")
        self._seen_in: tuple | None = None  # the set whose position ...
        self._seen = False  # ... the body has been seen settled in

    def settled(self, t: float, pose) -> str | None:
        """The position the body has held for ``SETTLED_S`` (standing, seated or crossed), or None."""
        if pose.detected:
            self._frames.append((t, pose.pixels[:, :2]))
        while self._frames and self._frames[0][0] < t - WINDOW_S:
            self._frames.popleft()
        if t >= self._next_t and len(self._frames) >= 5:
            self._next_t = t + EVERY_S
            cues = body_cues(np.stack([px for _, px in self._frames]))
            main = cues.main_posture()
            pos = main if cues.share(main) >= SHARE else None
            if pos != self._pos:
                self._pos, self._since = pos, t
        return self._pos if self._pos is not None and t - self._since >= SETTLED_S else None

    def later(self, t: float, pose, order: list[str], pos: int) -> int | None:
        """The index in ``order`` of the first later exercise whose position the body has
        settled in, when that is no position of the current one (``order[pos]``) and the body
        was seen settled in the current one's first (a change of position, not a misjudged
        first look)."""
        where = self.settled(t, pose)
        if self._seen_in != (order[pos], pos):
            self._seen_in, self._seen = (order[pos], pos), False  # a new set: its position not seen yet
        if where is None or where in EXERCISES[order[pos]].postures:
            self._seen = self._seen or where is not None
            return None
        if not self._seen:
            return None  # the body never showed the current exercise's position: no change seen
        return next((k for k in range(pos + 1, len(order)) if EXERCISES[order[k]].postures[0] == where), None)

    def moved_on(self, t: float, pose) -> bool:
        """True when the patient visibly started a later exercise; the routine is then set just
        before it, so that its ``advance`` (the session's next exercise) lands on it."""
        routine = self.session.routine
        k = self.later(t, pose, routine.order, routine.pos)
        if k is None:
            return False
        routine.pos = k - 1
        return True
