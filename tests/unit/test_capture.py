"""Frame sources: timestamps, formats and one clear error per kind of bad input."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tracker.errors import InputError
from tracker.sources.camera import CameraSource
from tracker.sources.capture import ImageFolderSource, VideoFileSource, open_source
from tracker.sources.frames import to_bgr8


def write_video(path, n=20, size=(160, 120), fps=20.0):
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert w.isOpened()
    for i in range(n):
        img = np.full((size[1], size[0], 3), (i * 10) % 255, np.uint8)
        cv2.putText(img, str(i), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255), 2)
        w.write(img)
    w.release()
    return path


def test_video_file_reports_info_and_container_timestamps(tmp_path):
    path = write_video(tmp_path / "v.mp4", n=25, fps=20.0)
    with VideoFileSource(path) as src:
        assert src.info.kind == "video" and (src.info.width, src.info.height) == (160, 120)
        assert src.info.fps == pytest.approx(20.0) and src.info.frame_count == 25
        frames = list(src)
    assert len(frames) == 25
    t = np.array([f.t for f in frames])
    assert t[0] == 0.0 and np.all(np.diff(t) > 0)
    assert np.allclose(np.diff(t), 1 / 20.0, atol=1e-3)
    assert frames[3].image.shape == (120, 160, 3) and frames[3].image.dtype == np.uint8


def test_max_fps_skips_frames_but_keeps_true_timestamps(tmp_path):
    path = write_video(tmp_path / "v30.mp4", n=30, fps=30.0)
    with VideoFileSource(path, max_fps=15) as src:
        assert src.stride == 2
        frames = list(src)
    assert [f.index for f in frames] == list(range(0, 30, 2))
    assert np.allclose(np.diff([f.t for f in frames]), 2 / 30.0, atol=1e-3)
    with VideoFileSource(path, max_fps=30) as src:
        assert src.stride == 1


@pytest.mark.parametrize("content,match", [
    (b"", "empty"),
    (b"this is a text file renamed to mp4\n" * 20, "not a video|no readable video frames"),
])
def test_bad_video_files(tmp_path, content, match):
    p = tmp_path / "bad.mp4"
    p.write_bytes(content)
    with pytest.raises(InputError, match=match):
        VideoFileSource(p)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        VideoFileSource(tmp_path / "nope.mp4")
    with pytest.raises(InputError, match="is a folder"):
        VideoFileSource(tmp_path)


def test_zero_frame_video(tmp_path):
    p = write_video(tmp_path / "zero.mp4", n=0)
    with pytest.raises(InputError):
        VideoFileSource(p)


def test_truncated_video_reads_what_is_there_or_fails_cleanly(tmp_path):
    p = write_video(tmp_path / "full.mp4", n=60, size=(320, 240))
    data = p.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    try:
        with VideoFileSource(cut) as src:
            n = sum(1 for _ in src)
        assert 0 < n <= 60
    except InputError as exc:
        assert "cut.mp4" in str(exc)


def test_tiny_frames_rejected_huge_frames_downscaled(tmp_path):
    with pytest.raises(InputError, match="too small"):
        VideoFileSource(write_video(tmp_path / "tiny.mp4", n=3, size=(8, 8)))
    big = to_bgr8(np.zeros((4320, 7680, 3), np.uint8))
    assert max(big.shape[:2]) == 1920


def test_grayscale_and_four_channel_frames_become_bgr(tmp_path):
    assert to_bgr8(np.zeros((50, 60), np.uint8)).shape == (50, 60, 3)
    assert to_bgr8(np.zeros((50, 60, 4), np.uint8)).shape == (50, 60, 3)
    assert to_bgr8(np.full((50, 60), 65535, np.uint16)).max() == 255
    folder = tmp_path / "imgs"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.zeros((100, 120), np.uint8))
    cv2.imwrite(str(folder / "b.png"), np.zeros((100, 120, 4), np.uint8))
    with ImageFolderSource(folder) as src:
        frames = list(src)
    assert [f.image.shape for f in frames] == [(100, 120, 3)] * 2
    assert frames[1].t == pytest.approx(1 / 30)


def test_empty_folder_and_missing_camera(tmp_path):
    with pytest.raises(InputError, match="holds no images"):
        ImageFolderSource(tmp_path)
    with pytest.raises(InputError, match="camera 97 could not be opened"):
        CameraSource(97)
    with pytest.raises(InputError):
        open_source("97")
