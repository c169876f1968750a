"""Frames → typed per-frame pose results with MediaPipe's PoseLandmarker (Tasks API).

Why the extras around the landmarker:
- a sticky region of interest: a person under ~150 px tall is not detected in the full
  frame, and feet need pixels, so once someone is found we run on a crop around them;
- a person lock: when a helper assists a passive exercise two people are visible, and the
  tracked person must not jump from patient to helper;
- strictly increasing timestamps, which VIDEO mode requires.
"""
from __future__ import annotations

import atexit
import sys
from dataclasses import dataclass, field

import numpy as np

from tracker.errors import ModelError
from tracker.pose.foot_turn import FootTurns
from tracker.pose.landmarks import LEFT_HIP, NUM_LANDMARKS, RIGHT_HIP
from tracker.pose.model_files import resolve_model
from tracker.pose.native import import_tasks
from tracker.pose.no_network import call_offline
from tracker.sources.frames import Frame

# Bump when anything here changes what landmarks come out (ROI, search, person lock): the
# landmark cache is keyed by it, so stale cached landmarks are never reused.
PIPELINE_VERSION = 3  # 3: the foot turn (``foot_turn``) kept per frame
_unguarded_noted = False


@dataclass
class PoseFrame:
    """One frame's pose: landmarks of the tracked person, or ``detected=False``.

    ``norm`` holds x, y in [0, 1] of the full frame and MediaPipe's relative z; ``world``
    is in metres around the hips. Arrays are NaN when nothing was detected.
    """

    index: int
    t: float
    width: int
    height: int
    norm: np.ndarray = field(repr=False)  # (33, 3) float32
    visibility: np.ndarray = field(repr=False)  # (33,) float32
    presence: np.ndarray = field(repr=False)  # (33,) float32
    world: np.ndarray = field(repr=False)  # (33, 3) float32, metres
    people: int = 0  # how many people the landmarker saw in this frame
    crop: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 used, if any
    # the feet's in-plane turn from their rest boxes, degrees in image axes, left then right
    # (``tracker.pose.foot_turn``; NaN: not measured), and the moved corners it rests on;
    # None when the pose step did not compute it
    foot_turn: np.ndarray | None = field(default=None, repr=False)  # (2,) float32
    foot_moved: np.ndarray | None = field(default=None, repr=False)  # (2,) int16

    @property
    def detected(self) -> bool:
        return bool(np.isfinite(self.norm[0, 0]))

    @property
    def pixels(self) -> np.ndarray:
        """(33, 2) pixel coordinates in the full frame."""
        return self.norm[:, :2] * np.array([self.width, self.height], dtype=np.float32)

    @classmethod
    def empty(cls, index: int, t: float, width: int, height: int, people: int = 0) -> "PoseFrame":
        nan3 = np.full((NUM_LANDMARKS, 3), np.nan, np.float32)
        nan1 = np.full(NUM_LANDMARKS, np.nan, np.float32)
        return cls(index, t, width, height, nan3, nan1.copy(), nan1.copy(), nan3.copy(), people)


def turn_used() -> bool:
    """Does any exercise count from the feet's pixel turn (``Exercise.foot_turn``)?"""
    from tracker.exercises import EXERCISES

    return any(e.foot_turn for e in EXERCISES.values())


def _close_before_interpreter_exit(est: "PoseEstimator") -> None:
    """Close the landmarker at exit, BEFORE mediapipe's worker threads are shut down.

    Why: mediapipe 1.2 closes through a thread pool that concurrent.futures shuts down in
    threading's exit hooks, which run before ``atexit`` handlers; a landmarker closed later
    prints "cannot schedule new futures after shutdown" with a traceback after every run.
    threading's exit hooks run last-registered-first, so registering here runs us first.
    """
    import threading
    import weakref

    ref = weakref.ref(est)

    def _close():
        e = ref()
        if e is not None:
            e.close()

    register = getattr(threading, "_register_atexit", None)
    try:
        register(_close) if register else atexit.register(_close)
    except RuntimeError:  # already shutting down
        atexit.register(_close)


def _bbox(px: np.ndarray) -> tuple[float, float, float, float]:
    ok = np.isfinite(px[:, 0])
    return (float(px[ok, 0].min()), float(px[ok, 1].min()), float(px[ok, 0].max()), float(px[ok, 1].max()))


