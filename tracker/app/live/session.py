"""One person's live session: sets of exercises, counted frame by frame.

A composition of small parts: ``Routine`` (which exercise), ``SideLock`` (which foot, for
``--side auto``), ``SetCounter`` (gate → features → the shared rep engine), ``Recorder``
(every rep to every sink the moment it is counted), ``Debounce`` (which message shows),
and ``overlay_view`` (what to draw). ``step(frame)`` does everything that counts before
anything is drawn; no window, camera or clock is needed, so tests drive it with any frames.
"""
from __future__ import annotations

import time
from collections import deque

from tracker.app.live.guide import Debounce, message_text
from tracker.app.live.routine import Routine
from tracker.app.live.set_counter import SetCounter
from tracker.app.live.side_lock import SideLock
from tracker.exercises import EXERCISES, Exercise, get_exercise
from tracker.records import Rep, SetInfo, SetSummary
from tracker.sinks.recorder import Recorder
from tracker.sinks.view import OverlayView, leg_points, overlay_view

METHOD = "live-hysteresis"
DEFAULT_EXERCISE = "dorsiflexion"
CALIB_S = 1.0  # "keep your foot still" this long sets the rest position
COMPLETE_BANNER_S = 4.0  # the "set complete" banner
ROUTINE_NEXT_S = 4.0  # in a routine, move on this long after the target is reached
KEY_HELP = "space pause | n next exercise | r reset | c recalibrate | f full screen | q quit"


