"""One person's live session: sets of exercises, counted frame by frame.

A composition of small parts: ``Routine`` (which exercise), ``SideLock`` (which foot, for
``--side auto``), ``SetCounter`` (gate → features → the shared rep engine), ``SetRecord``
(every rep to every sink the moment it is counted, through the ``Recorder``), ``Debounce``
(which message shows), ``goal_text`` and ``overlay_view`` (what to draw); with ``--routine``,
``PositionWatch`` (where the body went) and ``RoutineMoves`` (the move, provisional until a rep). ``step(frame)``
does everything that counts before anything is drawn; no window, camera or clock is
needed, so tests drive it with any frames.
"""
from __future__ import annotations

import time

from tracker.app.live.closeup_counter import CloseupSwitch
from tracker.app.live.goal import FrameRate, goal_text
from tracker.app.live.guide import Debounce, key_action, session_view
from tracker.app.live.plan_routine import PlanCoach, PlanRoutine
from tracker.app.live.position_watch import PositionWatch
from tracker.app.live.provisional import Provisional, RoutineMoves
from tracker.app.live.routine import Routine
from tracker.app.live.set_record import SetRecord
from tracker.exercises import DEFAULT_EXERCISE, get_exercise
from tracker.records import Rep, SetSummary
from tracker.sinks.recorder import Recorder
from tracker.sinks.view import OverlayView

CALIB_S = 1.0  # "keep your foot still" this long sets the rest position
COMPLETE_BANNER_S = 4.0  # the "set complete" banner
ROUTINE_NEXT_S = 4.0  # in a routine, move on this long after the target is reached


