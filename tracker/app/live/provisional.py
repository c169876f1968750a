"""``live --routine``: a change of exercise the body's position suggested is provisional.

Why: a rest changes the position too. Crossing the legs for a few seconds during toe raises
must not close the toe-raise set and open a dorsiflexion one (two summary rows, the count
started over). The issue's rule is that the session moves on when the patient visibly
*starts* the next exercise: the new position alone is not that, its first rep is.
So when the body settles in another exercise's position, the set in progress is set aside
(``HeldSet``: not closed, its movement in progress dropped, nothing written) and the new
exercise's set starts on screen, silently. Its first rep confirms the move, counted or not (a
flagged rep, "the shank did the work", is the patient doing that exercise too, and is clinical
data): the held set is closed (without the frames given to the new set) and the new
exercise's title is said. The body back in the position the held set
was done in first: the held set resumes (same row, same count, same target) and the new
one is dropped (no row). The held set's row is written only when it ends, so a move stays
provisional at most ``PROVISIONAL_MAX_S`` (then it is made real: the set left written), or a
killed process would lose it; a rest longer than that in another position splits the set.
"""
from __future__ import annotations

from tracker.app.live.position_watch import Move

PROVISIONAL_MAX_S = 20.0  # in the new position without a rep or a return this long: the move is real
NOTE_S = 6.0  # a move from the session's first exercise (``Move.unseen``) is explained on screen this long
WHERE = {"standing": "standing", "seated": "seated, both feet down", "crossed": "seated, a leg crossed"}
SET_ATTRS = ("exercise", "mode", "target", "set", "record", "coach", "debounce", "goal")


def _state(session) -> dict:
    return {**{k: getattr(session, k) for k in SET_ATTRS}, "pos": session.routine.pos}


class HeldSet:
    """The set in progress when the body moved to another exercise's position, set aside."""

    def __init__(self, session, left: str, since: float):
        self.left = left  # the position its exercise was done in, which the body left
        self.since = since  # the first frame given to the new set
        session._take(session.set.interrupt(), since)  # a rep whose end was waiting counts in the held set
        self._state = {**_state(session), "pending": session.lock.set_aside()}

    @property
    def pos(self) -> int:
        """The held set's exercise, its index in the routine's order."""
        return self._state["pos"]

    def swap(self, session) -> None:
        """Put the held set back in ``session``; the session's set is held instead."""
        state, self._state = self._state, {**_state(session), "pending": None}
        self._state["pending"] = session.lock.set_aside(state.pop("pending"))
        session.routine.go_to(state.pop("pos"))
        for k, v in state.items():
            setattr(session, k, v)


class Provisional:
    """The held set (None: the set on screen is confirmed)."""

    def __init__(self):
        self.held: HeldSet | None = None
        self.at = 0.0  # when the move was made
        self.note: tuple = ("", None)  # why it was made, and the set it started (on screen NOTE_S)

    def message(self, t: float, current) -> str:
        """What the screen says of the last move while ``current``, the set on screen, is the one it
        started (not after a return to the set left or ``n``), for ``NOTE_S``: confirmed or not."""
        text, made = self.note
        return text if made is current and t - self.at < NOTE_S else ""

    def expired(self, t: float) -> bool:
        """Provisional too long: the set left must be written (``PROVISIONAL_MAX_S``)."""
        return self.held is not None and t - self.at >= PROVISIONAL_MAX_S

    def back_to(self) -> tuple[int, str] | None:
        """For ``PositionWatch.decide``: the held set's exercise and the position it was done in."""
        return None if self.held is None else (self.held.pos, self.held.left)

    def release(self) -> HeldSet | None:
        """The held set; nothing is held any more."""
        held, self.held = self.held, None
        return held


