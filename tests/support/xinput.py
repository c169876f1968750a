"""Key presses and mouse clicks on an X display, as a person would make them (XTEST via ctypes,
no extra package): the live window is driven under Xvfb through the real OpenCV event loop."""
from __future__ import annotations

import ctypes
import ctypes.util
import time


class XInput:
    def __init__(self, display: str):
        x11 = ctypes.util.find_library("X11")
        xtst = ctypes.util.find_library("Xtst")
        if not (x11 and xtst):
            raise OSError("libX11 / libXtst not found")
        self.x = ctypes.CDLL(x11)
        self.t = ctypes.CDLL(xtst)
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x.XStringToKeysym.restype = ctypes.c_ulong
        self.x.XStringToKeysym.argtypes = [ctypes.c_char_p]
        self.x.XKeysymToKeycode.restype = ctypes.c_ubyte
        self.x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.x.XFlush.argtypes = [ctypes.c_void_p]
        self.x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.t.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
        self.t.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
        self.t.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                                ctypes.c_ulong]
        self.d = self.x.XOpenDisplay(display.encode())
        if not self.d:
            raise OSError(f"cannot open display {display}")

    def move(self, x: int, y: int) -> None:
        self.t.XTestFakeMotionEvent(self.d, -1, int(x), int(y), 0)
        self.x.XFlush(self.d)

    def key(self, name: str) -> None:
        """A key by X keysym name: 'a', '1', 'Return', 'Escape'."""
        code = self.x.XKeysymToKeycode(self.d, self.x.XStringToKeysym(name.encode()))
        for down in (1, 0):
            self.t.XTestFakeKeyEvent(self.d, code, down, 0)
            self.x.XFlush(self.d)
            time.sleep(0.05)

    def click(self, x: int, y: int) -> None:
        self.move(x, y)
        time.sleep(0.05)
        for down in (1, 0):
            self.t.XTestFakeButtonEvent(self.d, 1, down, 0)
            self.x.XFlush(self.d)
            time.sleep(0.05)

    def close(self) -> None:
        self.x.XCloseDisplay(self.d)
