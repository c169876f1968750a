"""Where live overlay frames go: an OpenCV window, a video file, both or neither.

Drawing is guarded (``safe_draw``): a drawing bug shows the plain picture and one line on
stderr, and can never lose a rep that was already counted and saved.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

from tracker.errors import RuntimeFailure
from tracker.sinks.overlay import draw_overlay
from tracker.sinks.video import Mp4Writer
from tracker.sinks.view import OverlayView

WINDOW_TITLE = "footdrop tracker"


class Screen:
    """Where overlay frames go: an OpenCV window, a video file, both or neither (headless)."""

    def __init__(self, window: bool = False, video: str | os.PathLike | None = None, fps: float = 30.0,
                 title: str = WINDOW_TITLE):
        self.window, self.video, self.fps, self.title = window, video, fps, title
        self._writer = Mp4Writer(video, fps) if video is not None else None
        self._opened = False
        self._full = False
        self.last: np.ndarray | None = None
        self.clicks: list[tuple[int, int]] = []  # left clicks in picture pixels, taken by the loop

    def show(self, img: np.ndarray) -> int:
        """Display/write one frame; returns the key pressed (or -1)."""
        import cv2

        self.last = img
        if self._writer is not None:
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
            try:
                cv2.setMouseCallback(self.title, self._on_mouse)
            except cv2.error:  # a backend without mouse events: keys still choose
                pass
        cv2.imshow(self.title, img)
        return self.poll()

    def _on_mouse(self, event, x, y, flags, param) -> None:
        import cv2

        if event == cv2.EVENT_LBUTTONUP:
            self.clicks.append((int(x), int(y)))

    def take_clicks(self) -> list[tuple[int, int]]:
        out, self.clicks = self.clicks, []
        return out

    def notice(self, img: np.ndarray) -> None:
        """Show a picture in the window only (a status while no frames come): the written
        video keeps real frames only. Keys are read by the loop's next ``poll``."""
        if self._opened:
            import cv2

            cv2.imshow(self.title, img)

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
            self._writer.close()
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
