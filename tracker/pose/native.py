"""Import MediaPipe's Tasks API without the extras it loads and we never use.

Why: ``import mediapipe`` imports every task, and with them matplotlib.pyplot (for its
drawing helpers) and sounddevice (for its audio recorder, which also starts PortAudio):
about 0.35 s of a start-up that should take under a second. While MediaPipe is imported
those two names resolve to placeholders that import the real module on first use, so
MediaPipe's own helpers still work if anything ever calls them; the placeholders are then
taken out of ``sys.modules`` so every other ``import matplotlib`` gets the real one.
"""
from __future__ import annotations

import importlib
import sys
import types

_DEFERRED = ("matplotlib", "matplotlib.pyplot", "sounddevice")


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute is asked for, then imports the real one."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        real = sys.modules.get(self.__name__)
        if real is None or real is self:
            sys.modules.pop(self.__name__, None)
            real = importlib.import_module(self.__name__)
        return getattr(real, name)


def import_tasks():
    """``(mediapipe, mediapipe.tasks.python.vision, BaseOptions)``, imported lightly."""
    if "mediapipe" not in sys.modules:
        placed = {n: _Deferred(n) for n in _DEFERRED if n not in sys.modules}
        if "matplotlib.pyplot" in placed and "matplotlib" in placed:
            placed["matplotlib"].pyplot = placed["matplotlib.pyplot"]
        sys.modules.update(placed)
        try:
            importlib.import_module("mediapipe")
        finally:
            for name, stub in placed.items():
                if sys.modules.get(name) is stub:
                    del sys.modules[name]
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    return mp, vision, BaseOptions