class RoutineMoves:
    """``LiveSession``'s moves between exercises (``live --routine``), as ``PositionWatch.decide``
    decides them: a new set provisional until its first rep, or the held set resumed."""

    def follow(self, move: Move | None, image, t: float) -> bool:
        """The watch's decision at ``t`` carried out; a move provisional too long made real
        (``PROVISIONAL_MAX_S``). True: the session moved."""
        if move:
            self.move_to(move, image, t)
            return True
        if self.provisional.expired(t):
            self._confirm()
        return False

    def move_to(self, move: Move, image, t: float) -> None:
        """``live --routine``: go where the watch decided, provisionally (``provisional.py``):
        back to the held set, or to a new set given ``move.frames`` (through ``_count``, with
        this frame's ``image``: the gate reads only its light), at ``t``."""
        if move.back:
            self._resume(t)
            return
        if self.provisional.held is None:
            self.provisional.held = HeldSet(self, move.left, move.frames[0][0] if move.frames else move.since)
            self.provisional.at = t
        # a provisional set left for a third position: dropped (it found no rep)
        self.routine.go_to(move.k)
        self._start_set(say=False)
        if move.counter is not None:  # counted beside the first set: its counted rep confirms the move at once
            self.set = move.counter
        self.provisional.note = (self._unseen_note(move) if move.unseen else "", self.set)
        for tk, pk in move.frames:
            self._count(tk, image, pk)
        # as they came (the first counted locks the side); on one frame as ``_take`` offers them: counted, larger first
        for found in sorted(move.found, key=lambda sr: (sr[1].end_t, not sr[1].counted, -sr[1].rom_deg)):
            self._take([found], t)

    def _unseen_note(self, move: Move) -> str:
        """The session started on an exercise whose position the body never showed: it follows the
        patient, and says so (the title is said with the first rep, as for any move)."""
        where = WHERE.get(self.exercise.postures[0], self.exercise.postures[0])
        return f"You are {where}: {self.exercise.title}. Press n for the next exercise"

    def _resume(self, t: float | None = None) -> bool:
        """The held set back on screen as it was; the provisional one dropped (nothing of it written).
        From ``t`` on: the time it was set aside is not its time analysed (its frames are in no row)."""
        self.provisional.release().swap(self)
        if t is not None and self.set.t0 is not None and self.set.t_last is not None:
            self.set.t0 += t - self.set.t_last
        return True

    def _confirm(self, say: bool = True) -> None:
        """The provisional set found a rep: the held set ends (without the frames given to this one).
        ``say``: the title, unless the set ends at once or is already what the patient sees."""
        held = self.provisional.release()
        held.swap(self)
        self.set.trim(held.since)
        self._end_set(moved=True)
        held.swap(self)
        self.record.renumber(len(self.sets) + 1)  # nothing of it written yet
        say and self._say(self.exercise.title)

    def _settle(self, end: bool = False) -> None:
        """Before a key (``n``, ``r``) or the close-up switch: they act on the exercise on screen,
        so a provisional move to it is made real first (the set left is written). ``end``: the set
        on screen ends (``n``, the session's end): a rep the first set's candidate counted moves it
        first (``PositionWatch.at_end``), or that rep would be in no row."""
        end and self._hand_over()
        if self.provisional.held is not None:
            self._confirm(say=False)

    def _hand_over(self) -> None:
        """The set on screen ends: the first set's candidate's counted rep moves it first (``at_end``)."""
        move = self.watch is not None and self.watch.at_end(self.routine.order, self.routine.pos)
        if move:
            self.move_to(move, None, self.set.t_last or 0.0)

    def _say(self, text: str) -> None:
        self.speaker is not None and self.speaker.say(text)

    def _unless_held(self, found: list) -> list:
        """The reps to record now: a provisional set's first rep (counted or flagged) confirms it."""
        if found and self.provisional.held is not None:
            self._confirm()
        return found

    def _end_held(self, found: list, moved: bool) -> tuple[list, bool]:
        """A provisional set ending (``n``, the session's end): its last reps may confirm it; else
        it is dropped and the held set ends instead (its movement in progress was no rep)."""
        if self.provisional.held is None:
            return found, moved
        if found:  # they confirm it; no title: the set ends at once
            self._confirm(say=False)
            return found, moved
        return [], self._resume()
