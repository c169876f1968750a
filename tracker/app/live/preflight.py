"""What the live window shows before counting: the start screen, then the placement check.

Why: a stroke survivor should not need to type exercise names. With no ``--exercise`` the
window opens on big numbered tiles (a number key or a click chooses); the same screen comes
back after each completed set. Before the first set a placement check says what to change
until the camera sees what the exercise needs; it starts the set by itself when all is
green, Enter skips it, and ``c`` brings it back later. Nothing is counted meanwhile.
"""
from __future__ import annotations

from tracker.app.live.placement import PlacementCheck
from tracker.app.live.session import COMPLETE_BANNER_S
from tracker.exercises import EXERCISES, Exercise
from tracker.sinks.menus import Tile, draw_checklist, draw_start_screen

START_AFTER_READY_S = 1.0  # "READY" stays up this long before the set starts
CHOOSE_HEADING = "Choose an exercise"
NEXT_HEADING = "Well done! What next?"
FOOTER = "press its number or click it  |  q quit"


def posture(ex: Exercise) -> str:
    """The small drawing for an exercise, read from its position text."""
    where = ex.position.lower()
    if "crossed" in where:
        return "crossed"
    return "standing" if where.startswith("standing") else "seated"


def tiles(keys: list[str]) -> list[Tile]:
    return [Tile(i + 1, EXERCISES[k].title, EXERCISES[k].short_cue or EXERCISES[k].cue, posture(EXERCISES[k]))
            for i, k in enumerate(keys)]


class Preflight:
    """A small state machine in front of ``LiveSession``: stage 'choose', 'check' or None
    (counting). ``step(frame)`` returns the picture to show while a stage is active."""

    def __init__(self, session, choose: bool, check: bool):
        self.session, self.check_enabled = session, check
        self.between_sets = choose and not session.routine.routine  # the chooser again after a set
        self._offered = None
        self.keys = list(EXERCISES)
        self.heading = CHOOSE_HEADING
        self.stage: str | None = None
        self.rects: list[tuple[int, int, int, int]] = []
        self.items = []
        self._ready_at: float | None = None
        if choose:
            self.stage = "choose"
        elif check:
            self.open_check()

    @property
    def active(self) -> bool:
        return self.stage is not None

    def open_chooser(self, heading: str = NEXT_HEADING) -> None:
        self.heading, self.stage = heading, "choose"

    def after_set(self, session, t: float) -> bool:
        """Open the chooser once the "set complete" banner has been seen; True if it opened."""
        done = session.record.complete_at
        if (not self.between_sets or done is None or self._offered is session.record
                or t - done < COMPLETE_BANNER_S):
            return False
        self._offered = session.record
        self.open_chooser()
        return True

    def open_check(self) -> None:
        self.placement = PlacementCheck(self.session.exercise, self.session.side)
        self._ready_at, self.stage = None, "check"

    def step(self, frame):
        if self.stage == "choose":
            drawn = draw_start_screen(frame.image, tiles(self.keys), self.heading, FOOTER)
            self.rects = drawn.rects
            return drawn.image
        pose = self.session.estimator.process(frame)
        self.items = self.placement.update(float(frame.t), frame.image, pose)
        if self.placement.ready:
            self._ready_at = frame.t if self._ready_at is None else self._ready_at
            if frame.t - self._ready_at >= START_AFTER_READY_S:
                self._close_check()
        else:
            self._ready_at = None
        title = f"Check: {self.session.exercise.title}"
        return draw_checklist(frame.image, title, self.items, self.placement.ready, "Enter: skip").image

    def _close_check(self) -> None:
        self.stage = None
        self.session.recalibrate()  # the rest position is taken now, in the checked place

    def _choose(self, index: int) -> None:
        self.session.choose(self.keys[index])
        first_set = not self.session.sets and self.session.record.info is None
        if self.check_enabled and first_set:
            self.open_check()
        else:
            self.stage = None

    def handle_key(self, key: int) -> bool:
        """Keys while a stage is shown; True when the key was used here."""
        if key is None or key < 0 or not self.active:
            return False
        ch = chr(key & 0xFF).lower()
        if ch in ("q", "\x1b"):
            self.session.quit = True
        elif self.stage == "choose" and ch.isdigit() and 1 <= int(ch) <= len(self.keys):
            self._choose(int(ch) - 1)
        elif self.stage == "check" and ch in ("\r", "\n", " "):
            self._close_check()
        return True

    def click(self, x: int, y: int) -> None:
        if self.stage != "choose":
            return
        for i, (x0, y0, x1, y1) in enumerate(self.rects):
            if x0 <= x < x1 and y0 <= y < y1:
                self._choose(i)
                return
