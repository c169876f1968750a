"""``tracker live``: count a set in front of a webcam, with the overlay and spoken counts.

Why it is built this way:
- the camera is read on its own thread and only the newest frame is processed
  (``LatestFrameReader``), so a slow model drops stale frames instead of lagging behind;
- ``LiveSession.step(frame)`` does everything that counts (pose, gating, counter, sinks)
  and returns an ``OverlayView``; drawing happens after, inside a guard, so a drawing bug
  can never lose a rep that was already counted and saved;
- every rep goes to the sinks the moment it completes (CSV rows are flushed, history rows
  committed); quit, Ctrl-C, SIGTERM, end of file and camera loss all pass through
  ``LiveSession.finish`` which writes the set's summary;
- a video file can stand in for the camera through exactly the same loop (played at real
  time, or every frame as fast as possible with ``--fast``), which is how it is tested.
"""
from __future__ import annotations

import argparse
import math
import os
import queue
import sys
import threading
import time
from collections import deque

import numpy as np

from tracker.capture import Frame, FrameSource, LatestFrameReader
from tracker.errors import EXIT_INTERRUPTED, RuntimeFailure, UsageError
from tracker.exercises import EXERCISES, ROUTINE, Exercise, check_mode, check_side, get_exercise
from tracker.kinematics import (MAX_UPRIGHT_TILT, SIGNALS, VISIBLE, leg_features, shank_length, torso_tilt_deg,
                                view_ratio_ok)
from tracker.landmarks import LEFT_HIP, LEG, RIGHT_HIP, SIDES, other_side
from tracker.overlay import OverlayView, draw_overlay
from tracker.records import Rep, SetInfo, SetSummary
from tracker.reps import LiveCounter

METHOD = "live-hysteresis"
DEFAULT_EXERCISE = "dorsiflexion"
CALIB_S = 1.0  # "keep your foot still" this long sets the rest position
GUIDE_DELAY_S = 0.6  # a problem must last this long before its message shows (no flicker)
GUIDE_HOLD_S = 0.8  # and a shown message stays at least this long after it is fixed
COMPLETE_BANNER_S = 4.0  # the "set complete" banner
ROUTINE_NEXT_S = 4.0  # in a routine, move on this long after the target is reached
FLASH_S = 0.8  # the count box lights up this long after a counted rep
MIN_BRIGHTNESS = 40.0  # mean grey level (0-255) below which the picture is too dark
MIN_SHANK_PX = 28.0  # shank shorter than this in pixels: too far for the foot's landmarks
SCALE_FRAMES = 45  # running median of the shank length (the live ``scale``)
VIEW_FRAMES = 60  # running median of foot/shank ratio for the camera-view check
VIEW_MIN_FRAMES = 20
STILL_WINDOW_S = 0.6  # hip movement is judged over this window
CAMERA_STALL_S = 5.0  # a camera that sends nothing for this long is lost
END_HOLD_S = 3.0  # window mode: the final view stays up this long at the end of a file
WINDOW_TITLE = "footdrop tracker"
KEY_HELP = "space pause | n next exercise | r reset | c recalibrate | f full screen | q quit"

MESSAGES = {
    "dark": "It is too dark: turn on a light or open the curtains",
    "no_person": "Sit where the camera can see you, with your legs and feet in the picture",
    "lying": "Sit up or stand: this exercise is done seated or standing",
    "moving": "Settle in your place and hold still for a moment",
    "far": "Come closer to the camera: your legs look too small",
    "feet_out": "Your feet are out of the picture: move back or point the camera lower",
    "foot_hidden": "The camera cannot see your {foot} clearly: move so nothing covers it",
    "wrong_view": "Turn sideways to the camera: {title} needs a side view",
}


# ------------------------------------------------------------------ guidance (causal gating)

