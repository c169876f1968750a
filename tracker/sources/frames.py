"""What every frame source yields and promises: ``Frame``, ``SourceInfo`` and the
``FrameSource`` interface, and the one normalisation (``to_bgr8``) all pictures pass through."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from tracker.errors import InputError

# Frames larger than this (long side) are downscaled before pose estimation: the landmarker
# works at 256 px anyway and an 8K frame would only cost memory and time.
MAX_SIDE = 1920
MIN_SIDE = 32
FALLBACK_FPS = 30.0


@dataclass(frozen=True)
class SourceInfo:
    kind: str  # "camera" | "video" | "images"
    name: str  # file path or "camera:0"
    fps: float  # nominal frames per second (container or camera); FALLBACK_FPS if unknown
    width: int
    height: int
    frame_count: int | None  # None when unknown (cameras)
    fps_reliable: bool = True  # False when the container's fps was 0 or absurd


@dataclass
class Frame:
    index: int
    t: float  # seconds since the start of the source
    image: np.ndarray = field(repr=False)  # BGR uint8, H x W x 3


def to_bgr8(img: np.ndarray) -> np.ndarray:
    """Normalise grayscale, BGRA and 16-bit frames to the BGR uint8 the pipeline expects."""
    import cv2

    if img.dtype != np.uint8:
        scale = 255.0 / max(float(np.iinfo(img.dtype).max) if img.dtype.kind in "ui" else 1.0, 1.0)
        img = np.clip(img.astype(np.float32) * scale, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 1:
        img = cv2.cvtColor(img[:, :, 0], cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    h, w = img.shape[:2]
    if max(h, w) > MAX_SIDE:
        s = MAX_SIDE / max(h, w)
        img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img)


class FrameSource:
    """Iterate ``Frame`` objects; use as a context manager so devices are released."""

    info: SourceInfo

    def __iter__(self) -> Iterator[Frame]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_size(w: int, h: int, name: str) -> None:
    if min(w, h) < MIN_SIDE:
        raise InputError(f"{name}: frames are {w}x{h} pixels, too small to find a person; "
                         "use a video of at least 320x240")
