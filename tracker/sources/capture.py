"""Frame sources: a video file, a folder of images, a webcam or a network camera (camera.py),
behind one interface (frames.py), opened by name with ``open_source``.

Why one interface: the live loop is tested with a video file standing in for the camera,
so everything downstream must not care where frames come from. Files are timed by their
container (pts), cameras by a monotonic clock; phone rotation metadata is applied.
"""
from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from tracker.errors import InputError
from tracker.sources.camera import CameraSource, StreamSource, is_stream
from tracker.sources.frames import FALLBACK_FPS, Frame, FrameSource, SourceInfo, check_size, to_bgr8

VIDEO_EXTS = (".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm", ".mpg", ".mpeg", ".wmv")
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
# Frames grabbed past a packet that cannot be read, before seeking further (about a GOP)
SKIP_GRABS = 48
MAX_SKIPS = 100  # damaged places skipped in one file before reading stops


def analysis_stride(fps: float, max_fps: float | None) -> int:
    """Every how many frames a video analysed at up to ``max_fps`` is read (1: every frame);
    within 5 % of the cap a clip is read whole."""
    if not max_fps or fps <= max_fps * 1.05:
        return 1
    return int(math.ceil(fps / max_fps - 0.05))


class VideoFileSource(FrameSource):
    """A video file, timed by the container's presentation timestamps.

    ``max_fps`` (offline analysis): read at most this many frames per second by skipping
    frames (grabbed, not converted). Ankle reps last over half a second, so 15 fps keeps
    every rep while halving the model's work on 30 fps phone video.
    """

    def __init__(self, path: str | os.PathLike, max_fps: float | None = None):
        import cv2

        self.path = Path(path)
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file; check the path")
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder; pass a video file (or use 'analyze' for folders)")
        if self.path.stat().st_size == 0:
            raise InputError(f"{self.path} is empty (0 bytes); re-export or re-record the video")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise InputError(f"{self.path} is not a video OpenCV can read; convert it to MP4 (H.264)")
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise InputError(f"{self.path} contains no readable video frames; re-export or re-record it")
        self._first = first
        self._first_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        reliable = 1.0 <= fps <= 480.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        h, w = first.shape[:2]
        check_size(w, h, str(self.path))
        self.info = SourceInfo("video", str(self.path), fps if reliable else FALLBACK_FPS, w, h,
                               count if count > 0 else None, reliable)
        self.stride = analysis_stride(self.info.fps, max_fps)

    def __iter__(self) -> Iterator[Frame]:
        import cv2

        fps = self.info.fps
        img, pos_ms = self._first, self._first_ms
        idx, last_t, skipped = 0, -1.0, False
        self.frames_read, self.skips, self.ended_early = 1, [], False
        while img is not None:
            # Container timestamps (right for variable frame rate) unless the container's
            # timing is absurd (fps 0 or > 480), in which case its pts are not trusted either.
            t = pos_ms / 1000.0 if self.info.fps_reliable and (pos_ms > 0 or idx == 0) else -1.0
            if idx == 0:
                t = max(t, 0.0)
            elif t <= last_t or (t > last_t + 10.0 and not skipped):
                # no usable pts (or it jumps/back-steps): step by the nominal frame period
                t = last_t + self.stride / fps
            yield Frame(idx, t, to_bgr8(img))
            last_t = t
            idx, img, skipped = self._advance(idx)
            pos_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)

    def _advance(self, idx: int) -> tuple[int, np.ndarray | None, bool]:
        """The next analysed frame: (its index, its image or None at the end, whether damage was
        skipped on the way). A frame that is grabbed but cannot be decoded is skipped too."""
        target, skipped = idx + self.stride, False
        while True:
            while idx < target:
                if self._cap.grab():  # after damage, frames lost to it are counted by their timestamps
                    nxt = self._index_now(idx + 1) if self.skips else idx + 1
                else:
                    nxt = self._skip_damage(idx)
                if nxt is None:
                    return idx, None, skipped
                skipped |= nxt > idx + 1
                idx, self.frames_read = nxt, self.frames_read + 1
            ok, img = self._cap.retrieve()
            if ok and img is not None:
                return idx, img, skipped
            self.skips.append(idx)  # grabbed but not decodable
            target, skipped, self.frames_read = idx + 1, True, self.frames_read - 1

    def _skip_damage(self, idx: int) -> int | None:
        """A read failed at frame ``idx + 1``. Before the declared end (beyond a few frames of
        slack for containers that overstate their count) the file is damaged: grab on, as the
        demuxer often finds the next good packet, else seek 1, 2, 4, ... frames further.
        Returns the index of the frame grabbed, or None when nothing more can be read."""
        import cv2

        declared = self.info.frame_count
        last_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)  # the last frame read
        if not declared or idx + 1 >= declared - max(2, declared // 100):
            return None
        if len(self.skips) >= MAX_SKIPS:
            self.ended_early = True
            return None
        for _ in range(SKIP_GRABS):
            if self._cap.grab():
                self.skips.append(idx + 1)
                return self._index_now(idx + 1)
        step = 1
        while idx + step < declared:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, idx + step)
            if self._grab_past(last_ms):
                self.skips.append(idx + 1)
                return self._index_now(idx + step)
            step *= 2
        self.ended_early = True
        return None

    def _grab_past(self, last_ms: float) -> bool:
        """Grab the first frame later than ``last_ms``: a seek may land on a keyframe before
        frames already read, which must not be analysed twice (their motion would count again)."""
        import cv2

        for _ in range(SKIP_GRABS):
            if not self._cap.grab():
                return False
            if not self.info.fps_reliable or self._cap.get(cv2.CAP_PROP_POS_MSEC) > last_ms:
                return True
        return False

    def _index_now(self, at_least: int) -> int:
        """The grabbed frame's index from its timestamp (frames lost to damage are counted)."""
        import cv2

        ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        return max(at_least, round(ms / 1000.0 * self.info.fps)) if self.info.fps_reliable and ms > 0 else at_least

    def damage_note(self) -> str | None:
        """One line when the video could be read only in part (after iterating), else None."""
        if not getattr(self, "skips", None) and not getattr(self, "ended_early", False):
            return None
        note = f"partial: the video is damaged; {self.frames_read} of {self.info.frame_count} frames could be read"
        if self.skips:
            note += f", reading went on past {len(self.skips)} damaged place{'s' if len(self.skips) > 1 else ''}"
        return note + (" and stopped before the end" if self.ended_early else "")

    def close(self) -> None:
        self._cap.release()


