"""What the live window says when the gate stops counting, in words a patient can act on.

The gate (``tracker.signals.gating.LiveGate``) names the problem; this module words it
and debounces it, so one bad frame does not flash text on the screen.
"""
from __future__ import annotations

from tracker.exercises import Exercise

GUIDE_DELAY_S = 0.6  # a problem must last this long before its message shows (no flicker)
GUIDE_HOLD_S = 0.8  # and a shown message stays at least this long after it is fixed

MESSAGES = {
    "dark": "It is too dark: turn on a light or open the curtains",
    "no_person": "Sit where the camera can see you, with your legs and feet in the picture",
    "lying": "Sit up or stand: this exercise is done seated or standing",
    "moving": "Settle in your place and hold still for a moment",
    "far": "Come closer to the camera: your legs look too small",
    "feet_out": "Your feet are out of the picture: move back or point the camera lower",
    "foot_hidden": "The camera cannot see your {foot} clearly: move so nothing covers it",
}


def message_text(problem: str, ex: Exercise, side: str | None) -> str:
    if problem == "wrong_view":
        return ex.wrong_view_message()
    return MESSAGES[problem].format(foot=f"{side} foot" if side else "feet")


class Debounce:
    """The problem to show: one that has lasted GUIDE_DELAY_S, kept GUIDE_HOLD_S after."""

    def __init__(self):
        self._pending: str | None = None
        self._pending_since = 0.0
        self._shown: str | None = None
        self._last_seen = float("-inf")

    def shown(self, t: float, problem: str | None) -> str | None:
        if problem is None:
            self._pending = None
            if self._shown is not None and t - self._last_seen > GUIDE_HOLD_S:
                self._shown = None
            return self._shown
        if problem != self._pending:
            self._pending, self._pending_since = problem, t
        if t - self._pending_since >= GUIDE_DELAY_S:
            self._shown = problem
        if self._shown == problem:
            self._last_seen = t
        return self._shown
