"""The live loop: frames → session → overlay → screen, until quit, end of file or camera loss.

The camera is read on its own thread and only the newest frame is processed
(``LatestFrameReader``), so a slow model drops stale frames instead of lagging behind. A
video file can stand in for the camera through exactly the same loop (paced at real time,
or every frame as fast as possible), which is how it is tested. Whatever ends the loop
(quit, Ctrl-C, SIGTERM, end of file, camera loss), ``run_session`` finishes the session,
which writes the set's summary.
"""
from __future__ import annotations

import dataclasses
import sys
import time

from tracker.app.live.screen import Screen, safe_draw
from tracker.app.live.session import LiveSession
from tracker.errors import RuntimeFailure
from tracker.sources.capture import LatestFrameReader
from tracker.sources.frames import Frame, FrameSource

CAMERA_STALL_S = 5.0  # a camera that sends nothing for this long is lost
DROP_MESSAGE = "Camera stream lost - reconnecting... (reps so far are saved)"


class StreamWatch:
    """Says when a network camera drops and when it is back: one line on stderr each, and the
    last picture with the message in the window (not in the written video) while it is gone."""

    def __init__(self, source: FrameSource, screen: Screen, say=None):
        self.source, self.screen = source, screen
        self.say = say or (lambda m: print(f"tracker: {m}", file=sys.stderr, flush=True))
        self.was = False
        self.image, self.view = None, None

    def shown(self, image, view) -> None:
        self.image, self.view = image, view

    def poll(self) -> bool:
        """True while the source is reconnecting (the loop must not call it lost)."""
        now = bool(getattr(self.source, "reconnecting", False))
        if now != self.was:
            self.say("the camera stream dropped; reconnecting (reps so far are saved)" if now
                     else "the camera stream is back")
        self.was = now
        if now and self.image is not None and self.screen.window:
            self.screen.notice(safe_draw(self.image, dataclasses.replace(self.view, message=DROP_MESSAGE)))
        return now


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

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        else:
            self.source.close()


def _preflight_frame(preflight, frame, screen: Screen) -> None:
    """A frame while the start screen or the placement check is up: nothing is counted."""
    for x, y in screen.take_clicks():
        preflight.click(x, y)
    if preflight.active:
        key = screen.show(preflight.step(frame))
        if key >= 0 and chr(key & 0xFF).lower() == "f":
            screen.toggle_fullscreen()
        else:
            preflight.handle_key(key)


def run_loop(session: LiveSession, feed: Feed, screen: Screen, on_frame=None, clock=time.perf_counter,
             preflight=None) -> str:
    """Frames → session → overlay → screen until quit. Returns why it stopped:
    'quit' (key), 'done' (routine finished), 'ended' (end of file) or 'lost' (camera).
    With ``preflight`` (window mode) its screens come first and ``c`` opens the check."""
    last_frame = clock()
    watch = StreamWatch(feed.source, screen)
    while True:
        frame = feed.read(timeout=0.5)
        if watch.poll():
            last_frame = clock()  # a stream that reconnects is not stalled; it gives up by itself
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
        if preflight is not None and (preflight.active or preflight.after_set(session, frame.t)):
            _preflight_frame(preflight, frame, screen)
            if session.quit:
                return "quit"
            continue
        view = session.step(frame)
        c0 = clock()
        img = safe_draw(frame.image, view)
        watch.shown(frame.image, view)
        c1 = clock()
        key = screen.show(img)
        c2 = clock()
        if on_frame is not None:
            on_frame(frame, dict(session.last_timings, draw_s=c1 - c0, show_s=c2 - c1, ready=c1))
        _on_key(key, session, screen, preflight)
        if session.quit:
            return "done" if session.routine_done else "quit"


def _on_key(key: int, session: LiveSession, screen: Screen, preflight) -> None:
    """f: full screen; c: the placement check (which recalibrates) when the window has one."""
    ch = chr(key & 0xFF).lower() if key >= 0 else ""
    if ch == "f":
        screen.toggle_fullscreen()
    elif ch == "c" and preflight is not None and preflight.check_enabled:
        preflight.open_check()
    else:
        session.handle_key(key)


def run_session(session: LiveSession, source: FrameSource, screen: Screen, realtime: bool = True,
                on_frame=None, preflight=None) -> str:
    """Run the loop and ALWAYS finish the session (write the summary), whatever ends it.

    Returns the end reason; KeyboardInterrupt and errors are re-raised after saving, camera
    loss becomes a RuntimeFailure after saving.
    """
    feed = Feed(source, realtime)
    try:
        reason = run_loop(session, feed, screen, on_frame, preflight=preflight)
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
        why = ("the camera stream did not come back (phone asleep, app closed or Wi-Fi lost?)"
               if hasattr(source, "drops") else
               "the camera stopped sending pictures (unplugged, or taken by another program?)")
        raise RuntimeFailure(f"{why}; the {n} reps counted are saved")
    session.finish()
    return reason