class ImageFolderSource(FrameSource):
    """A folder of still images in name order, spaced at ``fps`` (default 30)."""

    def __init__(self, folder: str | os.PathLike, fps: float = FALLBACK_FPS):
        import cv2

        self.folder = Path(folder)
        self.files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        if not self.files:
            raise InputError(f"{self.folder} holds no images ({', '.join(IMAGE_EXTS)}); pass a folder of frames")
        first = cv2.imread(str(self.files[0]), cv2.IMREAD_UNCHANGED)
        if first is None:
            raise InputError(f"{self.files[0]} is not a readable image")
        first = to_bgr8(first)
        h, w = first.shape[:2]
        check_size(w, h, str(self.files[0]))
        self.info = SourceInfo("images", str(self.folder), fps, w, h, len(self.files))

    def __iter__(self) -> Iterator[Frame]:
        import cv2

        for i, p in enumerate(self.files):
            img = cv2.imread(str(p), cv2.IMREAD_UNCHANGED)
            if img is None:
                continue  # one unreadable still is skipped, not fatal
            yield Frame(i, i / self.info.fps, to_bgr8(img))


def open_source(spec: str | int | os.PathLike, max_fps: float | None = None,
                reconnect_for: float | None = None) -> FrameSource:
    """'0' or 0 → camera 0; a URL → a network camera; a folder → its images; anything else →
    a video file."""
    s = str(spec)
    if s.isdigit():
        return CameraSource(int(s))
    if is_stream(s):
        return StreamSource(s) if reconnect_for is None else StreamSource(s, give_up_s=reconnect_for)
    p = Path(s)
    if p.is_dir():
        return ImageFolderSource(p)
    return VideoFileSource(p, max_fps=max_fps)


def find_videos(folder: str | os.PathLike) -> list[Path]:
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_EXTS and p.is_file())


class LatestFrameReader:
    """Reads a source on a thread and keeps only the newest frame.

    Why: the live loop must never block on the model. Frames keep being grabbed while the
    model works; when it asks for the next frame it gets the newest, and stale ones are
    dropped. With ``pace=True`` a file source is read at real time
    so it behaves like a camera; a camera is inherently real time.
    """

    def __init__(self, source: FrameSource, pace: bool = False):
        self.source = source
        self.pace = pace
        self.error: BaseException | None = None
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._done = False
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="frame-grabber", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        t0 = time.monotonic()
        try:
            for frame in self.source:
                if self._stop:
                    break
                if self.pace:
                    delay = frame.t - (time.monotonic() - t0)
                    if delay > 0:
                        time.sleep(delay)
                with self._cond:
                    self._latest = frame  # a frame not yet taken is replaced: stale frames drop
                    self._cond.notify_all()
        except BaseException as exc:  # surfaced to the consumer, not lost on a thread
            self.error = exc
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()

    @property
    def ended(self) -> bool:
        """True once the source has no more frames (end of file, camera lost)."""
        with self._cond:
            return self._done and self._latest is None

    def read(self, timeout: float | None = None) -> Frame | None:
        """The newest unseen frame; None when the source has ended (or timed out)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._latest is not None or self._done, timeout):
                return None
            frame, self._latest = self._latest, None
            return frame

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2.0)
        self.source.close()
