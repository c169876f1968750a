"""Decode ahead on a thread: offline analysis overlaps reading the video with the pose model.

Why: decoding a 1080x1920 frame (and grabbing the skipped one) takes about a third of the
model's time per analysed frame; done in turn they add up on one core while the other idles.
OpenCV and MediaPipe both release the GIL, so a reader thread a few frames ahead (a bounded
queue: memory stays a few frames) hides the decode behind inference. Frames, their order and
timestamps are exactly the source's; an error while reading is raised in the consumer.
"""
from __future__ import annotations

import queue
import threading
from typing import Iterator

from tracker.sources.frames import Frame, FrameSource

DEPTH = 2  # frames decoded ahead (a 1080p frame is 6 MB)
_END = object()


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def read_ahead(source: FrameSource, depth: int = DEPTH) -> Iterator[Frame]:
    """Iterate ``source`` on a reader thread, ``depth`` frames ahead. Closing the generator
    (or an exception in the consumer, such as Ctrl-C) stops the thread before it returns,
    so the source is never read from two threads and can be closed safely afterwards."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for frame in source:
                if not put(frame):
                    return
        except BaseException as exc:  # handed to the consumer, not lost on the thread
            put(_Failed(exc))
            return
        put(_END)

    thread = threading.Thread(target=run, name="frame-decoder", daemon=True)
    try:
        thread.start()
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        _join(thread)


def _join(thread: threading.Thread) -> None:
    """Wait for the reader to leave the source, also through a second Ctrl-C (a user who sees
    the bar stop on a damaged file presses it again): the source must never be closed while
    the reader is still inside it."""
    interrupted = False
    while thread.is_alive():
        try:
            thread.join(0.1)
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        raise KeyboardInterrupt
