"""``live --routine``: the session moves on by itself when the patient visibly starts another
exercise of the routine: a later one, one skipped earlier, or one already done (a repeat).

Why the position: the routine's exercises are done in different positions (the leg crossed,
both feet down, standing). When the body has settled in the first position of another
exercise and in none of the current one's, after it was seen in the current one's (the leg
uncrossed, the patient stood up), the patient may have moved on, so the session goes to that
exercise, provisionally until its set counts a rep (a rest changes the position too:
``provisional.py``); ``n`` still works. The session's first set is the exception: a patient
who starts the program already standing for heel raises or seated for toe raises never shows
the leg crossed of dorsiflexion, where ``live --routine`` starts. The position alone does not
move it (a patient settles feet down, or stands at the camera, before crossing the leg):
the exercise of the position the body settled in is counted beside the first set
(``StartCandidate``), and the session moves there only when that counts a rep (not a flagged
one) done in that position, while the first exercise's position was never seen and no rep of
it found (counted, flagged or in progress, over all its sets: ``r`` starts another);
the new set is that counter, and the screen says why (``unseen``). The watch only decides
(``decide`` → ``Move``); the session makes the move (``LiveSession.move_to``).
Which exercise of that position (``which_exercise``): as ``--exercise auto`` judges it, from the
exercise entries (``postures``, ``view``): the camera view (``recognise.view_fit``) rules out
an exercise another one of that position clearly fits better (the recogniser's own
``MIN_CONFIDENCE``: dorsiflexion, not ab/adduction, for a crossed leg filmed from the side);
of those left, the first in the routine's order from the current one on, going round to its
start (the next exercise first, as before; then one skipped or already done). Nothing else
decides, so going back is no special case. The movement cannot help yet (it has not started),
so two exercises of one position and one view (a 45° oblique view fits neither well) are
told apart by that order only, and two exercises done in one position (dorsiflexion then
ab/adduction) not at all: reaching the target, or ``n``, moves on there. The position is
judged as ``--exercise auto`` judges it (``recognise.body_cues``) over the last ``WINDOW_S``.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from tracker.app.live.set_counter import SetCounter
from tracker.counting.recognise import MIN_CONFIDENCE, body_cues, foot_ratio, view_fit
from tracker.counting.rest import LiveRest
from tracker.exercises import EXERCISES, Exercise
from tracker.pose.landmarks import SIDES
from tracker.signals.features import VISIBLE, leg_features
from tracker.signals.filters import CausalMedian, OneEuro

WINDOW_S = 1.5  # the position is judged over the last this long
SETTLED_S = 1.5  # ... and must have held this long
SHARE = 0.8  # share of the window the body shows that position
EVERY_S = 0.25  # how often it is judged
REPLAY_S = 4.0  # the new set may be given at most this much (the counter's calibration timeout)
CATCH_UP = 5  # a new ``StartCandidate`` counts this many frames a frame until it has caught up


@dataclass(frozen=True)
class Move:
    """What the watch decided: go to ``order[k]``, the body having left position ``left``.
    ``back``: to the set held provisional (``provisional.py``), resumed as it was; else a new
    set, given ``frames`` [(t, pose)]: those since the foot last became still (``still_since``)."""

    k: int
    left: str | None
    back: bool = False
    frames: tuple = ()
    unseen: bool = False  # the set left's position was never seen: the session says why it moved ...
    counter: object = None  # ... and the new set is this counter (``StartCandidate``), ...
    found: tuple = ()  # ... with the reps it found [(side, rep)], ...
    since: float = float("inf")  # ... counting since then


def still_since(frames: list, ex: Exercise, sides, calib_s: float) -> float | None:
    """When the foot last became still in ``frames`` (on ``ex``'s signal, filtered as the
    counter filters it), by the counter's own test (``LiveRest.calibrate``: within twice its
    ``still_deg`` for 0.9 × ``calib_s``); the latest over ``sides`` (each leg starts still);
    None: not seen still that long. Why: the new set learns its rest from there, not from the
    change of position (a fixed 1.5 s held the stand-up when the move was judged early)."""
    if len(frames) < 3:
        return None
    t = np.array([tk for tk, _ in frames])
    px, vis = np.stack([p.pixels for _, p in frames]), np.stack([p.visibility for _, p in frames])
    band, starts = 2 * LiveRest().still_deg, []
    for side in sides:
        f = leg_features(px, vis, side, ex)
        spike, smooth = CausalMedian(3), OneEuro(min_cutoff=1.5, beta=0.1)
        x = [smooth.update(tk, spike.update(v if q >= VISIBLE else np.nan, tk))
             for tk, v, q in zip(t, f.signal, f.quality)]
        run, last = 0, None
        for i in range(len(t)):
            seg = np.asarray(x[run:i + 1])
            if not np.isfinite(x[i]) or np.ptp(seg[np.isfinite(seg)]) > band:
                run = i if np.isfinite(x[i]) else i + 1
            elif t[i] - t[run] >= 0.9 * calib_s:
                last = run
        if last is not None:
            starts.append(float(t[last]))
    return max(starts) if starts else None


def which_exercise(order: list[str], pos: int, where: str, fit: Callable[[str], float]) -> int | None:
    """The index in ``order`` of the exercise the body's new position ``where`` starts: of the
    exercises (other than the current, ``order[pos]``) whose first posture it is, in the
    routine's order from ``pos`` on and round to its start, the first whose view ``fit`` no
    other one beats by ``MIN_CONFIDENCE`` (its fit over both); None: none is done there."""
    n = len(order)
    ks = [(pos + j) % n for j in range(1, n) if EXERCISES[order[(pos + j) % n]].postures[0] == where]
    fits = {k: fit(order[k]) for k in ks}

    def beaten(k: int) -> bool:
        return any(fits[d] > 0 and fits[d] / (fits[k] + fits[d]) >= MIN_CONFIDENCE for d in ks if d != k)

    return next((k for k in ks if not beaten(k)), None)


class StartCandidate:
    """The exercise ``order[k]`` of the position ``posture`` the body settled in while the
    session's first set never showed its own, counted beside it: the same frames through a
    ``SetCounter`` of its own, with the set's hold and mode (``--mode passive``: no leg-travel
    check). Only a counted rep done in that position moves the session (a leg crossed from feet
    down read as a flagged toe raise; standing at the camera, then sitting down, read as a heel
    raise). Why not the position: most sessions start by settling. The frames before it began
    (``frames``, up to ``REPLAY_S``) are stepped ``CATCH_UP`` a frame, not all in one (120 frames at
    30 fps stalled the window 0.5-0.7 s, again at each new candidate)."""

    def __init__(self, k: int, posture: str, ex: Exercise, sides, calib_s: float, since: float, there: float,
                 hold_s: float = 0.0, mode: str = "active", frames: tuple = ()):
        self.k, self.posture, self.since = k, posture, since  # since: its first frame
        self.there = there  # since when the body was judged in ``posture`` when it began
        self.counter = SetCounter(ex, list(sides), calib_s, hold_s, None, mode)
        self.found: list = []  # [(side, rep)]
        self._backlog = deque((t, p, False) for t, p in frames)  # frames not counted yet: (t, pose, paused)
        self._image = None

    def step(self, t: float, image, pose, paused: bool = False, n: int = CATCH_UP) -> None:
        self._backlog.append((t, pose, paused))
        self._image = image
        for _ in range(min(n, len(self._backlog))):
            tk, pk, zk = self._backlog.popleft()
            self.found += self.counter.step(tk, image, pk, zk)[2]

    def drain(self) -> None:
        """Every frame counted (before the counter is handed over)."""
        while self._backlog:
            tk, pk, zk = self._backlog.popleft()
            self.found += self.counter.step(tk, self._image, pk, zk)[2]

    def ready(self, judged_t: float, position: str | None, since: float) -> bool:
        """A counted rep begun after the body was last judged in the position (``since``), the body
        judged there still over a window after it ended (``judged_t``: that window's end): the foot
        lifted while the leg crosses, or in sitting down, is no rep of the position's exercise.
        Reps begun before the body was judged there at all are not handed over (the way there)."""
        self.found = [(s, r) for s, r in self.found if r.start_t >= self.there]
        return position == self.posture and any(r.counted and r.start_t >= since and judged_t - WINDOW_S >= r.end_t
                                                for _, r in self.found)


class FirstSetFollow:
    """``PositionWatch``'s first set, its position never seen (``PositionWatch.unseen``): the
    candidate counted beside it (``StartCandidate``), handed over when it counted a rep there."""

    def _from_start(self, t: float, pose, image, order: list[str], pos: int, k: int | None) -> Move | None:
        """The session's first set, its position never seen (``unseen``): the exercise of the position
        the body is in counted beside it (``StartCandidate``, given the frames since the foot became
        still there, not before the set began); the move once it counted a rep there and the first
        set has no movement in progress (it would be written into the set left)."""
        c = self._cand
        if c is not None and (not self.unseen() or self._pos not in (None, c.posture)):
            c = self._cand = None  # the first exercise's position seen or a rep of it found; or another position
        if c is None:
            if k is None or not self.unseen():
                return None
            if self._recent and self._recent[0][0] <= self._began:  # as a set begun with the first one
                first = Move(k, None, frames=tuple(self._recent))
            else:
                first = self._replay(Move(k, None, unseen=True), order, max(self._since, self._began))
            lock, routine = getattr(self.session, "lock", None), getattr(self.session, "routine", None)
            sides = lock.candidates if lock is not None else SIDES
            c = self._cand = StartCandidate(k, self._pos, EXERCISES[order[k]], sides,
                                            self.calib_s, first.frames[0][0] if first.frames else t, self._since,
                                            getattr(routine, "hold_s", 0.0), getattr(self.session, "mode", "active"),
                                            tuple(f for f in first.frames if f[0] < t))  # this frame is stepped below
        c.step(t, image, pose, bool(getattr(self.session, "paused", False)))  # paused: as the first set
        busy = getattr(getattr(self.session, "set", None), "busy", lambda: False)()
        if busy or not c.ready(self._judged_t, self._pos, self._since):
            return None
        return self._hand_over(order, pos)

    def at_end(self, order: list[str], pos: int) -> Move | None:
        """The session ending (q, Ctrl-C, the clip's end, ``n``) before the move: a counted rep the
        candidate found in its position, the body still there, moves it now (without the window
        after the rep), so that rep is written, not an empty row of the first exercise."""
        c = self._cand
        if c is None:
            return None
        c.drain()
        return self._hand_over(order, pos) if c.ready(float("inf"), self._pos, self._since) else None

    def _hand_over(self, order: list[str], pos: int) -> Move:
        c, self._cand = self._cand, None
        c.drain()
        found = tuple((s, r) for s, r in c.found if r.start_t >= c.there)
        return Move(c.k, EXERCISES[order[pos]].postures[0], unseen=True, counter=c.counter, found=found, since=c.since)

    def follows(self) -> tuple[str, str] | None:
        """(position, exercise) the first set would follow the patient to (``StartCandidate``): the
        candidate's, or while there is none yet, the position the body is judged in now; None: the
        rule cannot act. Why: the first exercise's "Sit down" told a patient standing for heel raises
        to stop doing what the session was about to follow (``guide.problem_text``)."""
        if self._cand is not None:
            return self._cand.posture, self._cand.counter.ex.key
        r = getattr(self.session, "routine", None)
        if r is None or self._pos is None or self._window is None or self._pos in EXERCISES[r.current].postures:
            return None
        k = which_exercise(r.order, r.pos, self._pos, self.view) if self.unseen() else None
        return None if k is None else (self._pos, r.order[k])


class PositionWatch(FirstSetFollow):
    def __init__(self, session, calib_s: float):
        self.session = session  # read only: its side lock (the view is judged on the counted foot)
        self.calib_s = calib_s  # the counter's calibration (``still_since``)
        self._frames: deque = deque()
        self._recent: deque = deque()  # the last REPLAY_S of detected frames, for the new set
        self._pos: str | None = None
        self._since = 0.0
        self._next_t = float("-inf")
        self._seen_in: tuple | None = None  # the set whose position ...
        self._seen = False  # ... the body has been seen settled in
        self._began = 0.0  # ... and when the watch first saw it on ...
        self._first = False  # ... the session's first set, ...
        self._found = False  # ... of which a rep was found (any set at that position: ``r``)
        self._cand: StartCandidate | None = None  # first set: the exercise of the position the body is in
        self._home: str | None = None  # ... and the last such position (a move leaves it)
        self._window: tuple | None = None  # the last judged window's pixels and body cues ...
        self._judged_t = float("-inf")  # ... and its end

    def settled(self, t: float, pose) -> str | None:
        """The position the body has held for ``SETTLED_S`` (standing, seated or crossed), or None."""
        if pose.detected:
            self._frames.append((t, pose))
            self._recent.append((t, pose))
        while self._frames and self._frames[0][0] < t - WINDOW_S:
            self._frames.popleft()
        while self._recent and self._recent[0][0] < t - REPLAY_S:
            self._recent.popleft()
        if t >= self._next_t and len(self._frames) >= 5:
            self._next_t = t + EVERY_S
            px = np.stack([p.pixels[:, :2] for _, p in self._frames])
            cues = body_cues(px)
            self._window, self._judged_t = (px, cues), t
            main = cues.main_posture()
            pos = main if cues.share(main) >= SHARE else None
            if pos != self._pos:
                self._pos, self._since = pos, t
        return self._pos if self._pos is not None and t - self._since >= SETTLED_S else None

    def view(self, exercise: str) -> float:
        """How well the last window fits ``exercise``'s camera view (``recognise.view_fit``), on the
        counted foot, or the mean over both while ``--side auto`` has not decided."""
        px, cues = self._window
        lock = getattr(self.session, "lock", None)
        sides = (lock.side,) if lock is not None and lock.side else SIDES
        camera = EXERCISES[exercise].camera
        return float(np.mean([view_fit(camera, foot_ratio(px, s), cues.shoulders) for s in sides]))

    def later(self, t: float, pose, order: list[str], pos: int, back: tuple[int, str] | None = None) -> int | None:
        """The index in ``order`` of the exercise whose position the body has settled in
        (``which_exercise``: a later one, or one skipped or done before), when that is no position of the
        current one (``order[pos]``) and the body was seen settled in the current one's first (a
        change of position, not a misjudged first look) or, on the session's first set, never seen
        there (``unseen``: then ``decide`` counts that position's exercise first, ``StartCandidate``).
        ``back``: (k, left) while the current set is provisional, moved to from ``order[k]`` done in
        position ``left``: that position again is a return to it (sitting again after standing up
        during eversion: eversion, though heel raises are done seated too; whatever the view)."""
        where = self.settled(t, pose)
        if self._seen_in != (order[pos], pos):  # a new set: not seen yet
            self._first = self._seen_in is None
            self._seen_in, self._seen, self._home, self._began = (order[pos], pos), False, None, t
        if back is not None and where == back[1] and self._seen:
            return back[0]
        if where is None or where in EXERCISES[order[pos]].postures:
            self._seen, self._home = self._seen or where is not None, where or self._home
            return None
        if not self._seen and not self.unseen():
            return None  # a first look, or the patient still on the way to the set's position
        return which_exercise(order, pos, where, self.view)

    def unseen(self) -> bool:
        """The session's first set, its position never seen, and no rep of it found: counted,
        flagged, waiting for the side (``--side auto``) or in progress, in any set at its position
        (``r``, the close-up switch start another). Why: a session started on dorsiflexion (the
        leg crossed) by a patient standing for heel raises never moved on (r02, r04, r06, r10, r12
        from dorsiflexion); a found rep says the patient is doing it, the position misjudged (c002,
        a crossed leg read as seated feet down). Only the first: a set ``n`` or the target started
        told the patient where to go, and the body is still in the position of the set before."""
        if not self._first or self._seen:
            return False
        s = self.session
        record, lock = getattr(s, "record", None), getattr(s, "lock", None)
        self._found = self._found or bool(getattr(s, "sets", None) or (record is not None and record.reps)
                                          or getattr(s, "count", 0)
                                          or any(getattr(lock, "_pending", {}).values()))
        return not self._found

    def decide(self, t: float, pose, order: list[str], pos: int, back: tuple[int, str] | None = None,
               image=None) -> Move | None:
        """Where the session goes at this frame (``later``), or None; the session makes the move
        (``LiveSession.move_to``). The new set is given the frames since the foot last became
        still: it starts where the body settled, not ``SETTLED_S`` later when that is sure; a
        patient who starts at once had lifted the foot by then, and the new set learned its rest
        at the top of the first rep (r07's repeated dorsiflexion counted 0 of 3). Not before the
        window the position was judged on: earlier frames may be the change of position."""
        k = self.later(t, pose, order, pos, back)
        if self._cand is not None or (k is not None and not self._seen):  # never the position alone
            return None if image is None else self._from_start(t, pose, image, order, pos, k)
        if k is None:
            return None
        if back is not None and k == back[0]:
            return Move(k, back[1], back=True)
        return self._replay(Move(k, self._home), order, self._frames[0][0])

    def _replay(self, move: Move, order: list[str], first: float) -> Move:
        """``move`` given the frames since the foot last became still, none before ``first``."""
        lock = getattr(self.session, "lock", None)
        sides = (lock.side,) if lock is not None and lock.side else SIDES
        since = still_since(list(self._recent), EXERCISES[order[move.k]], sides, self.calib_s)
        if since is None and move.unseen:  # in that position since ``first``: counted as if begun then
            since = first
        if since is None:  # never still: the new set calibrates on what comes (its timeout: the movement's low end)
            return move
        # within the window judged in the new position: r08's foot read still from 22.13 s, the move's last 0.5 s
        since = max(since, first)
        return replace(move, frames=tuple(f for f in self._recent if f[0] >= since))
