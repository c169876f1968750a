"""A phone's webcam app, for tests: a clip served as MJPEG over HTTP on 127.0.0.1.

Frames go out at the clip's rate, from where the stream was when it stopped: ``stop()``
closes the listening socket and every connection (a Wi-Fi drop: the client sees the stream
end and connections refused), ``start()`` serves again on the same port, carrying on.
"""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2


def jpeg_frames(path) -> tuple[list[bytes], float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    cap.release()
    return frames, fps


class MjpegServer:
    def __init__(self, frames: list[bytes], fps: float, port: int = 0):
        self.frames, self.fps = frames, fps
        self.sent = 0  # frames delivered so far (the next one to send)
        self.drop_at: int | None = None  # before this frame the server goes away ...
        self.drop_s = 3.0  # ... for this long, then serves again from this frame
        self.drops = 0
        self.port = port or _free_port()
        self._server: ThreadingHTTPServer | None = None
        self._live = threading.Event()

    @property
    def finished(self) -> bool:
        return self.sent >= len(self.frames)

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                owner._stream(self.wfile)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._live.set()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _stream(self, out) -> None:
        period = 1.0 / self.fps
        next_t = time.monotonic()
        while self._live.is_set() and self.sent < len(self.frames):
            if self.drop_at is not None and self.sent >= self.drop_at:
                self.drop_at = None
                threading.Thread(target=self._drop, daemon=True).start()
                return
            data = self.frames[self.sent]
            try:
                out.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(data)
                          + data + b"\r\n")
                out.flush()
            except OSError:
                return
            self.sent += 1
            next_t += period
            time.sleep(max(0.0, next_t - time.monotonic()))
        while self._live.is_set():  # a camera does not end: hold the connection until stopped
            time.sleep(0.05)

    def _drop(self) -> None:
        self.stop()
        self.drops += 1
        time.sleep(self.drop_s)
        self.start()

    def stop(self) -> None:
        self._live.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
