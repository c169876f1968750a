"""Spoken counts (``--speak``): optional, on a background thread, never in the way.

pyttsx3 blocks while it talks, so words go through a queue and stale ones are dropped;
``Speaker.create`` returns None, after one clear line, when pyttsx3 or a speech engine
is missing. Counting never depends on it.
"""
from __future__ import annotations

import queue
import threading


class Speaker:
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
