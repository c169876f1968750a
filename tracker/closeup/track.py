"""What the close-up path measured (``CloseupTrack``), handed from the measurement
(``edgetrack.edge_track``) to the counting driver (``tracker/counting/closeup.py``).

(The earlier dense-flow measurement, ``record_motion`` → ``foot_track``, is gone: the
app measures the foot's edges against the rest frame.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.closeup.motion import Regions


@dataclass
class CloseupTrack:
    """What the close-up path measured, one entry per frame (NaN: not measurable)."""

    t: np.ndarray
    foot_deg: np.ndarray  # the foot's turn from the rest frame
    shank_deg: np.ndarray  # the shank's turn from rest (``shank.ShankTurn``; 0: still or out of view)
    quality: np.ndarray  # 0..1 (the edge measurement: 1 on every frame)
    points: np.ndarray  # the changed edge weight in the foot's box
    residual_px: np.ndarray  # unused by the edge measurement (NaN)
    regions: Regions | None
    scale_px: float  # foot box size in original pixels (the unit of anchor travel)
    anchor_xy: np.ndarray  # (N, 2) the top middle of the foot's box (the ankle's side), original pixels
    ms_per_frame: float = 0.0
    rest_t: float | None = None  # time of the rest frame the angles are measured from (None: the first)

    @property
    def found(self) -> bool:
        return self.regions is not None

    def relative(self) -> np.ndarray:
        """Foot relative to the shank (the same as the foot while the shank is still)."""
        return self.foot_deg - self.shank_deg