class RoiTracker:
    """Keeps a crop window around the tracked person; moves it only when needed.

    A window that jumps every frame would defeat MediaPipe's own frame-to-frame tracking, so
    it is recomputed only when the person leaves its inner part or changes size a lot.
    """

    MARGIN = 0.35  # of the person's box size, each side
    USE_BELOW = 0.55  # crop only when the person is less than this fraction of the frame height

    def __init__(self):
        self.window: tuple[int, int, int, int] | None = None
        self._misses = 0

    def reset(self) -> None:
        self.window = None

    def search_window(self, w: int, h: int) -> tuple[int, int, int, int] | None:
        """While nobody is found, alternate the full frame with tiles: 4 overlapping quadrants
        (60% of each side), then a 3x3 grid (40%). A person too small for the full-frame
        detector fills a tile 2-3 times as much. Still one model run per frame; a full cycle
        takes 26 frames (under a second at 30 fps)."""
        self._misses += 1
        tiles = self._tiles(w, h)
        k = self._misses % (2 * len(tiles))
        return None if k % 2 == 0 else tiles[k // 2]

    @staticmethod
    def _tiles(w: int, h: int) -> list[tuple[int, int, int, int]]:
        out = []
        for frac, n in ((0.6, 2), (0.4, 3)):
            tw, th = int(frac * w), int(frac * h)
            for j in range(n):
                for i in range(n):
                    x0 = round(i * (w - tw) / (n - 1))
                    y0 = round(j * (h - th) / (n - 1))
                    out.append((x0, y0, x0 + tw, y0 + th))
        return out

    def found(self) -> None:
        self._misses = 0

    def update(self, px: np.ndarray | None, w: int, h: int) -> None:
        if px is None or not np.isfinite(px[:, 0]).any():
            self.window = None
            return
        x0, y0, x1, y1 = _bbox(px)
        bw, bh = x1 - x0, y1 - y0
        if bh > self.USE_BELOW * h and bw > self.USE_BELOW * w:
            self.window = None
            return
        if self.window is not None:
            wx0, wy0, wx1, wy1 = self.window
            inner = 0.08
            mx, my = (wx1 - wx0) * inner, (wy1 - wy0) * inner
            inside = x0 >= wx0 + mx and y0 >= wy0 + my and x1 <= wx1 - mx and y1 <= wy1 - my
            side = max(bw, bh)
            fits = 0.45 < side / max(wx1 - wx0, wy1 - wy0) < 0.85
            if inside and fits:
                return
        side = max(bw, bh) * (1 + 2 * self.MARGIN)
        side = max(side, 160.0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        nx0, ny0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        nx1, ny1 = int(min(w, cx + side / 2)), int(min(h, cy + side / 2))
        if (nx1 - nx0) >= 0.9 * w and (ny1 - ny0) >= 0.9 * h:
            self.window = None
        else:
            self.window = (nx0, ny0, nx1, ny1)


class PoseEstimator:
    """Runs PoseLandmarker frame by frame and returns ``PoseFrame`` objects.

    ``mode='video'`` (default) uses MediaPipe's tracking across frames (files and the live
    loop, which feeds the newest frame with monotonic timestamps); ``mode='image'`` treats
    every frame independently (stills, or when tracking glitches matter more than speed).
    ``foot_turn``: also measure the feet's turn from the pixels (``tracker.pose.foot_turn``,
    eversion from the front; 1.5-3 ms per frame, whatever the picture's size); None: when some exercise counts from it.
    """

    def __init__(self, model: str | None = None, mode: str = "video", roi: bool = True,
                 num_poses: int = 2, min_detection: float = 0.5, min_presence: float = 0.5,
                 min_tracking: float = 0.5, foot_turn: bool | None = None):
        self.model_path = resolve_model(model)
        self.mode = mode
        self.num_poses = num_poses
        self._opts = dict(min_detection=min_detection, min_presence=min_presence, min_tracking=min_tracking)
        self._landmarker = self._create()
        self.roi = RoiTracker() if roi else None
        self._last_ms = -1
        self._last_center: np.ndarray | None = None
        self._last_size: float | None = None
        self._missed = 0
        self.feet = FootTurns() if (turn_used() if foot_turn is None else foot_turn) else None
        _close_before_interpreter_exit(self)

    def _create(self):
        """The landmarker, built where it cannot reach the network (see ``no_network``)."""
        global _unguarded_noted
        landmarker, why = call_offline(self._build)
        if why and not _unguarded_noted:
            _unguarded_noted = True
            print(f"tracker: note: the pose library could not be kept off the network ({why}); "
                  "it may send a usage log to play.googleapis.com", file=sys.stderr)
        return landmarker

    def _build(self):
        _, vision, BaseOptions = import_tasks()
        rm = vision.RunningMode.VIDEO if self.mode == "video" else vision.RunningMode.IMAGE
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=rm,
            num_poses=self.num_poses,
            min_pose_detection_confidence=self._opts["min_detection"],
            min_pose_presence_confidence=self._opts["min_presence"],
            min_tracking_confidence=self._opts["min_tracking"],
            output_segmentation_masks=False,
        )
        try:
            return vision.PoseLandmarker.create_from_options(opts)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"{self.model_path} could not be loaded as a PoseLandmarker model "
                             f"({str(exc).splitlines()[0][:120]}); pass --model lite|full|heavy") from exc

    def _detect(self, rgb: np.ndarray, ms: int):
        mp = import_tasks()[0]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self.mode == "video":
            return self._landmarker.detect_for_video(image, ms)
        return self._landmarker.detect(image)

    def process(self, frame: Frame) -> PoseFrame:
        pf = self._pose(frame)
        return self.feet.measure(frame.image, pf) if self.feet is not None else pf

    def _pose(self, frame: Frame) -> PoseFrame:
        import cv2

        img = frame.image
        h, w = img.shape[:2]
        ms = max(self._last_ms + 1, int(round(frame.t * 1000)))
        self._last_ms = ms
        window = None
        if self.roi is not None:
            window = self.roi.window if self.roi.window is not None else (
                self.roi.search_window(w, h) if self._missed > 0 else None)
        if window is not None:
            x0, y0, x1, y1 = window
            sub = img[y0:y1, x0:x1]
        else:
            x0, y0, x1, y1 = 0, 0, w, h
            sub = img
        rgb = cv2.cvtColor(sub, cv2.COLOR_BGR2RGB)
        result = self._detect(rgb, ms)
        poses = result.pose_landmarks or []
        if not poses:
            self._missed += 1
            if self.roi is not None and window is not None:
                self.roi.reset()  # look at the whole frame again next time
            return PoseFrame.empty(frame.index, frame.t, w, h)
        cw, ch = x1 - x0, y1 - y0
        candidates = []
        for k, lms in enumerate(poses):
            arr = np.array([[p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0] for p in lms], np.float32)
            arr[:, 0] = (arr[:, 0] * cw + x0) / w
            arr[:, 1] = (arr[:, 1] * ch + y0) / h
            candidates.append((k, arr))
        k, arr = self._choose(candidates, w, h)
        wl = result.pose_world_landmarks[k] if result.pose_world_landmarks else None
        world = (np.array([[p.x, p.y, p.z] for p in wl], np.float32) if wl is not None
                 else np.full((NUM_LANDMARKS, 3), np.nan, np.float32))
        pf = PoseFrame(frame.index, frame.t, w, h, arr[:, :3].copy(), arr[:, 3].copy(), arr[:, 4].copy(),
                       world, people=len(poses), crop=window)
        if self.roi is not None:
            self.roi.found()
            self.roi.update(pf.pixels, w, h)
        self._missed = 0
        return pf

    def _choose(self, candidates, w: int, h: int):
        """Lock onto one person: the largest at first, then the one nearest the last position."""
        scale = np.array([w, h], np.float32)

        def centre_size(arr):
            hips = arr[[LEFT_HIP, RIGHT_HIP], :2] * scale
            px = arr[:, :2] * scale
            return hips.mean(axis=0), float(np.ptp(px[:, 1]) + np.ptp(px[:, 0]))

        if len(candidates) == 1 and self._last_center is None:
            best = candidates[0]
        elif self._last_center is None or self._missed > 30:
            best = max(candidates, key=lambda c: centre_size(c[1])[1])
        else:
            def cost(c):
                centre, size = centre_size(c[1])
                d = float(np.linalg.norm(centre - self._last_center)) / max(self._last_size or 1.0, 1.0)
                return d + 0.5 * abs(np.log(max(size, 1.0) / max(self._last_size or 1.0, 1.0)))

            best = min(candidates, key=cost)
        self._last_center, self._last_size = centre_size(best[1])
        return best

    def close(self) -> None:
        lm, self._landmarker = getattr(self, "_landmarker", None), None
        if lm is not None:
            try:
                lm.close()
            except RuntimeError:
                # mediapipe's dispatcher is already shut down (interpreter exit): drop the
                # handle so its __del__ does not retry and print a traceback.
                lm._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
