"""The foot's in-plane turn inside a box placed by the body landmarks (eversion from the front).

Why: from the front, lifting the outer edge of a flat foot tilts the sole, and the picture
of the foot turns about the ankle; MediaPipe's heel and foot_index points barely follow it
(gain 0.05-0.2 against rendered truth). The pixels do. Per frame: a square box on the foot
that follows the ankle only (heel and foot_index move with the eversion itself, and a box
that follows them turns the still floor into motion), resampled to ``ROI_PX``, aligned to
the rest box by phase correlation of its top band (shank and what is behind it: the
eversion does not move them), then the corners of the rest box are followed to it, the ones
that moved (the foot) are fitted by an affine map, and its rotation part is the turn.

Why an affine's rotation part and not the close-up's edge-histogram shift
(``tracker.closeup.edges``): a toe raise seen from the front squashes the foot's picture;
the histogram shift reads that as a turn as large as the eversion's (a 15° toe raise read
13° p95 on a rendered front view, a 20° eversion 11°), a squash has no rotation part (2°).
The gain is set by the camera: from 0.8 m up, the rendered truth's own ankle-to-toe direction
in the picture turns 0.48° per degree of eversion, and this reads 0.51 (the landmarks 0.17);
a lower camera sees more of it. Experimental: measured on four rendered clips only
(``tools/eversion_roi_probe.py``), not wired into counting.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from tracker.closeup.edges import MAX_TURN_DEG

ROI_SHANKS = 0.75  # box side in shank lengths: the foot (~0.3 wide, ~0.4 ankle to toes from the
# front) and floor round it; 0.45-0.65 let a small standing foot's heel raise read ~10° (rendered)
ROI_PX = 96  # working box side, pixels (a 640x480 seated front view: ~90 px; a phone's: more)
BAND = 0.4  # top share of the box aligned to the rest box (the shank, still in an eversion)
SMOOTH = 5  # frames in the running median of the box centre (landmark jitter)
CORNERS = 200  # corners of the rest box followed to every frame
MOVED_PX = 0.7  # working pixels a corner must move from rest to belong to the foot
MIN_MOVED = 6  # fewer moved corners: no turn (at rest)


@dataclass(frozen=True)
class FootBoxes:
    """Where the foot's box is in each frame: centres (N, 2) and one side, in image pixels."""

    centre: np.ndarray
    side_px: float


def running_median(a: np.ndarray, k: int = SMOOTH) -> np.ndarray:
    """Median of ``k`` frames around each one along axis 0 (NaN-aware, ends padded)."""
    n, h = len(a), k // 2
    pad = np.pad(a, [(h, h)] + [(0, 0)] * (a.ndim - 1), mode="edge")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN window stays NaN
        return np.nanmedian(np.stack([pad[i:i + n] for i in range(k)]), axis=0)


def foot_boxes(ankle: np.ndarray, foot_centre: np.ndarray, shank_px: float) -> FootBoxes:
    """Boxes from landmarks: the ankle (N, 2) plus the median ankle-to-foot offset over the
    frames given (``foot_centre``: mean of ankle, heel, foot_index), so the box sits on the
    foot but moves only with the ankle; side ``ROI_SHANKS`` shank lengths."""
    offset = np.nanmedian(foot_centre - ankle, axis=0)
    return FootBoxes(running_median(ankle + offset), ROI_SHANKS * float(shank_px))


def box_crop(gray: np.ndarray, centre: np.ndarray, side_px: float) -> np.ndarray:
    """The box around ``centre`` resampled to ROI_PX x ROI_PX (sub-pixel; border replicated)."""
    import cv2

    s = ROI_PX / side_px
    m = np.array([[s, 0, ROI_PX / 2 - s * centre[0]], [0, s, ROI_PX / 2 - s * centre[1]]], np.float32)
    return cv2.warpAffine(gray, m, (ROI_PX, ROI_PX), flags=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def align_top(rest: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """``cur`` shifted onto ``rest`` by phase correlation of their top ``BAND`` (translation
    only): what the landmarks placed wrong. The whole box's correlation is pulled off by the
    turning foot (a rendered eversion: 15 px wrong)."""
    import cv2

    hb = max(8, int(BAND * rest.shape[0]))
    win = cv2.createHanningWindow((rest.shape[1], hb), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(rest[:hb].astype(np.float32), cur[:hb].astype(np.float32), win)
    m = np.array([[1, 0, -dx], [0, 1, -dy]], np.float32)
    return cv2.warpAffine(cur, m, cur.shape[::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def affine_rotation_deg(a: np.ndarray) -> float:
    """The rotation part of a 2x2 (or 2x3) affine map, degrees in image axes (x right, y down:
    positive turns clockwise on screen): atan2(a10 - a01, a00 + a11), which a squash or stretch
    along any axis leaves at 0."""
    return float(np.degrees(np.arctan2(a[1, 0] - a[0, 1], a[0, 0] + a[1, 1])))


@dataclass(frozen=True)
class BoxTurn:
    """One frame's turn from the rest box and how many moved corners it rests on."""

    angle_deg: float  # NaN: the fit failed or was degenerate
    moved: int  # 0 with the angle 0: nothing moved (at rest)


class RestBox:
    """The rest box and its corners; ``turn`` measures any aligned box against it (from rest
    every time: nothing is chained, so no error adds up)."""

    def __init__(self, rest: np.ndarray):
        import cv2

        self.rest = rest
        p = cv2.goodFeaturesToTrack(rest, CORNERS, 0.01, 3)
        self.p0 = p if p is not None else np.zeros((0, 1, 2), np.float32)

    def turn(self, box: np.ndarray) -> BoxTurn:
        import cv2

        if len(self.p0) < MIN_MOVED:
            return BoxTurn(0.0, 0)
        p1, st, _ = cv2.calcOpticalFlowPyrLK(self.rest, box, self.p0, None, winSize=(11, 11), maxLevel=2)
        moved = (st.ravel() == 1) & (np.linalg.norm((p1 - self.p0).reshape(-1, 2), axis=1) > MOVED_PX)
        n = int(moved.sum())
        if n < MIN_MOVED:
            return BoxTurn(0.0, n)
        a, _ = cv2.estimateAffine2D(self.p0[moved], p1[moved], ransacReprojThreshold=1.0)
        rot = affine_rotation_deg(a) if a is not None else float("nan")
        return BoxTurn(rot if abs(rot) <= MAX_TURN_DEG else float("nan"), n)  # beyond: corners in a line


def eversion_sign(side: str) -> float:
    """Image turn → eversion: seen from the front, the left foot (on the image's right, its
    outer edge rightmost) everts counter-clockwise on screen (− in image axes, the rendered
    clip confirms it); the right foot is its mirror image."""
    return -1.0 if side == "left" else 1.0


def box_turns(grays, boxes: FootBoxes) -> tuple[np.ndarray, np.ndarray]:
    """(turn per frame in degrees, moved corners) of grey frames against the first one's box.
    Frames without a box centre (no landmarks) read NaN."""
    out, moved, rest = [], [], None
    for gray, c in zip(grays, boxes.centre):
        if not np.isfinite(c).all():
            out.append(np.nan)
            moved.append(0)
            continue
        box = box_crop(gray, c, boxes.side_px)
        if rest is None:
            rest = RestBox(box)
        e = rest.turn(align_top(rest.rest, box))
        out.append(e.angle_deg)
        moved.append(e.moved)
    return np.asarray(out, float), np.asarray(moved, int)
