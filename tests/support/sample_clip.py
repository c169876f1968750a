"""A few seconds cut from a bundled sample: for tests where loading the model is the point."""
from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def short_clip(tmp_path: Path, seconds: float = 3.0, name: str = "heel_raise_side_left.mp4") -> Path:
    """The first ``seconds`` of a bundled sample, written to ``tmp_path/clip.mp4``."""
    import cv2

    src = cv2.VideoCapture(str(SAMPLES / name))
    fps = src.get(cv2.CAP_PROP_FPS) or 15.0
    out = tmp_path / "clip.mp4"
    writer = None
    for _ in range(int(seconds * fps)):
        ok, img = src.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (img.shape[1], img.shape[0]))
        writer.write(img)
    src.release()
    if writer is None:
        pytest.skip(f"no bundled sample {name}")
    writer.release()
    return out
