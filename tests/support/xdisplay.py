"""An X display for window tests: a private Xvfb (the ``xvfb`` fixture in conftest uses
``start_xvfb``) and its screen read back from an ``xwd`` dump."""
from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np


def available() -> bool:
    return bool(shutil.which("Xvfb") and shutil.which("xwd"))


def start_xvfb() -> tuple[subprocess.Popen, str | None]:
    """A private X server on a free display (Xvfb -displayfd picks the number)."""
    proc = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline().decode().strip()
    return proc, (f":{line}" if line.isdigit() else None)


def screenshot(display: str, path: Path) -> np.ndarray:
    subprocess.run(["xwd", "-root", "-silent", "-display", display, "-out", str(path)], check=True, timeout=30)
    return read_xwd(path)


def read_xwd(path: Path) -> np.ndarray:
    """An X window dump (xwd, ZPixmap, 24/32 bpp TrueColor) as a BGR array."""
    b = path.read_bytes()
    h = struct.unpack(">25I", b[:100])
    header, byte_order, w, hh, bpl, bpp, ncolors = h[0], h[7], h[4], h[5], h[12], h[11] // 8, h[19]
    assert h[2] == 2 and bpp in (3, 4), "expected a ZPixmap TrueColor dump"
    a = np.frombuffer(b, np.uint8, count=hh * bpl, offset=header + 12 * ncolors).reshape(hh, bpl)
    px = a[:, : w * bpp].reshape(hh, w, bpp)
    if byte_order == 1:  # MSB first: X R G B
        px = px[..., ::-1]
    return np.ascontiguousarray(px[..., :3])
