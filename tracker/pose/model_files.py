"""Find and verify the pose model bundle; never download anything.

Why: a damaged or missing model must be a clear one-line error naming the fix, and the
bundled files are checked against models/SHA256SUMS so a flipped byte cannot silently
shift every landmark.
"""
from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

from tracker.errors import ModelError

MODEL_NAMES = ("lite", "full", "heavy")
# full by default: it counted every benchmark clip exactly and runs at camera speed on two
# cores; heavy measures angles better on hard views but runs at ~13 fps (README, Accuracy).
DEFAULT_MODEL = "full"
BUILD_HINT = "build it with: tracker models --build {name}"


def models_dir() -> Path:
    """The folder holding the bundled .task files (the repo's models/, installed as tracker._models)."""
    env = os.environ.get("TRACKER_MODELS_DIR")
    if env:
        return Path(env)
    return Path(str(resources.files("tracker._models")))


def cache_dir() -> Path:
    """Where models built on demand go when the package folder is read-only."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "footdrop-tracker" / "models"


def _manifest(folder: Path) -> dict[str, str]:
    path = folder / "SHA256SUMS"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[1]] = parts[0]
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve_model(spec: str | os.PathLike | None = None, verify: bool = True) -> Path:
    """Turn 'lite' | 'full' | 'heavy' | a path into a verified .task path.

    A named model must match its checksum in the manifest; a user-supplied path (for
    example Google's official bundle) is only checked for existence and zip format.
    """
    spec = str(spec or DEFAULT_MODEL)
    if spec in MODEL_NAMES:
        fname = f"pose_landmarker_{spec}.task"
        hint = BUILD_HINT.format(name=spec)
        candidates = [models_dir() / fname, cache_dir() / fname]
        path = next((p for p in candidates if p.exists()), None)
        if path is None:
            raise ModelError(f"pose model '{spec}' not found (looked in {candidates[0].parent}); {hint}")
        if verify:
            expected = _manifest(path.parent).get(fname)
            if expected is None and path.parent == cache_dir():
                expected = _manifest(models_dir()).get(fname)
            if expected is not None and sha256_file(path) != expected:
                raise ModelError(f"pose model {path} is damaged (checksum mismatch); {hint}")
        return path
    path = Path(spec).expanduser()
    if not path.exists():
        raise ModelError(f"model file {path} not found; pass --model lite|full|heavy or a PoseLandmarker .task file")
    import zipfile

    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path} is not a MediaPipe .task bundle (not a zip); pass --model lite|full|heavy")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    if not {"pose_detector.tflite", "pose_landmarks_detector.tflite"} <= names:
        raise ModelError(f"{path} is not a PoseLandmarker bundle (has {sorted(names)[:3]}...); "
                         "pass --model lite|full|heavy")
    return path
