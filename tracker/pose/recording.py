"""Landmark recordings: every frame's pose saved to a versioned ``.npz`` and read back.

Why: re-analysis without re-running the model (seconds instead of minutes), fast tests on
real movement, and a benchmark cache. Format ``footdrop-poses`` version 1 (see README):

    meta        JSON string: format, version, source {name, kind, fps, width, height,
                frame_count, sha256}, model {name, sha256}, tracker_version, mode, pipeline
                (the pose pipeline, ``estimator.PIPELINE_VERSION``; older files lack it: ``posed_by``)
    index (N,) int32 · t (N,) float64 seconds · norm (N,33,3) float32 · visibility (N,33)
    presence (N,33) · world (N,33,3) float32 metres · people (N,) int16
    (rows of a frame without a person are NaN)
    optional: foot_turn (N,2) float32 degrees, the feet's turn from the pixels (left, right;
    ``tracker.pose.foot_turn``) · foot_moved (N,2) int16, the moved corners it rests on.
    A recording without them (made before, or with the turn off) loads and counts as before.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from tracker.errors import InputError
from tracker.files import atomic_path
from tracker.pose.estimator import PIPELINE_VERSION, PoseFrame
from tracker.pose.recording_check import (
    ARRAYS,
    FORMAT,
    OPTIONAL,
    VERSION,
    check_feet,
    check_headers,
    check_meta,
    check_times,
    damaged,
)

RECORDING_EXTS = (".npz",)


@dataclass
class PoseRecording:
    """A whole clip's landmarks as arrays (the pure-maths stages work on these directly)."""

    t: np.ndarray
    norm: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    people: np.ndarray
    index: np.ndarray
    width: int
    height: int
    meta: dict = field(default_factory=dict)
    foot_turn: np.ndarray | None = None  # (N, 2) degrees, image axes, left then right; None: not measured
    foot_moved: np.ndarray | None = None  # (N, 2) moved corners under each turn

    def __len__(self) -> int:
        return len(self.t)

    @property
    def fps(self) -> float:
        src = self.meta.get("source", {})
        if src.get("fps"):
            return float(src["fps"])
        return float(1.0 / np.median(np.diff(self.t))) if len(self.t) > 1 else 30.0

    @classmethod
    def from_frames(cls, frames: list[PoseFrame], meta: dict | None = None) -> "PoseRecording":
        if not frames:
            raise InputError("no frames to record")
        return cls(
            t=np.array([f.t for f in frames], np.float64),
            norm=np.stack([f.norm for f in frames]).astype(np.float32),
            visibility=np.stack([f.visibility for f in frames]).astype(np.float32),
            presence=np.stack([f.presence for f in frames]).astype(np.float32),
            world=np.stack([f.world for f in frames]).astype(np.float32),
            people=np.array([f.people for f in frames], np.int16),
            index=np.array([f.index for f in frames], np.int32),
            width=frames[0].width, height=frames[0].height, meta=dict(meta or {}),
            **_feet_of(frames),
        )

    def take(self, keep) -> "PoseRecording":
        """The frames ``keep`` (an index array or a mask), every per-frame array alike."""
        ft = {k: getattr(self, k)[keep] for k in OPTIONAL if getattr(self, k) is not None}
        return PoseRecording(self.t[keep], self.norm[keep], self.visibility[keep], self.presence[keep],
                             self.world[keep], self.people[keep], self.index[keep], self.width, self.height,
                             dict(self.meta), **ft)

    def frames(self) -> Iterator[PoseFrame]:
        for i in range(len(self)):
            yield PoseFrame(int(self.index[i]), float(self.t[i]), self.width, self.height,
                            self.norm[i], self.visibility[i], self.presence[i], self.world[i],
                            int(self.people[i]),
                            foot_turn=None if self.foot_turn is None else self.foot_turn[i],
                            foot_moved=None if self.foot_moved is None else self.foot_moved[i])

    def save(self, path: str | os.PathLike) -> Path:
        """Write atomically (temp file + rename) so an interrupted save never leaves half a file."""
        path = Path(path)
        meta = dict(self.meta, format=FORMAT, version=VERSION, width=self.width, height=self.height)
        extra = {k: getattr(self, k) for k in OPTIONAL if getattr(self, k) is not None}
        with atomic_path(path, suffix=".tmp.npz") as tmp:
            np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), t=self.t, norm=self.norm,
                                visibility=self.visibility, presence=self.presence, world=self.world,
                                people=self.people, index=self.index, **extra)
        return path


def _feet_of(frames: list[PoseFrame]) -> dict:
    """The foot turn arrays when the pose step measured them (in every frame), else nothing."""
    if any(f.foot_turn is None for f in frames):
        return {}
    return {"foot_turn": np.stack([f.foot_turn for f in frames]).astype(np.float32),
            "foot_moved": np.stack([f.foot_moved for f in frames]).astype(np.int16)}


