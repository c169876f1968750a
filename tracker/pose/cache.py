"""Cache of landmark recordings keyed by (video sha256, model sha256, running mode, pose
pipeline version).

Why: the counting stages run in milliseconds but the pose model takes minutes per clip;
the benchmark and the clip tests re-run counting over cached landmarks. Delete the folder
(or pass --no-cache to the benchmark) to force a full run.
"""
from __future__ import annotations

import os
from pathlib import Path

from tracker.pose.model_files import resolve_model, sha256_file
from tracker.pose.recording import PoseRecording, load_recording, record_video


def cache_root() -> Path:
    env = os.environ.get("TRACKER_POSE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "footdrop-tracker" / "poses"


def cache_key(video: Path, model: str, mode: str = "video", stride: int = 1) -> str:
    from tracker.pose.estimator import PIPELINE_VERSION

    return (f"{sha256_file(Path(video))[:16]}-{sha256_file(resolve_model(model))[:12]}-{mode}"
            f"-p{PIPELINE_VERSION}" + (f"-s{stride}" if stride > 1 else ""))


def cached_recording(video: str | os.PathLike, model: str = "full", mode: str = "video",
                     use_cache: bool = True, timings: list | None = None,
                     max_fps: float | None = None) -> PoseRecording:
    """Landmarks of ``video`` with ``model``, from the cache when present.

    ``timings``, if given, receives (decode_s, pose_s) per frame when the model is run.
    """
    from tracker.pose.estimator import PoseEstimator
    from tracker.sources.capture import open_source

    video = Path(video)
    with open_source(video, max_fps=max_fps) as probe:
        stride = getattr(probe, "stride", 1)
    path = cache_root() / f"{cache_key(video, model, mode, stride)}.npz"
    if use_cache and path.exists():
        return load_recording(path)
    with open_source(video, max_fps=max_fps) as src, PoseEstimator(model, mode=mode, foot_turn=True) as est:
        rec = record_video(src, est, timings=timings)
    path.parent.mkdir(parents=True, exist_ok=True)
    rec.save(path)
    return rec