class LiveSession:
    """``step(frame)`` → OverlayView; ``handle_key``; ``finish()`` closes the current set.
    With ``side='auto'`` both legs are counted until the first counted rep locks its side."""

    def __init__(self, estimator, exercise: str = DEFAULT_EXERCISE, *, side: str = "auto", mode: str = "active",
                 target: int = 10, routine: bool = False, sinks=(), source: str = "camera:0",
                 profile: str = "default", goal_lookup=None, speaker=None, chose_exercise: bool = True,
                 on_rep=None, clock=time.perf_counter):
        self.estimator, self.mode, self.target = estimator, mode, target
        self.recorder = sinks if isinstance(sinks, Recorder) else Recorder(sinks)
        self.source, self.profile, self.goal_lookup = source, profile, goal_lookup
        self.speaker, self.on_rep, self.clock, self.chose_exercise = speaker, on_rep, clock, chose_exercise
        self.routine = Routine(get_exercise(exercise).key, routine)
        self.lock = SideLock(None if side == "auto" else side)
        self.paused = self.quit = self._finished = False
        self.sets: list[SetSummary] = []
        self.last_timings: dict[str, float] = {}
        self._walls: deque[float] = deque(maxlen=30)
        self._start_set()

    @property
    def exercise(self) -> Exercise:
        return self.ex

    @property
    def side(self) -> str | None:
        """The tracked side, None while 'auto' has not decided yet."""
        return self.lock.side

    @property
    def routine_done(self) -> bool:
        return self.routine.done

    @property
    def count(self) -> int:
        return self.counter().state.count

    @property
    def fps(self) -> float | None:
        w = self._walls
        return (len(w) - 1) / (w[-1] - w[0]) if len(w) >= 2 and w[-1] > w[0] else None

    def counter(self):
        """The counter on screen: the locked side's, else the best-seen leg's."""
        return self.set.counters[self.lock.side or self.set.display_side()]

    # ---------------------------------------------------------------- sets
    def _start_set(self) -> None:
        self.ex = EXERCISES[self.routine.current]
        self.lock.new_set()
        self.set = SetCounter(self.ex, self.lock.candidates, CALIB_S)
        self.debounce = Debounce()
        self._reps: list[Rep] = []
        self._info: SetInfo | None = None
        self._closed, self._complete_at, self._shown = False, None, None
        self.goal = self._lookup_goal()
        self._say(self.ex.title)

    def _lookup_goal(self) -> str | None:
        if self.goal_lookup is None or self.lock.side is None:
            return None
        try:
            last = self.goal_lookup(self.profile, self.ex.key, self.lock.side)
        except Exception:  # the history is a nicety: never let it stop a session
            return None
        if not last or not last.get("reps_counted"):
            return None
        n, best = last["reps_counted"], last.get("best_rom_deg")
        return f"Goal to beat: {n} rep{'s' if n != 1 else ''}" + (f", best {best:.0f}°" if best else "")

    def _record(self, rep: Rep, t: float) -> None:
        """Persist one rep in every sink at once (before anything is drawn)."""
        if self._info is None:
            self._info = SetInfo(source=self.source, exercise=self.ex.key, side=self.lock.side or rep.side,
                                 mode=self.mode, target=self.target, profile=self.profile, method=METHOD)
            self.recorder.open(self._info)
        self.recorder.add(rep)
        self._reps.append(rep)
        if self.on_rep is not None:
            self.on_rep(self, rep)
        if rep.counted:
            n = sum(r.counted for r in self._reps)
            if n >= self.target and self._complete_at is None:
                self._complete_at = t
                self._say(f"{n}. Set complete. Well done!")
            else:
                self._say(str(n))

    def _end_set(self, interrupted: bool = False, force: bool = False) -> None:
        """Close the current set in every sink. A set with no reps is only recorded when
        ``force`` (so pressing n through exercises leaves no empty sets behind)."""
        if self._closed:
            return
        side = self.lock.side or self.set.display_side()
        for rep in self.lock.release(side):  # low-confidence reps seen before the side was known
            self._record(rep, self.set.t_last or 0.0)
        if self._info is None and not force:
            return
        if self._info is None:
            self._info = SetInfo(source=self.source, exercise=self.ex.key, side=side, mode=self.mode,
                                 target=self.target, profile=self.profile, method=METHOD)
            self.recorder.open(self._info)
        summary = SetSummary.from_reps(self._info, self._reps, float(self.set.elapsed), self.set.tally.frames,
                                       self.set.tally.frames - self.set.tally.detected, self.set.warnings(side))
        self.sets.append(summary)
        self._closed = True
        (self.recorder.abort if interrupted else self.recorder.close)(summary)

    def finish(self, interrupted: bool = False) -> list[SetSummary]:
        """End the session: the current set is written (idempotent)."""
        if not self._finished:
            self._finished = True
            self._end_set(interrupted=interrupted, force=not self.sets)
        return self.sets

    def next_exercise(self) -> None:
        self._end_set()
        if self.routine.advance():
            self._start_set()
        else:
            self.quit = True
            self._say("Routine complete. Well done!")

    def reset_set(self) -> None:
        """Start the set over: what was counted so far is kept as its own (shorter) set."""
        self._end_set()
        self._start_set()

    def recalibrate(self) -> None:
        for c in self.set.counters.values():
            c.recalibrate()

    def handle_key(self, key) -> None:
        """q / Esc quit, space pause, n next exercise, r reset the set, c recalibrate."""
        if isinstance(key, str):
            key = ord(key[0]) if key else -1
        if key is None or key < 0:
            return
        ch = chr(key & 0xFF).lower()
        action = {"q": "quit", "\x1b": "quit", " ": "pause", "n": "next", "r": "reset", "c": "calibrate"}.get(ch)
        if action == "quit":
            self.quit = True
        elif action == "pause":
            self.paused = not self.paused
        elif action is not None:
            {"next": self.next_exercise, "reset": self.reset_set, "calibrate": self.recalibrate}[action]()

    def _say(self, text: str) -> None:
        if self.speaker is not None:
            self.speaker.say(text)

    # ---------------------------------------------------------------- per frame
    def step(self, frame) -> OverlayView:
        """Process one frame: everything that counts happens here, before any drawing."""
        c0 = self.clock()
        self._walls.append(c0)
        t = float(frame.t)
        pose = self.estimator.process(frame)
        c1 = self.clock()
        problem, leg_problems, found = self.set.step(t, frame.image, pose, self.paused)
        c2 = self.clock()
        for s, rep in sorted(found, key=lambda sr: (not sr[1].counted, -sr[1].rom_deg)):
            was = self.lock.side
            for r in self.lock.offer(s, rep):
                if was is None and self.lock.side is not None:
                    self.set.keep(self.lock.side)
                    self.goal = self._lookup_goal()  # before this set is stored, or it would be its own goal
                    was = self.lock.side
                self._record(r, t)
        c3 = self.clock()
        view = self._view(t, pose, problem or leg_problems.get(self.lock.side or self.set.display_side()))
        if (self.routine.routine and self._complete_at is not None and t - self._complete_at >= ROUTINE_NEXT_S
                and view.stage not in ("lift", "hold", "lower")):
            self.next_exercise()
        self.last_timings = {"pose_s": c1 - c0, "count_s": (c2 - c1) + (self.clock() - c3), "sinks_s": c3 - c2}
        return view

    def _view(self, t: float, pose, problem: str | None) -> OverlayView:
        self.set.shown(problem)
        shown = self.debounce.shown(t, problem)
        if shown != self._shown and shown is not None:
            self._say(message_text(shown, self.ex, self.lock.side))
        self._shown = shown
        st = self.counter().state
        complete = self._complete_at is not None and t - self._complete_at < COMPLETE_BANNER_S
        if self.paused:
            message = "Paused: press space to continue"
        elif shown is not None:
            message = message_text(shown, self.ex, self.lock.side)
        else:
            message = "Keep your foot still for a moment" if st.stage == "calibrating" else ""
        hint = KEY_HELP
        if not self.chose_exercise and self.routine.pos == 0 and not self.routine.routine:
            hint = "Another exercise? Press n, or start with --exercise NAME (or --routine)\n" + hint
        side = self.lock.side or self.set.display_side()
        return overlay_view(self.ex, st, t, target=self.target, mode=self.mode, side=self.lock.side or "auto side",
                            stage="paused" if self.paused else ("complete" if complete else None), message=message,
                            leg=leg_points(pose.pixels, pose.visibility, side) if pose.detected else {},
                            fps=self.fps, goal=self.goal, hint=hint, step=self.routine.step_text)