class Guide:
    """Causal versions of the offline gating, each failure a plain-language problem.

    ``person_problem`` and ``leg_problem`` judge one frame (counting pauses on that frame);
    ``shown`` debounces which problem is on screen so one bad frame does not flash text.
    Also keeps the running shank length that normalises the live features (``scale``).
    """

    def __init__(self, ex: Exercise):
        self.ex = ex
        self._shank = {s: deque(maxlen=SCALE_FRAMES) for s in SIDES}
        self._ratio = {s: deque(maxlen=VIEW_FRAMES) for s in SIDES}
        self._hips: deque[tuple[float, float]] = deque()
        self._pending: str | None = None
        self._pending_since = 0.0
        self._shown: str | None = None
        self._last_seen = -math.inf

    def scale(self, side: str) -> float:
        d = self._shank[side]
        return float(np.median(d)) if d else float("nan")

    def view_ok(self, side: str) -> bool:
        d = self._ratio[side]
        return len(d) < VIEW_MIN_FRAMES or view_ratio_ok(self.ex, float(np.median(d)))

    def person_problem(self, t: float, image: np.ndarray, pose) -> str | None:
        if float(image[::8, ::8].mean()) < MIN_BRIGHTNESS:
            return "dark"
        if not pose.detected:
            self._hips.clear()
            return "no_person"
        px, vis = pose.pixels, pose.visibility
        for s in SIDES:
            leg = LEG[s]
            if min(vis[leg["knee"]], vis[leg["ankle"]]) >= VISIBLE:
                length = float(shank_length(px[None], s)[0])
                if math.isfinite(length) and length > 1:
                    self._shank[s].append(length)
        if self.ex.upright:
            tilt = float(torso_tilt_deg(px[None])[0])
            if math.isfinite(tilt) and tilt > MAX_UPRIGHT_TILT:
                return "lying"
        return "moving" if self._moving(t, px) else None

    def _moving(self, t: float, px: np.ndarray) -> bool:
        """Hips travelling sideways faster than the offline gate allows (walking in or out)."""
        from tracker.analysis import MAX_HIP_SPEED

        hip_x = float(0.5 * (px[LEFT_HIP, 0] + px[RIGHT_HIP, 0]))
        if not math.isfinite(hip_x):
            return False
        self._hips.append((t, hip_x))
        while self._hips and t - self._hips[0][0] > STILL_WINDOW_S:
            self._hips.popleft()
        scale = np.nanmax([self.scale(s) for s in SIDES]) if any(self._shank[s] for s in SIDES) else np.nan
        if len(self._hips) < 6 or not math.isfinite(scale):
            return False
        third = len(self._hips) // 3
        a, b = list(self._hips)[:third], list(self._hips)[-third:]
        dt = np.mean([p[0] for p in b]) - np.mean([p[0] for p in a])
        dx = np.median([p[1] for p in b]) - np.median([p[1] for p in a])
        return dt > 0 and abs(dx) / dt / scale > MAX_HIP_SPEED

    def leg_problem(self, side: str, quality: float, foot_ratio: float, px: np.ndarray, w: int, h: int) -> str | None:
        leg = LEG[side]
        foot = px[[leg["ankle"], leg["heel"], leg["toe"]]]
        if not np.isfinite(foot).all():
            return "foot_hidden"
        if (foot[:, 1] > 1.01 * h).any() or (foot[:, 0] < -0.01 * w).any() or (foot[:, 0] > 1.01 * w).any():
            return "feet_out"
        scale = self.scale(side)
        if math.isfinite(scale) and scale < MIN_SHANK_PX:
            return "far"
        if quality < VISIBLE:
            return "foot_hidden"
        if math.isfinite(foot_ratio):
            self._ratio[side].append(foot_ratio)
        return None if self.view_ok(side) else "wrong_view"

    def shown(self, t: float, problem: str | None) -> str | None:
        """The problem to show: one that has lasted GUIDE_DELAY_S, kept GUIDE_HOLD_S after."""
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


def message_text(problem: str, ex: Exercise, side: str | None) -> str:
    foot = f"{side} foot" if side else "feet"
    return MESSAGES[problem].format(foot=foot, title=ex.title.lower())


# ------------------------------------------------------------------ spoken counts

class Speaker:
    """Says counts and guidance aloud on a background thread (pyttsx3 blocks while talking).

    Optional: ``create`` returns None, after one clear line, when pyttsx3 or a speech
    engine is missing; counting never depends on it.
    """

    def __init__(self, engine_factory):
        self._q: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, args=(engine_factory,), name="speaker", daemon=True)
        self._thread.start()

    @classmethod
    def create(cls, log=print) -> "Speaker | None":
        try:
            import pyttsx3
        except ImportError:
            log("tracker: --speak needs the pyttsx3 package (pip install pyttsx3; on Linux also "
                "apt install espeak-ng); continuing without speech")
            return None
        sp = cls(pyttsx3.init)
        sp._ready.wait(10.0)
        if sp.error:
            log(f"tracker: speech is not available ({sp.error}); on Linux install espeak-ng; "
                "continuing without speech")
            return None
        return sp

    def _run(self, engine_factory) -> None:
        try:
            engine = engine_factory()
        except Exception as exc:  # no speech engine on this machine
            self.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self._ready.set()
            return
        self._ready.set()
        while True:
            text = self._q.get()
            if text is None:
                return
            try:
                engine.say(text)
                engine.runAndWait()
            except Exception:
                return

    def say(self, text: str) -> None:
        while self._q.qsize() > 1:  # talking lags: drop stale words, keep the newest
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        self._q.put(text)

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=2.0)


