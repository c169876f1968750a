"""``live --routine``: the session moves on by itself when the patient visibly starts another
exercise of the routine: a later one, one skipped earlier, or one already done (a repeat).

Why the position: the routine's exercises are done in different positions (the leg crossed,
both feet down, standing). When the body has settled in the first position of another
exercise and in none of the current one's, after it was seen in the current one's (the leg
uncrossed, the patient stood up), the patient may have moved on, so the session goes to that
exercise, provisionally until its set counts a rep (a rest changes the position too:
``provisional.py``); ``n`` still works. The watch only decides (``decide`` → ``Move``); the
session makes the move (``LiveSession.move_to``).
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
from dataclasses import dataclass
from typing import Callable

import numpy as np

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


@dataclass(frozen=True)
class Move:
    """What the watch decided: go to ``order[k]``, the body having left position ``left``.
    ``back``: to the set held provisional (``provisional.py``), resumed as it was; else a new
    set, given ``frames`` [(t, pose)]: those since the foot last became still (``still_since``)."""

    k: int
    left: str | None
    back: bool = False
    frames: tuple = ()


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


class PositionWatch:
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
        self._home: str | None = None  # ... and the last such position (a move leaves it)
        self._window: tuple | None = None  # the last judged window's pixels and body cues

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
            self._window = (px, cues)
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
        change of position, not a misjudged first look). ``back``: (k, left) while the current
        set is provisional, moved to from ``order[k]`` done in position ``left``: that position
        again is a return to it (sitting again after standing up during eversion: eversion,
        though heel raises are done seated too; whatever the view)."""
        where = self.settled(t, pose)
        if self._seen_in != (order[pos], pos):
            self._seen_in, self._seen, self._home = (order[pos], pos), False, None  # a new set: not seen yet
        if back is not None and where == back[1] and self._seen:
            return back[0]
        if where is None or where in EXERCISES[order[pos]].postures:
            self._seen, self._home = self._seen or where is not None, where or self._home
            return None
        if not self._seen:
            return None  # the body never showed the current exercise's position: no change seen
        return which_exercise(order, pos, where, self.view)

    def decide(self, t: float, pose, order: list[str], pos: int, back: tuple[int, str] | None = None) -> Move | None:
        """Where the session goes at this frame (``later``), or None; the session makes the move
        (``LiveSession.move_to``). The new set is given the frames since the foot last became
        still: it starts where the body settled, not ``SETTLED_S`` later when that is sure; a
        patient who starts at once had lifted the foot by then, and the new set learned its rest
        at the top of the first rep (r07's repeated dorsiflexion counted 0 of 3). Not before the
        window the position was judged on: earlier frames may be the change of position."""
        k = self.later(t, pose, order, pos, back)
        if k is None:
            return None
        if back is not None and k == back[0]:
            return Move(k, back[1], back=True)
        lock = getattr(self.session, "lock", None)
        sides = (lock.side,) if lock is not None and lock.side else SIDES
        since = still_since(list(self._recent), EXERCISES[order[k]], sides, self.calib_s)
        if since is None:  # never still: the new set calibrates on what comes (its timeout: the movement's low end)
            return Move(k, self._home)
        # within the window judged in the new position: r08's foot read still from 22.13 s, the move's last 0.5 s
        since = max(since, self._frames[0][0])
        return Move(k, self._home, frames=tuple(f for f in self._recent if f[0] >= since))
