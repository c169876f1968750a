"""The bundled pose models: present, verified by checksum, clear errors when damaged."""
from __future__ import annotations

import shutil
import zipfile

import pytest

from tracker.errors import ModelError
from tracker.pose.model_files import models_dir, resolve_model, sha256_file


def test_bundled_models_match_manifest():
    manifest = (models_dir() / "SHA256SUMS").read_text().split()
    sums = dict(zip(manifest[1::2], manifest[0::2]))
    for name in ("lite", "full", "heavy"):
        path = resolve_model(name)
        assert sums[path.name] == sha256_file(path)
        with zipfile.ZipFile(path) as zf:
            assert set(zf.namelist()) == {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
            assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())


def test_checksum_detects_a_changed_byte(tmp_path, monkeypatch):
    src = resolve_model("lite")
    shutil.copy(src, tmp_path / src.name)
    shutil.copy(models_dir() / "SHA256SUMS", tmp_path / "SHA256SUMS")
    monkeypatch.setenv("TRACKER_MODELS_DIR", str(tmp_path))
    assert resolve_model("lite") == tmp_path / src.name
    data = bytearray((tmp_path / src.name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / src.name).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged.*tracker models --build lite"):
        resolve_model("lite")


def test_missing_and_bogus_models_give_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ModelError, match="not found.*tracker models --build full"):
        resolve_model("full")
    with pytest.raises(ModelError, match="not found"):
        resolve_model(tmp_path / "nope.task")
    bogus = tmp_path / "bogus.task"
    bogus.write_text("not a model")
    with pytest.raises(ModelError, match="not a MediaPipe .task bundle"):
        resolve_model(bogus)
    other_zip = tmp_path / "other.task"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("hand_detector.tflite", b"x")
    with pytest.raises(ModelError, match="not a PoseLandmarker bundle"):
        resolve_model(other_zip)


def test_build_script_reproduces_bundles_from_tarball(tmp_path):
    """Byte-reproducible build from the npm tarball (only where it is available offline)."""
    import os
    from pathlib import Path

    tgz = os.environ.get("TRACKER_NPM_TARBALL")
    if not tgz or not Path(tgz).exists():
        pytest.skip("set TRACKER_NPM_TARBALL to a local copy of @mediapipe/pose-0.5.1675469404.tgz")
    from tracker._models import build_models

    sums = build_models.build(["lite"], Path(tgz), tmp_path)
    assert sums["pose_landmarker_lite.task"] == sha256_file(resolve_model("lite"))