# ------------------------------------------------------------------ the session

class LiveSession:
    """One person's live session: sets of exercises, counted frame by frame.

    ``step(frame)`` runs pose → gating → counter → sinks and returns what to draw;
    ``handle_key(key)`` applies a key press; ``finish()`` closes the current set. No window,
    camera or clock is needed, so tests drive it with any frames and keys.

    With ``side='auto'`` both legs are counted until the first counted rep, whose leg then
    becomes the tracked side for the rest of the session (the foot that moves).
    """

    def __init__(self, estimator, exercise: str = DEFAULT_EXERCISE, *, side: str = "auto", mode: str = "active",
                 target: int = 10, routine: bool = False, sinks=(), source: str = "camera:0",
                 profile: str = "default", goal_lookup=None, speaker: Speaker | None = None,
                 chose_exercise: bool = True, on_rep=None, clock=time.perf_counter):
        self.estimator = estimator
        self.mode, self.target, self.routine = mode, target, routine
        self.sinks = list(sinks)
        self.source, self.profile = source, profile
        self.goal_lookup, self.speaker, self.on_rep, self.clock = goal_lookup, speaker, on_rep, clock
        self.chose_exercise = chose_exercise
        first = get_exercise(exercise).key
        if routine:
            order = list(ROUTINE)
            self._order = order[order.index(first):] if first in order else order
        else:  # n cycles through every exercise, starting from the chosen one
            keys = list(EXERCISES)
            k = keys.index(first)
            self._order = keys[k:] + keys[:k]
        self._pos = 0
        self.locked_side: str | None = None if side == "auto" else side
        self.paused = False
        self.quit = False
        self.routine_done = False
        self.sets: list[SetSummary] = []
        self.last_timings: dict[str, float] = {}
        self._walls: deque[float] = deque(maxlen=30)
        self._finished = False
        self._start_set(self._order[0])

    # ---------------------------------------------------------------- properties
    @property
    def exercise(self) -> Exercise:
        return self.ex

    @property
    def count(self) -> int:
        return self._display_counter().state.count

    @property
    def fps(self) -> float | None:
        w = self._walls
        if len(w) < 2 or w[-1] <= w[0]:
            return None
        return (len(w) - 1) / (w[-1] - w[0])

    @property
    def side(self) -> str | None:
        """The tracked side, None while 'auto' has not decided yet."""
        return self.locked_side

    # ---------------------------------------------------------------- sets
    def _start_set(self, key: str) -> None:
        self.ex = EXERCISES[key]
        sides = [self.locked_side] if self.locked_side else list(SIDES)
        self._counters = {s: LiveCounter(self.ex, s, calib_s=CALIB_S) for s in sides}
        self._pending: dict[str, list[Rep]] = {s: [] for s in sides}
        self._quality = {s: 0.0 for s in sides}
        self._guide = Guide(self.ex)
        self._reps: list[Rep] = []
        self._info: SetInfo | None = None
        self._closed = False
        self._frames = self._no_person = self._foot_ok = self._wrong_view = 0
        self._t0: float | None = None
        self._t_last: float | None = None
        self._complete_at: float | None = None
        self._last_count_t = -math.inf
        self._shown: str | None = None
        self.goal = self._lookup_goal()
        self._say(self.ex.title)

    def _lookup_goal(self) -> str | None:
        side = self.locked_side
        if self.goal_lookup is None or side is None:
            return None
        try:
            last = self.goal_lookup(self.profile, self.ex.key, side)
        except Exception:  # the history is a nicety: never let it stop a session
            return None
        if not last or not last.get("reps_counted"):
            return None
        best = last.get("best_rom_deg")
        n = last["reps_counted"]
        return f"Goal to beat: {n} rep{'s' if n != 1 else ''}" + (f", best {best:.0f}°" if best else "")

    def _open(self, side: str) -> SetInfo:
        if self._info is None:
            self._info = SetInfo(source=self.source, exercise=self.ex.key, side=side, mode=self.mode,
                                 target=self.target, profile=self.profile, method=METHOD)
            for sink in self.sinks:
                sink.open(self._info)
        return self._info

    def _emit(self, rep: Rep, t: float) -> None:
        """Persist one rep in every sink at once (before anything is drawn)."""
        self._open(self.locked_side or rep.side)
        for sink in self.sinks:
            sink.add(rep)
        self._reps.append(rep)
        if self.on_rep is not None:
            self.on_rep(self, rep)
        if rep.counted:
            self._last_count_t = t
            n = sum(r.counted for r in self._reps)
            if n >= self.target and self._complete_at is None:
                self._complete_at = t
                self._say(f"{n}. Set complete. Well done!")
            else:
                self._say(str(n))

    def _lock(self, side: str, t: float) -> None:
        self.locked_side = side
        self._counters = {side: self._counters[side]}
        pending, self._pending = self._pending.get(side, []), {side: []}
        self._quality = {side: self._quality.get(side, 0.0)}
        self.goal = self._lookup_goal()  # before this set is stored, or it would be its own goal
        for rep in pending:
            self._emit(rep, t)

    def _end_set(self, interrupted: bool = False, force: bool = False) -> SetSummary | None:
        """Close the current set in every sink. A set with no reps is only recorded when
        ``force`` (so pressing n through exercises leaves no empty sets behind)."""
        if self._closed:
            return None
        side = self.locked_side or self._display_side()
        if self.locked_side is None:  # low-confidence reps seen before the side was known
            for rep in self._pending.get(side, []):
                self._emit(rep, self._t_last or 0.0)
            self._pending = {s: [] for s in self._pending}
        if self._info is None and not self._reps and not force:
            return None
        info = self._open(side)
        warnings = []
        if self._frames and self._foot_ok < 0.5 * self._frames:
            warnings.append(f"the {side} foot was clearly visible in only {100 * self._foot_ok / self._frames:.0f}% "
                            "of frames")
        if self._frames and self._wrong_view > 0.3 * self._frames:
            warnings.append(f"wrong camera view: film {self.ex.title.lower()} from the side")
        elapsed = (self._t_last - self._t0) if self._t0 is not None and self._t_last is not None else 0.0
        summary = SetSummary.from_reps(info, self._reps, float(elapsed), self._frames, self._no_person,
                                       tuple(warnings))
        errors = []
        for sink in self.sinks:
            try:
                abort = getattr(sink, "abort", None)
                if interrupted and abort is not None:
                    abort()  # the history marks the set interrupted; its reps are kept
                else:
                    sink.close(summary)
            except Exception as exc:  # close the other sinks before reporting
                errors.append(exc)
        self.sets.append(summary)
        self._info = None
        self._closed = True
        if errors:
            raise errors[0]
        return summary

    def finish(self, interrupted: bool = False) -> list[SetSummary]:
        """End the session: the current set is written (idempotent)."""
        if not self._finished:
            self._finished = True
            self._end_set(interrupted=interrupted, force=not self.sets)
        return self.sets

    def next_exercise(self) -> None:
        self._end_set()
        self._pos += 1
        if self._pos >= len(self._order):
            if self.routine:
                self.routine_done = self.quit = True
                self._say("Routine complete. Well done!")
                return
            self._pos = 0
        self._start_set(self._order[self._pos])

    def reset_set(self) -> None:
        """Start the set over: what was counted so far is kept as its own (shorter) set."""
        self._end_set()
        self._start_set(self.ex.key)

    def recalibrate(self) -> None:
        for c in self._counters.values():
            c.recalibrate()

    # ---------------------------------------------------------------- keys
    def handle_key(self, key) -> None:
        """q / Esc quit, space pause, n next exercise, r reset the set, c recalibrate."""
        if key is None:
            return
        if isinstance(key, str):
            key = ord(key[0]) if key else -1
        if key < 0:
            return
        ch = chr(key & 0xFF).lower()
        if ch == "q" or key & 0xFF == 27:
            self.quit = True
        elif ch == " ":
            self.paused = not self.paused
        elif ch == "n":
            self.next_exercise()
        elif ch == "r":
            self.reset_set()
        elif ch == "c":
            self.recalibrate()

    # ---------------------------------------------------------------- per frame
    def _display_side(self) -> str:
        if self.locked_side:
            return self.locked_side
        return max(self._counters, key=lambda s: self._quality.get(s, 0.0))

    def _display_counter(self) -> LiveCounter:
        return self._counters[self._display_side()]

    def _say(self, text: str) -> None:
        if self.speaker is not None:
            self.speaker.say(text)

    def step(self, frame: Frame) -> OverlayView:
        """Process one frame: everything that counts happens here, before any drawing."""
        c0 = self.clock()
        self._walls.append(c0)
        t = float(frame.t)
        if self._t0 is None:
            self._t0 = t
        self._t_last = t
        self._frames += 1
        pose = self.estimator.process(frame)
        c1 = self.clock()
        h, w = frame.image.shape[:2]
        guide = self._guide
        problem = guide.person_problem(t, frame.image, pose)
        if not pose.detected:
            self._no_person += 1
        px, vis = pose.pixels, pose.visibility
        leg_problems: dict[str, str | None] = {}
        found: list[tuple[str, Rep]] = []
        sink_s = 0.0
        for s, counter in self._counters.items():
            if pose.detected:
                f = leg_features(px[None], vis[None], s, self.ex, scale=np.array([guide.scale(s)]))
                o = other_side(s)
                other_sig = SIGNALS[self.ex.signal](px[None], o, np.array([guide.scale(o)]))[0]
                q = float(f.quality[0])
                leg_problems[s] = guide.leg_problem(s, q, float(f.foot_ratio[0]), px, w, h)
                self._quality[s] = 0.8 * self._quality[s] + 0.2 * q
                args = (float(f.signal[0]), q, not self.paused and problem is None and leg_problems[s] is None,
                        float(f.shank_deg[0]), float(f.heel_y[0]), float(f.hand_dist[0]),
                        float(f.other_foot_dist[0]), float(other_sig))
            else:
                self._quality[s] *= 0.8
                args = (math.nan, 0.0, False, math.nan, math.nan, math.nan, math.nan, math.nan)
            rep = counter.update(t, *args, view_ok=guide.view_ok(s))
            if rep is not None:
                found.append((s, rep))
        c2 = self.clock()
        for s, rep in sorted(found, key=lambda sr: (not sr[1].counted, -sr[1].rom_deg)):
            if self.locked_side is None:
                self._pending[s].append(rep)
                if rep.counted:
                    self._lock(s, t)
            elif s == self.locked_side:
                self._emit(rep, t)
        c3 = self.clock()
        sink_s = c3 - c2
        side = self._display_side()
        shown_problem = problem or leg_problems.get(side)
        if shown_problem is None:
            self._foot_ok += 1
        if shown_problem == "wrong_view":
            self._wrong_view += 1
        shown = guide.shown(t, shown_problem)
        if shown != self._shown and shown is not None:
            self._say(message_text(shown, self.ex, self.locked_side))
        self._shown = shown
        view = self._view(t, side, px if pose.detected else None, vis, shown)
        if (self.routine and self._complete_at is not None and t - self._complete_at >= ROUTINE_NEXT_S
                and view.stage not in ("lift", "hold", "lower")):
            self.next_exercise()
        self.last_timings = {"pose_s": c1 - c0, "count_s": (c2 - c1) + (self.clock() - c3), "sinks_s": sink_s}
        return view

    def _view(self, t: float, side: str, px, vis, shown: str | None) -> OverlayView:
        c = self._counters[side]
        st = c.state
        complete = self._complete_at is not None and t - self._complete_at < COMPLETE_BANNER_S
        stage = "paused" if self.paused else ("complete" if complete else st.stage)
        if self.paused:
            message = "Paused: press space to continue"
        elif shown is not None:
            message = message_text(shown, self.ex, self.locked_side)
        elif st.stage == "calibrating":
            message = "Keep your foot still for a moment"
        else:
            message = ""
        leg = {}
        if px is not None:
            for name, k in LEG[side].items():
                ok = math.isfinite(float(px[k, 0])) and float(vis[k]) >= VISIBLE
                leg[name] = (float(px[k, 0]), float(px[k, 1])) if ok else None
        last = st.last_rep
        hint = KEY_HELP
        if not self.chose_exercise and self._pos == 0 and not self.routine:
            hint = "Another exercise? Press n, or start with --exercise NAME (or --routine)\n" + hint
        return OverlayView(
            title=self.ex.title, cue=self.ex.cue, count=st.count, target=self.target,
            low_confidence=st.low_confidence, angle_deg=st.angle_deg, rest_deg=st.rest_deg,
            best_deg=st.best_deg, range_deg=st.range_deg, stage=stage, message=message, mode=self.mode,
            side=self.locked_side or "auto side", leg=leg, fps=self.fps,
            approximate=self.ex.approximate, last_rep_low_confidence=bool(last and not last.counted),
            last_rep_assisted=bool(last and last.assisted), last_rep_note=last.note if last else "",
            goal=self.goal, hint=hint, flash=max(0.0, 1.0 - (t - self._last_count_t) / FLASH_S),
            step=f"exercise {self._pos + 1} of {len(self._order)}" if self.routine else "",
        )