class LiveSession(RoutineMoves):
    """``step(frame)`` → OverlayView; ``handle_key``; ``finish()`` closes the current set.
    With ``side='auto'`` both legs are counted until the first counted rep locks its side."""

    def __init__(self, estimator, exercise: str = DEFAULT_EXERCISE, *, side: str = "auto", mode: str = "active",
                 target: int = 10, routine: bool = False, sinks=(), source: str = "camera:0",
                 profile: str = "default", goal_lookup=None, speaker=None, chose_exercise: bool = True,
                 on_rep=None, clock=time.perf_counter, plan=None, view: str = "body"):
        self.estimator, self._mode, self._target = estimator, mode, target  # the plan's, when one is given
        self.recorder = sinks if isinstance(sinks, Recorder) else Recorder(sinks)
        self.source, self.profile, self.goal_lookup = source, profile, goal_lookup
        self.speaker, self.on_rep, self.clock, self.chose_exercise = speaker, on_rep, clock, chose_exercise
        self.routine = PlanRoutine(plan) if plan is not None else Routine(get_exercise(exercise).key, routine)
        self.paused = self.quit = self._finished = False
        self.sets, self.last_timings = [], {}  # sets: SetSummary; timings: stage -> seconds
        self.rate, self.closeup, self.lock = FrameRate(), CloseupSwitch(view, side), None  # closeup: feet filmed close
        self.watch = PositionWatch(self, CALIB_S) if plan is None and routine else None
        self.provisional, self._sinks_s = Provisional(), 0.0  # a move to another exercise not confirmed yet
        self._start_set()

    side = property(lambda self: self.lock.side)  # the tracked side, None while 'auto' has not decided
    routine_done = property(lambda self: self.routine.done)
    count = property(lambda self: self.counter().state.count)

    def counter(self):
        """The counter on screen: the locked side's, else the best-seen leg's."""
        return self.set.counters[self.lock.side or self.set.display_side()]

    def _start_set(self, say: bool = True) -> None:
        self.exercise, self.mode, self.target = self.routine.set_params(self._mode, self._target)
        self.lock = self.closeup.side_lock(self.lock)  # a new one when the close-up takes over; new_set() called
        self.set = self.closeup.set_counter(self, CALIB_S)  # the body's SetCounter, or the close-up's
        self.coach, self.debounce = PlanCoach(self.routine.hold_s, COMPLETE_BANNER_S), Debounce()
        self.record = SetRecord(self.recorder, source=self.source, exercise=self.exercise.key, mode=self.mode,
                                target=self.target, profile=self.profile, plan=self.routine.step,
                                method=self.set.method, number=len(self.sets) + 1)
        self.goal = goal_text(self.goal_lookup, self.profile, self.exercise.key, self.lock.side)
        say and self._say(self.exercise.title)

    def _record(self, rep: Rep, t: float) -> None:
        """Persist one rep in every sink at once (before anything is drawn)."""
        said = self.record.add(rep, self.lock.side or rep.side, t, self.set.method)
        if self.on_rep is not None:
            self.on_rep(self, rep)
        if said:
            self._say(said)

    def _end_set(self, interrupted: bool = False, force: bool = False, moved: bool = False) -> None:
        """Close the current set in every sink; an empty one only when ``force`` (n through exercises
        leaves no empty sets). ``moved``: a movement still open is the change of position, no rep."""
        if self.record.closed:
            return
        found = [] if moved else self.set.finish()
        found, moved = self._end_held(found, moved)
        self._take(found, self.set.t_last or 0.0)
        side = self.lock.side or self.set.display_side()
        for rep in self.lock.release(side):  # low-confidence reps seen before the side was known
            self._record(rep, self.set.t_last or 0.0)
        if self.record.info is None and not force:
            return
        try:
            self.record.close(side, self.set, interrupted)
        finally:  # the set is ended (and reported) even if a sink fails while closing it
            if self.record.summary is not None:
                self.sets.append(self.record.summary)
                self.record.counted and self.routine.mark_done()

    def finish(self, interrupted: bool = False) -> list[SetSummary]:
        """End the session: the current set is written (idempotent)."""
        if not self._finished:
            self._finished = True
            self._hand_over()  # a rep counted beside the first set is written with it, not lost
            self._end_set(interrupted=interrupted, force=not self.sets)
        return self.sets

    def next_exercise(self) -> None:
        self._settle(end=True)
        self._end_set()
        if self.routine.advance():
            self._start_set()
        else:
            self.quit = True
            self._say("Routine complete. Well done!")

    def choose(self, exercise: str) -> None:
        """Start a set of ``exercise`` (the start screen's choice); ``n`` goes on from it."""
        self._end_set()
        self.routine, self.chose_exercise = Routine(get_exercise(exercise).key, self.routine.routine), True
        self._start_set()

    def reset_set(self) -> None:
        """Start the set on screen over: what was counted so far is kept as its own (shorter) set."""
        self._settle()
        self._end_set()
        self._start_set()

    def recalibrate(self) -> None:  # 'c': a rep whose end was waiting is counted, not lost
        self._take(self.set.recalibrate(), self.set.t_last or 0.0)

    def handle_key(self, key) -> None:
        """q / Esc quit, space pause, n next exercise, r reset the set, c recalibrate."""
        action = key_action(key)
        if action == "quit":
            self.quit = True
        elif action == "pause":
            self.paused = not self.paused
        elif action is not None:
            {"next": self.next_exercise, "reset": self.reset_set, "calibrate": self.recalibrate}[action]()

    def step(self, frame) -> OverlayView:
        """Process one frame: everything that counts happens here, before any drawing."""
        self.rate.tick(c0 := self.clock())
        t = float(frame.t)
        pose = self.closeup.pose(self.estimator, frame, on_switch=self.reset_set)  # (no pose in a close-up)
        c1 = self.clock()
        view = session_view(self, t, pose, self._count(t, frame.image, pose))
        c2 = self.clock()
        r, done_at = self.routine, self.record.complete_at
        move = self.watch and self.watch.decide(t, pose, r.order, r.pos, self.provisional.back_to(), frame.image)
        if not self.follow(move, frame.image, t) and r.routine and done_at is not None and t - done_at >= r.wait_s(
                ROUTINE_NEXT_S) and view.stage not in ("lift", "hold", "lower"):
            self.next_exercise()
        self.last_timings = {"pose_s": c1 - c0, "count_s": c2 - c1 - self._sinks_s + self.clock() - c2,
                             "sinks_s": self._sinks_s}
        return view

    def _count(self, t: float, image, pose) -> str | None:
        """One frame counted: the set's counter, its reps to every sink, what the gate saw tallied
        (the problem shown, None: the foot could count)."""
        problem, leg_problems, found = self.set.step(t, image, pose, self.paused)
        c = self.clock()
        self._take(found, t)
        self._sinks_s = self.clock() - c
        problem = problem or leg_problems.get(self.lock.side or self.set.display_side())
        self.set.shown(problem)
        return problem

    def _take(self, found: list, t: float) -> None:
        """Reps the set counter completed: through the side lock to every sink (a provisional
        set confirmed by its first rep first)."""
        for s, rep in self._unless_held(sorted(found, key=lambda sr: (not sr[1].counted, -sr[1].rom_deg))):
            reps, locked = self.lock.offer(s, rep)
            if locked:  # the foot that moves is known: count only it from now on
                self.set.keep(self.lock.side)
                # before this set is stored, or it would be its own goal
                self.goal = goal_text(self.goal_lookup, self.profile, self.exercise.key, self.lock.side)
            for r in reps:
                self._record(r, t)
