"""Pure numpy/cv2 maths of the close-up path: point motion between two frames, robust
rigid fits, and where in the picture something moves differently from the background.

Why dense flow on a grid and frame-to-frame fits: a close-up foot (bare skin, a sock)
has few corners, but its shading moves with it; DIS flow on a 320-pixel frame costs a
few milliseconds, a RANSAC homography takes out the camera and floor plane, and a RANSAC
similarity on what is left gives the foot's rotation without any model of a body.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WORK_SIDE = 320  # longest side of the working frame, pixels: a foot spans 40-150 px here
GRID = 5  # working pixels between flow samples (and cells of the motion map)
FIT_REL = 0.15  # the foot fit's inlier distance, as a share of its median motion (0.3: worse)
FIT_PX = 0.7  # RANSAC inlier distance of the foot's fit (working px)
MOVE_PX = 0.35  # a point moved differently from the background by more than this (working px)


@dataclass(frozen=True)
class Fit:
    """A similarity transform ``p1 ≈ s R(angle) p0 + t`` and how well it held."""

    angle_deg: float
    scale: float
    tx: float
    ty: float
    inliers: int
    residual_px: float  # median residual of the inliers

    @property
    def matrix(self) -> np.ndarray:
        a = math.radians(self.angle_deg)
        c, s = self.scale * math.cos(a), self.scale * math.sin(a)
        return np.array([[c, -s, self.tx], [s, c, self.ty]])




@dataclass(frozen=True)
class PointPairs:
    """Grid points of one frame and where dense flow moved them in the next (working px)."""

    p0: np.ndarray  # (N, 2) float32
    p1: np.ndarray  # (N, 2) float32
    background: np.ndarray  # 3x3 homography: the dominant (camera + floor plane) motion
    cut: bool = False  # a scene cut: nothing from before may be compared with after
    key: int = -1  # index of the frame p0 lies in (a key frame a few frames back)


def work_scale(width: int, height: int, side: int = WORK_SIDE) -> float:
    return min(1.0, side / max(width, height))


def to_work_gray(image: np.ndarray, scale: float) -> np.ndarray:
    """BGR frame → grey working frame (reduced: the speed target is the pose path's)."""
    import cv2

    g = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    if scale < 1.0:
        g = cv2.resize(g, (round(g.shape[1] * scale), round(g.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    return g


def fit_similarity(p0: np.ndarray, p1: np.ndarray, thresh_px: float = 1.0) -> Fit | None:
    """RANSAC similarity p0 → p1; None with too few points or no consensus."""
    import cv2

    if len(p0) < 4:
        return None
    m, inl = cv2.estimateAffinePartial2D(p0, p1, method=cv2.RANSAC, ransacReprojThreshold=thresh_px,
                                         maxIters=200, confidence=0.98, refineIters=5)
    if m is None or inl is None or int(inl.sum()) < 3:
        return None
    keep = inl.ravel().astype(bool)
    pred = p0[keep] @ m[:, :2].T + m[:, 2]
    res = float(np.median(np.linalg.norm(pred - p1[keep], axis=1)))
    return Fit(math.degrees(math.atan2(m[1, 0], m[0, 0])), float(math.hypot(m[0, 0], m[1, 0])),
               float(m[0, 2]), float(m[1, 2]), int(keep.sum()), res)


def apply_inverse(h: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Undo the background's motion on points of the second frame (camera shake removed)."""
    import cv2

    if not len(p):
        return p
    return cv2.perspectiveTransform(p.reshape(-1, 1, 2).astype(np.float32), np.linalg.inv(h)).reshape(-1, 2)


_DIS = None


def _flow(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Dense optical flow (DIS, OpenCV's fastest): smooth skin and socks have few corners
    for sparse tracking, but shading still moves with the foot."""
    import cv2

    global _DIS
    if _DIS is None:
        # ULTRAFAST down to half resolution: measured on the synthetic foot, 0.9-0.95 of a
        # 1-8 degree rotation at 2.6 ms; FAST at its default scale gave 0.4 of 1 degree.
        _DIS = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        _DIS.setFinestScale(1)
    return _DIS.calc(prev, cur, None)


def grid_points(shape: tuple[int, int]) -> np.ndarray:
    """(N, 2) the flow grid of a working frame, row by row (``grid_shape`` rows/cols)."""
    ys, xs = np.mgrid[GRID // 2:shape[0]:GRID, GRID // 2:shape[1]:GRID]
    return np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)


def advance(prev: np.ndarray, cur: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points of ``prev`` moved into ``cur`` by the dense flow between the two (sampled
    between grid nodes): frame-to-frame motion is small, which flow measures best."""
    import cv2

    f = _flow(prev, cur)
    xy = pts.reshape(-1, 1, 2)
    moved = cv2.remap(f, xy[..., 0].copy(), xy[..., 1].copy(), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return (pts + moved.reshape(-1, 2)).astype(np.float32)


CHAIN_PX = 3.0  # beyond this motion since the key frame, trust the frame-to-frame sum


def best_of(p0: np.ndarray, chained: np.ndarray, direct: np.ndarray) -> np.ndarray:
    """Per point, the direct key-to-now flow for small motions (frame-to-frame steps would
    be sub-pixel, which flow underestimates) and the sum of frame-to-frame steps for large
    ones (which direct flow loses)."""
    far = np.linalg.norm(chained - p0, axis=1) > CHAIN_PX
    return np.where(far[:, None], chained, direct).astype(np.float32)


def pairs_since(p0: np.ndarray, p1: np.ndarray, key: int) -> PointPairs:
    """Grid points of a key frame and where they are now, with the background's motion
    as a RANSAC homography (a hand-held phone close to the floor sees the floor plane move
    in perspective, which a similarity cannot undo)."""
    import cv2

    h, _ = cv2.findHomography(p0, p1, cv2.RANSAC, 0.5, maxIters=300, confidence=0.98)
    return PointPairs(p0, p1, h if h is not None else np.eye(3), key=key)


EMPTY = np.zeros((0, 2), np.float32)


def cut_pair(key: int) -> PointPairs:
    """No comparison possible (the first frame, or a scene cut)."""
    return PointPairs(EMPTY, EMPTY, np.eye(3), cut=True, key=key)


def frame_change(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that changed a lot: a hard cut changes most of the picture."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16)) > 40))


MAP_MOVE_PX = 1.0  # the motion map counts a point moving this much relative to its surroundings
MAX_MOVE_PX = 8.0  # ... up to this much (a foot moves fast; shadows and flow noise slowly)
LOCAL_GRIDS = 15  # the surroundings: a box this many grid cells wide (75 working px)


def grid_shape(shape: tuple[int, int]) -> tuple[int, int]:
    """Rows and columns of the flow grid of a working frame."""
    return len(range(GRID // 2, shape[0], GRID)), len(range(GRID // 2, shape[1], GRID))


def local_residual(pairs: PointPairs, shape: tuple[int, int]) -> np.ndarray:
    """(rows, cols) how far each grid point moved unlike its surroundings (the local mean
    flow). A moving phone makes the near floor and the far wall move differently (parallax,
    which no single homography removes), but smoothly; a foot moves unlike what is around it."""
    import cv2

    gh, gw = grid_shape(shape)
    f = (pairs.p1 - pairs.p0).reshape(gh, gw, 2)
    local = cv2.blur(f, (LOCAL_GRIDS, LOCAL_GRIDS), borderType=cv2.BORDER_REFLECT)
    return np.linalg.norm(f - local, axis=2)


def motion_map(log: list[PointPairs], shape: tuple[int, int]) -> np.ndarray:
    """Per grid cell, how much and how often it moved unlike its surroundings: the mean
    over frames of that motion (from MAP_MOVE_PX, capped at MAX_MOVE_PX, as a share of it).

    A caption that changes once scores low (one frame); a shadow, a reflection or flow
    noise on a plain floor score low (small motion); a foot that moves through a set scores
    high wherever it goes.
    """
    acc = np.zeros(grid_shape(shape))
    n = 0
    for pairs in log:
        if pairs.cut or len(pairs.p0) != acc.size:
            continue
        n += 1
        r = local_residual(pairs, shape)
        acc += np.where(r > MAP_MOVE_PX, np.minimum(r, MAX_MOVE_PX) / MAX_MOVE_PX, 0.0)
    return acc / max(n, 1)


@dataclass(frozen=True)
class Regions:
    """Where the foot and the shank above it are, in working pixels (x0, y0, x1, y1)."""

    foot: tuple[int, int, int, int]
    shank: tuple[int, int, int, int]
    strength: float  # how persistently the foot region moved (share of frames)

    @staticmethod
    def contains(box: tuple[int, int, int, int], p: np.ndarray) -> np.ndarray:
        x0, y0, x1, y1 = box
        return (p[:, 0] >= x0) & (p[:, 0] < x1) & (p[:, 1] >= y0) & (p[:, 1] < y1)


GAP = 3  # cells between the foot's box and the shank's: the heel and ankle move little, so
# the moving region starts below them; they must not be taken for the shank
SHANK_SHARE = 0.5  # the shank: a band this share of the foot region's height above it
MIN_PERSIST = 0.01  # a foot region must score at least this (a still or shaking scene: ~0)
BLOB_SHARE = 0.5  # the foot: cells scoring at least this share of the strongest


def find_regions(mm: np.ndarray) -> Regions | None:
    """The moving foot: the strongest persistently moving blob, weighted toward the bottom
    of the picture (feet are low in a close-up); the region it sweeps is the foot's box
    (each frame fits only the points in it that move), the band above it the shank's."""
    import cv2

    peak = float(mm.max()) if mm.size else 0.0
    if peak < MIN_PERSIST:
        return None
    on = (cv2.GaussianBlur(mm, (3, 3), 0) >= max(MIN_PERSIST, BLOB_SHARE * peak)).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(on, connectivity=8)
    rows = np.arange(mm.shape[0])[:, None] / max(1, mm.shape[0] - 1)
    best, best_score = 0, 0.0
    for k in range(1, n):
        score = float((mm * (lab == k) * (0.75 + 0.5 * rows)).sum())
        if score > best_score:
            best, best_score = k, score
    if best == 0:
        return None
    x, y, w, h = stats[best, :4]
    pad = 2
    if y <= 1:  # the whole leg moves (it fills the picture to the top): its upper part is the shank
        split = y + round(SHANK_SHARE * h)
        shank = ((x - pad) * GRID, 0, (x + w + pad) * GRID, (split - GAP) * GRID)
        foot = ((x - pad) * GRID, split * GRID, (x + w + pad) * GRID, (y + h + pad) * GRID)
    else:
        shank_h = max(2, round(SHANK_SHARE * h))
        foot = ((x - pad) * GRID, (y - pad) * GRID, (x + w + pad) * GRID, (y + h + pad) * GRID)
        top = max(0, y - pad - GAP)
        shank = ((x - pad) * GRID, max(0, top - shank_h) * GRID, (x + w + pad) * GRID, top * GRID)
    strength = float(mm[lab == best].mean())
    return Regions(tuple(max(0, v) for v in foot), tuple(max(0, v) for v in shank), strength)


def region_rotation(pairs: PointPairs, box: tuple[int, int, int, int],
                    moving_only: bool) -> tuple[float, Fit | None, int]:
    """(rotation in degrees relative to the background, its fit, points seen in the box)
    for one frame pair. ``moving_only``: fit only points that moved unlike the background
    (the foot within a box that also holds the floor it sweeps over); a still box: 0."""
    if pairs.cut or not len(pairs.p0):
        return float("nan"), None, 0
    inside = Regions.contains(box, pairs.p0)
    n = int(inside.sum())
    p0 = pairs.p0[inside]
    p1 = apply_inverse(pairs.background, pairs.p1[inside]).astype(np.float32)
    if moving_only:
        # what the background model leaves unexplained elsewhere (parallax of a moving
        # phone) sets how far a point must move to be the foot's
        thresh = MOVE_PX  # a threshold relative to the median motion was tried: worse on the ankle pumps
        mv = np.linalg.norm(p1 - p0, axis=1) > thresh
        if mv.sum() < 5:
            return 0.0, None, n
        p0, p1 = p0[mv], p1[mv]
    # a foot turning fast in a diagonal view does not move as one rigid 2-D body: the
    # inlier distance grows with how far it moved, or background points win the fit
    fit = fit_similarity(p0, p1, max(FIT_PX, FIT_REL * float(np.median(np.linalg.norm(p1 - p0, axis=1)))))
    if fit is None:
        return 0.0, None, n
    return fit.angle_deg, fit, n


PIVOT_MIN_DEG = 0.7  # rotations smaller than this locate their centre too poorly to use


def pivot_of(fits: list[Fit], box: tuple[int, int, int, int]) -> np.ndarray | None:
    """The ankle: the point the foot turns about, i.e. the median fixed point of its
    rotations (``x = A x + t``), kept only near the foot's box."""
    x0, y0, x1, y1 = box
    size = max(x1 - x0, y1 - y0)
    pts = []
    for f in fits:
        if abs(f.angle_deg) < PIVOT_MIN_DEG:
            continue
        m = f.matrix
        a = np.eye(2) - m[:, :2]
        if abs(np.linalg.det(a)) < 1e-4:
            continue
        p = np.linalg.solve(a, m[:, 2])
        if x0 - size <= p[0] <= x1 + size and y0 - size <= p[1] <= y1 + size:
            pts.append(p)
    return np.median(np.array(pts), axis=0) if len(pts) >= 3 else None


def place_shank(regions: Regions, pivot: np.ndarray, shape: tuple[int, int]) -> Regions:
    """The shank: a square above the ankle, half the foot's size, clear of the ankle. When
    the ankle is near the top of the picture (the whole leg moved: the moving region is
    leg and foot), the upper part of the moving region is the shank and the rest the foot."""
    x0, y0, x1, y1 = regions.foot
    side = max(10, round(0.5 * max(x1 - x0, y1 - y0)))
    cx, cy = float(pivot[0]), float(pivot[1])
    bottom = max(0, round(cy - 0.3 * side))
    if bottom - max(0, bottom - side) >= side / 2:
        shank = (max(0, round(cx - side / 2)), max(0, bottom - side), min(shape[1], round(cx + side / 2)), bottom)
        return Regions(regions.foot, shank, regions.strength)
    split = y0 + round(SHANK_SHARE * (y1 - y0))
    return Regions((x0, split + GAP * GRID, x1, y1), (x0, y0, x1, split), regions.strength)


def with_point(box: tuple[int, int, int, int], p: np.ndarray, shape: tuple[int, int],
               margin: int = 2 * GRID) -> tuple[int, int, int, int]:
    """The box grown to hold point ``p`` (and a margin around it)."""
    x0, y0, x1, y1 = box
    px, py = int(p[0]), int(p[1])
    return (max(0, min(x0, px - margin)), max(0, min(y0, py - margin)),
            min(shape[1], max(x1, px + margin)), min(shape[0], max(y1, py + margin)))