# ------------------------------------------------------------------ frames in, pictures out

class Feed:
    """Frames for the loop: the newest one (camera, or a file paced at real time) or, with
    ``realtime=False``, every frame of a file in order, as fast as the loop can go."""

    def __init__(self, source: FrameSource, realtime: bool = True):
        self.source = source
        self.ended = False
        self.reader = LatestFrameReader(source, pace=source.info.kind != "camera") if realtime else None
        self._it = None if realtime else iter(source)

    def read(self, timeout: float = 0.5) -> Frame | None:
        if self.reader is None:
            try:
                return next(self._it)
            except StopIteration:
                self.ended = True
                return None
        frame = self.reader.read(timeout)
        if frame is None and self.reader.ended:
            self.ended = True
            err = self.reader.error
            if isinstance(err, KeyboardInterrupt):
                raise err  # Ctrl-C raised on the grabber thread: same path as in the loop
            if err is not None:
                raise RuntimeFailure(f"reading {self.source.info.name} failed: {err}")
        return frame

    @property
    def dropped(self) -> int:
        return self.reader.dropped if self.reader is not None else 0

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        else:
            self.source.close()


class Screen:
    """Where overlay frames go: an OpenCV window, a video file, both or neither (headless)."""

    def __init__(self, window: bool = False, video: str | os.PathLike | None = None, fps: float = 30.0,
                 title: str = WINDOW_TITLE):
        self.window, self.video, self.fps, self.title = window, video, fps, title
        self._writer = None
        self._opened = False
        self._full = False
        self.last: np.ndarray | None = None

    def show(self, img: np.ndarray) -> int:
        """Display/write one frame; returns the key pressed (or -1)."""
        import cv2

        self.last = img
        if self.video is not None:
            if self._writer is None:
                h, w = img.shape[:2]
                self._writer = cv2.VideoWriter(str(self.video), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
                if not self._writer.isOpened():
                    raise RuntimeFailure(f"cannot write video {self.video}; choose a .mp4 path in a writable folder")
            self._writer.write(img)
        if not self.window:
            return -1
        if not self._opened:
            try:
                cv2.namedWindow(self.title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
                cv2.resizeWindow(self.title, img.shape[1], img.shape[0])
            except cv2.error as exc:
                raise RuntimeFailure(f"cannot open a window ({str(exc).strip().splitlines()[-1][:80]}); "
                                     "run with --headless (and --write-video out.mp4)") from exc
            self._opened = True
        cv2.imshow(self.title, img)
        return self.poll()

    def poll(self, wait_ms: int = 1) -> int:
        import cv2

        if not self._opened:
            return -1
        key = cv2.waitKey(wait_ms)
        try:
            if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
                return ord("q")  # the window was closed: same as quitting
        except cv2.error:
            return ord("q")
        return key

    def toggle_fullscreen(self) -> None:
        import cv2

        if self._opened:
            self._full = not self._full
            cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN,
                                  cv2.WINDOW_FULLSCREEN if self._full else cv2.WINDOW_NORMAL)

    def hold(self, seconds: float) -> None:
        """Keep the final view on screen for ``seconds`` or until a key is pressed."""
        end = time.monotonic() + seconds
        try:
            while self._opened and time.monotonic() < end:
                if self.poll(50) >= 0:
                    break
        except KeyboardInterrupt:  # everything is saved already: Ctrl-C just closes the window
            pass

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._opened:
            import cv2

            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
            self._opened = False


_draw_failed = False


def safe_draw(image: np.ndarray, view: OverlayView) -> np.ndarray:
    """The overlay, or the plain frame if drawing fails: counting and saving go on."""
    global _draw_failed
    try:
        return draw_overlay(image, view)
    except Exception as exc:
        if not _draw_failed:
            _draw_failed = True
            print(f"tracker: the overlay could not be drawn ({type(exc).__name__}: {exc}); counting and saving "
                  "continue (please report this)", file=sys.stderr)
        return image


def run_loop(session: LiveSession, feed: Feed, screen: Screen, on_frame=None, clock=time.perf_counter) -> str:
    """Frames → session → overlay → screen until quit. Returns why it stopped:
    'quit' (key), 'done' (routine finished), 'ended' (end of file) or 'lost' (camera)."""
    last_frame = clock()
    while True:
        frame = feed.read(timeout=0.5)
        if frame is None:
            if feed.ended:
                return "lost" if feed.source.info.kind == "camera" else "ended"
            if clock() - last_frame > CAMERA_STALL_S:
                return "lost"
            session.handle_key(screen.poll())
            if session.quit:
                return "done" if session.routine_done else "quit"
            continue
        last_frame = clock()
        view = session.step(frame)
        c0 = clock()
        img = safe_draw(frame.image, view)
        c1 = clock()
        key = screen.show(img)
        c2 = clock()
        if on_frame is not None:
            on_frame(frame, dict(session.last_timings, draw_s=c1 - c0, show_s=c2 - c1, ready=c1))
        if key >= 0 and chr(key & 0xFF).lower() == "f":
            screen.toggle_fullscreen()
        else:
            session.handle_key(key)
        if session.quit:
            return "done" if session.routine_done else "quit"


def run_session(session: LiveSession, source: FrameSource, screen: Screen, realtime: bool = True,
                on_frame=None) -> str:
    """Run the loop and ALWAYS finish the session (write the summary), whatever ends it.

    Returns the end reason; KeyboardInterrupt and errors are re-raised after saving, camera
    loss becomes a RuntimeFailure after saving.
    """
    feed = Feed(source, realtime)
    try:
        reason = run_loop(session, feed, screen, on_frame)
    except BaseException:
        try:
            session.finish(interrupted=True)
        finally:
            feed.close()
        raise
    feed.close()
    if reason == "lost":
        session.finish(interrupted=True)
        n = sum(s.reps_counted for s in session.sets)
        raise RuntimeFailure(f"the camera stopped sending pictures (unplugged, or taken by another program?); "
                             f"the {n} reps counted are saved")
    session.finish()
    return reason


# ------------------------------------------------------------------ command line

def _require_display() -> None:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError("no screen to show the live window on (DISPLAY is not set); run with --headless, "
                         "and --write-video out.mp4 to keep the overlay")


def _build_sinks(args) -> tuple[list, object]:
    """CSV sinks as asked, plus the history (if that module is installed and not disabled)."""
    from tracker.batch import build_sinks

    sinks = build_sinks(args)  # the same CSV, summary and history sinks as `analyze`
    goal = None
    if not args.no_history:
        try:
            from tracker.history import last_session
        except ImportError:
            last_session = None
        if last_session is not None:
            def goal(profile, exercise, side, _db=args.db):
                return last_session(profile, exercise, side, db=_db)
    return sinks, goal


def _set_line(s: SetSummary) -> str:
    ex = EXERCISES[s.info.exercise]
    parts = [f"{ex.title}, {s.info.side}: {s.reps_counted} of {s.info.target} reps"]
    if s.reps_low_confidence:
        parts.append(f"{s.reps_low_confidence} low-confidence")
    if s.mean_rom_deg is not None:
        parts.append(f"mean range {s.mean_rom_deg:.0f} deg, best {s.best_rom_deg:.0f} deg")
    line = "; ".join(parts)
    for w in s.warnings:
        line += f"\n  warning: {w}"
    return line


def run_live(args) -> int:
    from tracker.capture import open_source
    from tracker.outputs import check_output_path
    from tracker.pose import PoseEstimator

    exercise = get_exercise(args.exercise).key if args.exercise else DEFAULT_EXERCISE
    side, mode = check_side(args.side), check_mode(args.mode)
    if args.target < 1:
        raise UsageError("--target must be at least 1")
    for opt in ("csv", "summary", "write_video"):
        if getattr(args, opt):
            check_output_path(getattr(args, opt), force=args.force)
    if not args.headless:
        _require_display()
    speaker = Speaker.create(log=lambda m: print(m, file=sys.stderr)) if args.speak else None
    source = open_source(args.camera)
    sinks: list = []
    screen = None
    try:
        estimator = PoseEstimator(args.model)
        sinks, goal = _build_sinks(args)
        realtime = not args.fast or source.info.kind == "camera"
        on_rep = None
        if args.headless:
            def on_rep(sess, rep):
                print(f"{'rep' if rep.counted else 'low-confidence rep'} {rep.index}/{sess.target}: "
                      f"{rep.rom_deg:.0f} deg{' (' + rep.note + ')' if rep.note else ''}", flush=True)
        session = LiveSession(estimator, exercise, side=side, mode=mode, target=args.target, routine=args.routine,
                              sinks=sinks, source=source.info.name, profile=args.profile, goal_lookup=goal,
                              speaker=speaker, chose_exercise=bool(args.exercise or args.routine), on_rep=on_rep)
        screen = Screen(window=not args.headless, video=args.write_video, fps=source.info.fps)
        try:
            reason = run_session(session, source, screen, realtime=realtime)
        except KeyboardInterrupt:
            n = sum(s.reps_counted for s in session.sets)
            where = f" in {args.csv}" if args.csv else ""
            print(f"tracker: interrupted; the {n} reps counted are saved{where}", file=sys.stderr)
            return EXIT_INTERRUPTED
        for s in session.sets:
            print(_set_line(s))
        saved = [p for p in (args.csv, args.summary, args.write_video) if p]
        if any(type(k).__name__ == "HistorySink" for k in sinks):
            saved.append("the history")
        if saved:
            print(f"saved: {', '.join(str(p) for p in saved)}")
        if reason == "ended" and not args.headless:
            screen.hold(getattr(args, "end_hold", END_HOLD_S))
        return 0
    finally:
        if screen is not None:
            screen.close()
        for s in sinks:
            rel = getattr(s, "release", None)
            if rel is not None:
                rel()
        if speaker is not None:
            speaker.close()
        source.close()


def register_cli(sub) -> None:
    from tracker.cli import _add_model_options

    p = sub.add_parser(
        "live", help="count a set live in front of a webcam (or a video standing in for one)",
        description="Shows the camera picture with the count, the ankle angle and guidance, and saves each "
                    "rep as it is counted. Keys: " + KEY_HELP + " (Esc also quits).")
    p.add_argument("--exercise", "-e", help=f"one of: {', '.join(EXERCISES)} (default {DEFAULT_EXERCISE}; "
                                            "press n to change it while running)")
    p.add_argument("--side", default="auto", help="affected side: auto (the foot that moves) | left | right")
    p.add_argument("--camera", default="0", help="camera number (0, 1, ...) or a video file to play as the camera")
    p.add_argument("--target", type=int, default=10, help="reps in a set (default 10)")
    p.add_argument("--mode", default="active", help="active (unassisted) | passive (assisted)")
    _add_model_options(p)
    p.add_argument("--routine", action="store_true",
                   help=f"run the routine in order ({', '.join(ROUTINE)}), moving on at the target or on n")
    p.add_argument("--csv", help="per-rep CSV to write (a row is saved the moment each rep is counted)")
    p.add_argument("--summary", help="per-set summary CSV to write")
    p.add_argument("--profile", default="default", help="whose session this is (history)")
    p.add_argument("--db", help="history database (default: see README)")
    p.add_argument("--no-history", action="store_true", help="do not store the sets in the history")
    p.add_argument("--headless", action="store_true", help="no window (print reps; use --write-video to keep the "
                                                           "overlay)")
    p.add_argument("--write-video", metavar="OUT.mp4", help="also write the overlay frames to a video")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--realtime", dest="fast", action="store_false", default=False,
                      help="play a video file at its real speed, like a camera (default)")
    pace.add_argument("--fast", dest="fast", action="store_true",
                      help="process every frame of a video file as fast as possible")
    p.add_argument("--speak", action="store_true", help="say each count aloud (needs pyttsx3)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--end-hold", type=float, default=END_HOLD_S, help=argparse.SUPPRESS)
    p.set_defaults(func=run_live)
