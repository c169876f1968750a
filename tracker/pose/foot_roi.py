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
SHRINK_TO = 2  # a wider box is halved (pyrDown) down to this many working sides before the blur (cost)
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


def box_fits(centre: np.ndarray, side_px: float, shape: tuple[int, ...]) -> bool:
    """Can a box of ``side_px`` round ``centre`` be cut from a picture of ``shape`` (h, w, ...)?
    Not when a value is not finite, the box is smaller than 8 px or wider than the picture's
    long side (legs extrapolated far past the frame: mostly border), or it lies wholly outside."""
    h, w = shape[:2]
    if not (np.isfinite(side_px) and np.isfinite(centre).all() and 8 <= side_px <= max(h, w)):
        return False
    cx, cy, r = float(centre[0]), float(centre[1]), side_px / 2
    return -r < cx < w + r and -r < cy < h + r


def _gray(img: np.ndarray) -> np.ndarray:
    import cv2

    if img.ndim == 2:
        return img
    return img[..., 0] if img.shape[2] == 1 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def box_crop(img: np.ndarray, centre: np.ndarray, side_px: float) -> np.ndarray:
    """The box around ``centre`` resampled to ROI_PX x ROI_PX, grey (sub-pixel; border
    replicated); ``img`` grey or BGR, only the box's part is converted. Shrinking (a box wider
    than ROI_PX, phone video) blurs first, sigma 0.5 source pixels per working pixel, else
    fine texture aliases into false corners (``warpAffine`` ignores INTER_AREA). Why a box
    wider than ``SHRINK_TO`` working sides is first halved down to it (``pyrDown``, whose
    binomial kernels take their share of the blur): the blur's kernel grows with the box, so
    its cost grew with the box's cube (24-57 ms per frame on a portrait phone's large feet);
    now it is about one pass over the box's pixels. Why not INTER_AREA: with a factor that
    is not whole it leaves fine stripes as a false texture. ``box_fits`` must hold."""
    import cv2

    if not box_fits(centre, side_px, img.shape):
        raise ValueError(f"no box of {side_px} px round {centre} in a {img.shape[:2]} picture")
    h, w = img.shape[:2]
    s = ROI_PX / side_px
    cx, cy = float(centre[0]), float(centre[1])
    half = int(np.ceil(side_px / 2 + 1.5 / min(s, 1.0))) + 2  # the box and 3 sigma of the blur
    x0, y0 = int(np.floor(cx)) - half, int(np.floor(cy)) - half
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(w, x0 + 2 * half), min(h, y0 + 2 * half)
    img, cx, cy = _gray(img[ya:yb, xa:xb]), cx - xa, cy - ya  # not empty: the box overlaps the picture
    if s < 1:
        k = 0  # halvings: each is a 5-tap binomial blur (variance 1 pixel^2 of its input) and a decimation
        while side_px * 0.5 ** k > SHRINK_TO * ROI_PX and min(img.shape[:2]) > 1:
            img, k = cv2.pyrDown(img, borderType=cv2.BORDER_REPLICATE), k + 1
        cx, cy, s = cx * 0.5 ** k, cy * 0.5 ** k, s * 2 ** k  # pyrDown's pixel i sits on its input's 2i
        sigma = float(np.sqrt(max(0.25 / s ** 2 - (1 - 4.0 ** -k) / 3, 1e-4)))  # what the halvings left
        img = cv2.GaussianBlur(img, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    m = np.array([[s, 0, ROI_PX / 2 - s * cx], [0, s, ROI_PX / 2 - s * cy]], np.float32)
    return cv2.warpAffine(img, m, (ROI_PX, ROI_PX), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


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
    frame without landmarks must not become an empty rest box); None where there is no box
    (no landmarks, or ``box_fits`` fails)."""
    out, rest = [], None
    for gray, c in zip(grays, boxes.centre):
        if not box_fits(c, boxes.side_px, gray.shape):
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
