"""Cameras: a local device by number, or a network camera (a phone's webcam app) by URL.

Why a phone: a laptop's webcam sees the face, not the feet; a phone on the floor sees the
feet, and the usual way to use it is an "IP webcam" app streaming MJPEG over HTTP or RTSP.
Wi-Fi drops, so a stream reconnects by itself with back-off and only gives up after
``GIVE_UP_S`` without pictures; frames are timed by arrival on a monotonic clock, so a
drop is a gap in time, never a jump in the count. URLs are shown without credentials.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

from tracker.errors import InputError
from tracker.sources.frames import FALLBACK_FPS, Frame, FrameSource, SourceInfo, to_bgr8

OPEN_TIMEOUT_MS = 5000  # a stream that does not answer this fast is not there
READ_TIMEOUT_MS = 3000  # no picture for this long: the stream has dropped
BACKOFF_S = (0.25, 0.5, 1.0, 2.0, 4.0)  # waits between reconnection attempts (the last repeats)
GIVE_UP_S = 60.0  # a stream gone this long ends the session (everything is saved)
STREAM_SCHEMES = ("http", "https", "rtsp", "rtsps", "rtmp")
MAX_DEVICES = 10  # `tracker cameras` tries device numbers 0..9
NAME_HINT = "name a camera with --camera N (a device number: see 'tracker cameras') or --camera URL " \
            "(a phone's webcam app, e.g. http://PHONE-IP:8080/video)"


def is_stream(spec: str) -> bool:
    """A network camera's address (http://, rtsp://, ...) rather than a file name."""
    return "://" in spec and spec.split("://", 1)[0].lower() in STREAM_SCHEMES


def redact(url: str) -> str:
    """The URL as it may be shown or saved: no user name, password or query (tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


@contextlib.contextmanager
def quiet_opencv():
    """OpenCV's own warnings (a missing device, a refused stream) are replaced by our one
    line: silence them while a device or stream is opened."""
    import cv2

    # FFmpeg's own messages ("Connection refused") go through their own level, read by OpenCV
    # when FFmpeg is first used: fatal ones only.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "8")
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is None:
        yield
        return
    before = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(before)


def _first_frame(cap):
    ok, img = cap.read()
    return img if ok and img is not None else None


class CameraSource(FrameSource):
    """A webcam by index, timed by a monotonic clock from the first frame."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None):
        import cv2

        with quiet_opencv():
            self._cap = cv2.VideoCapture(index)
            opened = self._cap.isOpened()
        if not opened:
            raise InputError(f"camera {index} could not be opened (not found, or used by another program); "
                             + NAME_HINT)
        if width:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        first = _first_frame(self._cap)
        if first is None:
            self._cap.release()
            raise InputError(f"camera {index} opened but delivers no frames; close other camera apps and retry")
        self._first = first
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        h, w = first.shape[:2]
        self.info = SourceInfo("camera", f"camera:{index}", fps if 1 <= fps <= 480 else FALLBACK_FPS,
                               w, h, None, 1 <= fps <= 480)

    def __iter__(self) -> Iterator[Frame]:
        t0 = time.monotonic()
        img, idx = self._first, 0
        while img is not None:
            yield Frame(idx, time.monotonic() - t0, to_bgr8(img))
            idx += 1
            img = _first_frame(self._cap)
        # camera lost: the session ends cleanly and says so

    def close(self) -> None:
        self._cap.release()


class StreamSource(FrameSource):
    """A network camera (MJPEG over HTTP, RTSP, ...), timed by arrival, reconnecting itself.

    While it reconnects ``reconnecting`` is True and no frames come; ``drops`` keeps each
    drop's (start, end) in source seconds so the session can report them.
    """

    reconnecting = False

    def __init__(self, url: str, give_up_s: float = GIVE_UP_S, clock=time.monotonic, sleep=time.sleep):
        self.url, self.give_up_s, self.clock, self.sleep = url, give_up_s, clock, sleep
        self.drops: list[tuple[float, float | None]] = []
        self._closed = False
        self._lock = threading.Lock()  # close() never releases the capture in the middle of a read
        name = redact(url)
        self._cap = self._open()
        first = None if self._cap is None else _first_frame(self._cap)
        if first is None:
            self._release()
            raise InputError(f"no pictures from {name}; check the phone's webcam app is running and on the same "
                             "Wi-Fi, and the address (try it in a browser)")
        self._first = first
        h, w = first.shape[:2]
        self.info = SourceInfo("camera", name, FALLBACK_FPS, w, h, None, False)

    def _open(self):
        import cv2

        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS]
        with quiet_opencv():
            cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)
            if cap.isOpened():
                return cap
        cap.release()
        return None

    def _read(self):
        with self._lock:
            return None if self._cap is None or self._closed else _first_frame(self._cap)

    def _release(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None

    def _reconnect(self, since: float):
        """Try again with back-off until a frame arrives or ``give_up_s`` has passed."""
        for attempt in itertools.count():
            if self._closed or self.clock() - since > self.give_up_s:
                return None
            self.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            self._cap = self._open()
            img = self._read()
            if img is not None:
                return img
            self._release()

    def __iter__(self) -> Iterator[Frame]:
        t0 = self.clock()
        img, idx = self._first, 0
        while img is not None:
            yield Frame(idx, self.clock() - t0, to_bgr8(img))
            idx += 1
            img = self._read()
            if img is None and not self._closed:
                lost = self.clock()
                self.drops.append((lost - t0, None))
                self._release()
                self.reconnecting = True
                img = self._reconnect(lost)
                self.reconnecting = False
                self.drops[-1] = (lost - t0, self.clock() - t0 if img is not None else None)

    def close(self) -> None:
        self._closed = True
        self._release()


def list_cameras(max_devices: int = MAX_DEVICES) -> list[tuple[int, int, int]]:
    """Local camera devices that open and deliver a picture: (number, width, height)."""
    import cv2

    found = []
    for index in range(max_devices):
        with quiet_opencv():
            cap = cv2.VideoCapture(index)
            img = _first_frame(cap) if cap.isOpened() else None
            cap.release()
        if img is not None:
            found.append((index, img.shape[1], img.shape[0]))
    return found
