"""What the live window says, in words a patient can act on, and which keys it takes.

The gate (``tracker.signals.gating.LiveGate``) names a problem; this module words it and
debounces it, so one bad frame does not flash text on the screen.
"""
from __future__ import annotations

from tracker.exercises import EXERCISES, Exercise

GUIDE_DELAY_S = 0.6  # a problem must last this long before its message shows (no flicker)
GUIDE_HOLD_S = 0.8  # and a shown message stays at least this long after it is fixed
KEY_HELP = "space pause | n next exercise | r reset | c check & recalibrate | f full screen | q quit"
KEYS = {"q": "quit", "\x1b": "quit", " ": "pause", "n": "next", "r": "reset", "c": "calibrate"}

MESSAGES = {
    "dark": "It is too dark: turn on a light or open the curtains",
    "no_person": "Sit where the camera can see you, with your legs and feet in the picture",
    "lying": "Sit up or stand: this exercise is done seated or standing",
    "standing": "Sit down: this exercise is done seated",
    "moving": "Settle in your place and hold still for a moment",
    "far": "Come closer to the camera: your legs look too small",
    "feet_out": "Your feet are out of the picture: move back or point the camera lower",
    "foot_hidden": "The camera cannot see your {foot} clearly: move so nothing covers it",
}
POSITION_FIX = {"standing": "sit down", "lying": "sit up"}  # a position problem: what the patient would do


def message_text(problem: str, ex: Exercise, side: str | None) -> str:
    if problem == "wrong_view":
        return ex.wrong_view_message()
    return MESSAGES[problem].format(foot=f"{side} foot" if side else "feet")


def problem_text(session, problem: str) -> str:
    """The problem in words; on a routine's first set the session follows the patient to
    (``PositionWatch.follows``), a wrong position says what it will do, not "Sit down" to a
    patient standing for heel raises: that order was to stop what the session was counting."""
    watch = getattr(session, "watch", None)
    follows = problem in POSITION_FIX and watch is not None and watch.follows()
    if not follows:
        return message_text(problem, session.exercise, session.lock.side)
    from tracker.app.live.provisional import WHERE

    where, other = follows
    return (f"{WHERE.get(where, where).capitalize()}: start your {EXERCISES[other].title.lower()}, "
            f"or {POSITION_FIX[problem]} for {session.exercise.title.lower()}")


def screen_message(paused: bool, problem: str | None, stage: str, text: str = "") -> str:
    if paused:
        return "Paused: press space to continue"
    if problem is not None:
        return text
    return "Keep your foot still for a moment" if stage == "calibrating" else ""


def key_hint(first_of_many: bool) -> str:
    """The small print: the keys, and how to pick another exercise when none was chosen."""
    if first_of_many:
        return "Another exercise? Press n, or start with --exercise NAME (or --routine)\n" + KEY_HELP
    return KEY_HELP


def key_action(key) -> str | None:
    """A key press (OpenCV code or character) as an action name, None for other keys."""
    if isinstance(key, str):
        key = ord(key[0]) if key else -1
    if key is None or key < 0:
        return None
    return KEYS.get(chr(key & 0xFF).lower())


class Debounce:
    """The problem to show: one that has lasted GUIDE_DELAY_S, kept GUIDE_HOLD_S after."""

    def __init__(self):
        self._pending: str | None = None
        self._pending_since = 0.0
        self._shown: str | None = None
        self._last_seen = float("-inf")
        self.appeared = False  # the last call put a new message on screen (say it once)

    def shown(self, t: float, problem: str | None) -> str | None:
        before = self._shown
        out = self._update(t, problem)
        self.appeared = out is not None and out != before
        return out

    def _update(self, t: float, problem: str | None) -> str | None:
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


def session_view(session, t: float, pose, problem: str | None):
    """What the live window shows of ``session`` (a ``LiveSession``) at this frame, and the
    problem said aloud when it first shows."""
    from tracker.sinks.view import leg_points, overlay_view  # numpy: not at start-up (`tracker history`)

    shown = session.debounce.shown(t, problem)
    text = "" if shown is None else problem_text(session, shown)
    if session.debounce.appeared and session.speaker is not None:
        session.speaker.say(text)
    st = session.counter().state
    complete, plan_message = session.coach.frame(t, st, session.record.complete_at, session.routine)
    message = (screen_message(session.paused, shown, st.stage, text)
               or session.provisional.message(t, session.set) or plan_message)  # a move from the first exercise: why
    r = session.routine
    hint = key_hint(first_of_many=not session.chose_exercise and r.pos == 0 and not r.routine)
    side = session.lock.side or session.set.display_side()
    stage = "paused" if session.paused else ("complete" if complete else None)
    return overlay_view(session.exercise, st, t, target=session.target, mode=session.mode, stage=stage, message=message,
                        side=session.lock.side or "auto side", fps=session.rate.fps, goal=session.goal, hint=hint,
                        leg=leg_points(pose.pixels, pose.visibility, side) if pose.detected else {},
                        step=session.closeup.label(session.routine.step_text))
