"""The close-up path's working frame (grey, reduced) and where the foot is in it.

Why a reduced grey frame: the foot's outline is all the edge measurement (``edges``,
``edgetrack``) reads, and at 320 pixels a foot still spans 40-150 of them while a frame
costs a few milliseconds. (The earlier dense-flow measurement that lived here is gone:
the app measures edges against the rest frame.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WORK_SIDE = 320  # longest side of the working frame, pixels: a foot spans 40-150 px here
GRID = 5  # working pixels: a found foot box narrower or lower than two of these is a sliver


def work_scale(width: int, height: int, side: int = WORK_SIDE) -> float:
    return min(1.0, side / max(width, height))


def to_work_gray(image: np.ndarray, scale: float) -> np.ndarray:
    """BGR frame → grey working frame (reduced: the speed target is the pose path's)."""
    import cv2

    g = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    if scale < 1.0:
        g = cv2.resize(g, (round(g.shape[1] * scale), round(g.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    return g


@dataclass(frozen=True)
class Regions:
    """Where the foot and the shank above it are, in working pixels (x0, y0, x1, y1)."""

    foot: tuple[int, int, int, int]
    shank: tuple[int, int, int, int]  # the band the shank is measured in (``shank``; empty: out of view)
    strength: float  # how persistently the foot region changed (share of frames)