def load_recording(path: str | os.PathLike) -> PoseRecording:
    """Read a recording, checking declared sizes and types before loading anything and the
    metadata and time base before returning it (see ``recording_check``)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such recording; make one with: tracker pose VIDEO -o {path.name}")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a recording; pass the .npz file")
    try:
        check_headers(path)
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            check_meta(path, meta)
            arrays = {k: z[k] for k in ARRAYS}
            arrays.update({k: z[k] for k in OPTIONAL if k in z.files})
    except InputError:
        raise
    except Exception as exc:  # any way a zip, its arrays or its JSON can be broken (encrypted members,
        # unknown compression, nesting deep enough to exhaust recursion, ...): damaged, exit 3
        raise damaged(path, f"not a footdrop-poses recording ({type(exc).__name__})") from exc
    check_times(path, arrays["t"])
    check_feet(path, arrays)
    return PoseRecording(width=meta["width"], height=meta["height"], meta=meta, **arrays)


def posed_by(meta: dict, has_turn: bool) -> int:
    """The pose pipeline (``estimator.PIPELINE_VERSION``) that made a recording: its meta's
    ``pipeline``; in one made before that was stored, 3 if it holds the foot turn, else 2 (or
    older). Why: a corpus posed by an older pipeline lacks what a newer one adds (the foot
    turn), and counting it then silently falls back (see ``tools/corpus.py pose``)."""
    return int(meta.get("pipeline") or (3 if has_turn else 2))


def recording_pipeline(path: str | os.PathLike) -> int:
    """``posed_by`` of a recording file, reading only its meta and the names of its arrays."""
    with np.load(path, allow_pickle=False) as z:
        return posed_by(json.loads(str(z["meta"])), "foot_turn" in z.files)


def older_pipeline(path: str | os.PathLike) -> int | None:
    """The pose pipeline that made the recording at ``path`` when it is older than this one
    (0: there is none), else None: the corpus tools re-pose or list such clips."""
    v = recording_pipeline(path) if Path(path).exists() else 0
    return v if v < PIPELINE_VERSION else None


def is_recording(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in RECORDING_EXTS


def record_video(source, estimator, progress=None, on_frame=None, timings: list | None = None) -> PoseRecording:
    """Run ``estimator`` over every frame of ``source``; Ctrl-C keeps the frames done so far.

    Returns the recording; if interrupted, the partial recording is attached to the
    KeyboardInterrupt as ``exc.partial`` so the caller can still save it. ``timings``, if
    given, receives (decode_s, pose_s) per frame (for the benchmark); the frames are then
    read in turn with the model, else a thread decodes ahead while the model runs.
    """
    import time

    from tracker.sources.readahead import read_ahead

    frames: list[PoseFrame] = []
    # a camera or stream is read in turn: read ahead buys nothing live, and a reader thread
    # waiting on a reconnecting stream would keep Ctrl-C waiting for its back-off
    ahead = timings is None and source.info.kind != "camera"
    it = read_ahead(source) if ahead else iter(source)
    try:
        while True:
            t0 = time.perf_counter()
            try:
                frame = next(it)
            except StopIteration:
                break
            t1 = time.perf_counter()
            pf = estimator.process(frame)
            if timings is not None:
                timings.append((t1 - t0, time.perf_counter() - t1))
            frames.append(pf)
            if on_frame is not None:
                on_frame(pf)
            if progress is not None:
                progress.update(1)
    except KeyboardInterrupt as exc:
        try:
            _stop(it)  # before the source's state (damage) is read for the meta
        except KeyboardInterrupt:
            pass  # a second Ctrl-C while the reader stops: this first one keeps the frames done
        exc.partial = PoseRecording.from_frames(frames, recording_meta(source, estimator)) if frames else None
        raise
    finally:
        _stop(it)  # the reader thread is done before anyone reads the source's state or closes it
    return PoseRecording.from_frames(frames, recording_meta(source, estimator))


def _stop(it) -> None:
    close = getattr(it, "close", None)
    if close is not None:
        close()


def recording_meta(source, estimator) -> dict:
    from tracker import __version__
    from tracker.pose.model_files import sha256_file

    info = source.info
    stride = getattr(source, "stride", 1)
    src = {"name": info.name, "kind": info.kind, "fps": info.fps / stride, "fps_reliable": info.fps_reliable,
           "width": info.width, "height": info.height, "frame_count": info.frame_count, "stride": stride}
    if info.kind == "video":
        src["sha256"] = sha256_file(Path(info.name))
    damage = source.damage_note() if hasattr(source, "damage_note") else None
    if damage:
        src["damaged"] = damage  # analysing the recording warns as analysing the video did
    return {"source": src, "tracker_version": __version__, "pipeline": PIPELINE_VERSION, "mode": estimator.mode,
            "model": {"name": Path(estimator.model_path).name, "sha256": sha256_file(Path(estimator.model_path))}}
