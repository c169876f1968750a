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
a lower camera sees more of it. Computed per frame in the pose step (``foot_turn``: causal
rest box) and kept in the recordings; an exercise counts from it only when its entry says so
(``Exercise.foot_turn``: none does yet, see the README).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

ROI_SHANKS = 0.75  # box side in shank lengths: the foot (~0.3 wide, ~0.4 ankle to toes from the
# front) and floor round it; 0.45-0.65 let a small standing foot's heel raise read ~10° (rendered)
ROI_PX = 96  # working box side, pixels (a 640x480 seated front view: ~90 px; a phone's: more)
BAND = 0.4  # top share of the box aligned to the rest box (the shank, still in an eversion)
SMOOTH = 5  # frames in the running median of the box centre (landmark jitter)
CORNERS = 200  # corners of the rest box followed to every frame
MOVED_PX = 0.7  # working pixels a corner must move from rest to belong to the foot
MIN_MOVED = 6  # fewer moved corners: no turn (at rest); fewer corners in the rest box: unmeasurable
MAX_TURN_DEG = 60.0  # a foot turns less than this from rest (as the close-up's edges.MAX_TURN_DEG)


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


def foot_boxes(ankle: np.ndarray, foot_centre: np.ndarray, shank_px: float,
               roi_shanks: float = ROI_SHANKS) -> FootBoxes:
    """Boxes from landmarks: the ankle (N, 2) plus the median ankle-to-foot offset over the
    frames given (``foot_centre``: mean of ankle, heel, foot_index), so the box sits on the
    foot but moves only with the ankle; side ``roi_shanks`` shank lengths."""
    offset = np.nanmedian(foot_centre - ankle, axis=0)
    return FootBoxes(running_median(ankle + offset), roi_shanks * float(shank_px))


def _patch(gray: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray:
    """``gray[y0:y0+size, x0:x0+size]``, the part outside the picture replicated from its border."""
    import cv2

    h, w = gray.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(w, x0 + size), min(h, y0 + size)
    if xa >= xb or ya >= yb:  # wholly outside: the nearest border pixel
        return np.full((size, size), gray[min(max(y0, 0), h - 1), min(max(x0, 0), w - 1)], gray.dtype)
    return cv2.copyMakeBorder(gray[ya:yb, xa:xb], ya - y0, y0 + size - yb, xa - x0, x0 + size - xb,
                              cv2.BORDER_REPLICATE)


def box_crop(gray: np.ndarray, centre: np.ndarray, side_px: float) -> np.ndarray:
    """The box around ``centre`` resampled to ROI_PX x ROI_PX (sub-pixel; border replicated).
    Shrinking (a box wider than ROI_PX, phone video) blurs first, sigma 0.5 source pixels per
    working pixel, else fine texture aliases into false corners: ``warpAffine`` ignores
    INTER_AREA (its output is INTER_LINEAR's). Only the box's neighbourhood is blurred."""
    import cv2

    s = ROI_PX / side_px
    cx, cy = float(centre[0]), float(centre[1])
    if s < 1:
        sigma = 0.5 / s
        half = int(np.ceil(side_px / 2 + 3 * sigma)) + 2
        x0, y0 = int(np.floor(cx)) - half, int(np.floor(cy)) - half
        gray = cv2.GaussianBlur(_patch(gray, x0, y0, 2 * half), (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
        cx, cy = cx - x0, cy - y0
    m = np.array([[s, 0, ROI_PX / 2 - s * cx], [0, s, ROI_PX / 2 - s * cy]], np.float32)
    return cv2.warpAffine(gray, m, (ROI_PX, ROI_PX), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def top_shift(rest: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """(dx, dy) working pixels ``cur`` sits from ``rest``, by phase correlation of their top
    ``BAND`` (translation only): what the landmarks placed wrong. The whole box's correlation
    is pulled off by the turning foot (a rendered eversion: 15 px wrong)."""
    import cv2

    hb = max(8, int(BAND * rest.shape[0]))
    win = cv2.createHanningWindow((rest.shape[1], hb), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(rest[:hb].astype(np.float32), cur[:hb].astype(np.float32), win)
    return float(dx), float(dy)


def align_top(rest: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """``cur`` shifted back onto ``rest`` by ``top_shift``."""
    import cv2

    dx, dy = top_shift(rest, cur)
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

    angle_deg: float  # 0: tracked and not moved; NaN: cannot measure (too few corners, lost tracks, bad fit)
    moved: int


class RestBox:
    """The rest box and its corners; ``turn`` measures any aligned box against it (from rest
    every time: nothing is chained, so no error adds up)."""

    def __init__(self, rest: np.ndarray):
        import cv2

        self.rest = rest
        p = cv2.goodFeaturesToTrack(rest, CORNERS, 0.01, 3)
        self.p0 = p if p is not None else np.zeros((0, 1, 2), np.float32)

    def turn(self, box: np.ndarray) -> BoxTurn:
        """0° only when enough corners were followed and fewer than ``MIN_MOVED`` moved, even
        counting the lost ones as moved (a corner the foot carried away is often lost); a rest
        box too plain to hold ``MIN_MOVED`` corners cannot be measured (NaN, not 'still')."""
        import cv2

        if len(self.p0) < MIN_MOVED:
            return BoxTurn(float("nan"), 0)
        p1, st, _ = cv2.calcOpticalFlowPyrLK(self.rest, box, self.p0, None, winSize=(11, 11), maxLevel=2)
        ok = st.ravel() == 1
        moved = ok & (np.linalg.norm((p1 - self.p0).reshape(-1, 2), axis=1) > MOVED_PX)
        n, lost = int(moved.sum()), int((~ok).sum())
        if n < MIN_MOVED:
            still = n + lost < MIN_MOVED and int(ok.sum()) >= MIN_MOVED
            return BoxTurn(0.0 if still else float("nan"), n)
        a, _ = cv2.estimateAffine2D(self.p0[moved], p1[moved], ransacReprojThreshold=1.0)
        rot = affine_rotation_deg(a) if a is not None else float("nan")
        return BoxTurn(rot if abs(rot) <= MAX_TURN_DEG else float("nan"), n)  # beyond: corners in a line


def eversion_sign(side: str) -> float:
    """Image turn → eversion: seen from the front, the left foot (on the image's right, its
    outer edge rightmost) everts counter-clockwise on screen (− in image axes, the rendered
    clip confirms it); the right foot is its mirror image."""
    return -1.0 if side == "left" else 1.0


def aligned_boxes(grays, boxes: FootBoxes) -> list[np.ndarray | None]:
    """Every frame's box aligned to the rest box, the first frame with a box centre (a first
    frame without landmarks must not become an empty rest box); None where there is no box."""
    out, rest = [], None
    for gray, c in zip(grays, boxes.centre):
        if not np.isfinite(c).all():
            out.append(None)
            continue
        box = box_crop(gray, c, boxes.side_px)
        if rest is None:
            rest = box
            out.append(box)
        else:
            out.append(align_top(rest, box))
    return out


def box_turns(grays, boxes: FootBoxes) -> tuple[np.ndarray, np.ndarray]:
    """(turn per frame in degrees, moved corners) of grey frames against the rest box
    (``aligned_boxes``). Frames without a box centre (no landmarks) read NaN."""
    crops = aligned_boxes(grays, boxes)
    first = next((c for c in crops if c is not None), None)
    rest = RestBox(first) if first is not None else None
    e = [rest.turn(c) if c is not None and rest is not None else BoxTurn(float("nan"), 0) for c in crops]
    return np.array([x.angle_deg for x in e], float), np.array([x.moved for x in e], int)
