"""Videos out: the one mp4 writer, and ``--annotate`` (an analysed set drawn on its video).

The annotated video uses the live overlay and the same view model as live
(``tracker.sinks.view``), so a therapist sees exactly what a patient would have seen.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tracker.errors import RuntimeFailure


class Mp4Writer:
    """Opens on the first frame (its size sets the video's) and fails with one line when
    the file cannot be written."""

    def __init__(self, path: str | os.PathLike, fps: float):
        self.path, self.fps = Path(path), fps
        self._writer = None

    def write(self, img: np.ndarray) -> None:
        import cv2

        if self._writer is None:
            h, w = img.shape[:2]
            self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._writer.isOpened():
                self._writer = None
                raise RuntimeFailure(f"cannot write video {self.path}; choose a .mp4 path in a writable folder")
        self._writer.write(img)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None


def annotate_video(video: str | Path, result, out: str | Path) -> Path:
    """Write ``video`` with the overlay of ``result`` (an offline SetResult) on every frame."""
    from tracker.exercises import EXERCISES
    from tracker.sinks.overlay import draw_overlay
    from tracker.sinks.view import leg_points, overlay_view, state_at
    from tracker.sources.capture import open_source

    ex = EXERCISES[result.info.exercise]
    rec, n = result.recording, len(result.t)
    with open_source(video) as src:
        writer = Mp4Writer(out, src.info.fps)
        try:
            for frame in src:
                # analysed frames may be a subset (--max-fps): show the latest analysed state
                i = min(max(int(np.searchsorted(result.t, frame.t + 1e-6)) - 1, 0), n - 1)
                st = state_at(result, i)
                seen = rec is not None and i < len(rec)
                px = rec.norm[i, :, :2] * np.array([rec.width, rec.height]) if seen else None
                view = overlay_view(
                    ex, st, float(result.t[i]), target=result.info.target, mode=result.info.mode,
                    side=result.info.side, stage="complete" if st.count >= result.info.target else None,
                    message=result.warnings[0] if result.warnings else "",
                    leg=leg_points(px, rec.visibility[i] if px is not None else None, result.info.side))
                writer.write(draw_overlay(frame.image.copy(), view))
        finally:
            writer.close()
    return Path(out)
