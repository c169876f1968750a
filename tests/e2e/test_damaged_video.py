"""A video damaged in the middle: reading goes on past the damage where the decoder can,
says how much was read, and the set is marked partial (issue 17, item 5)."""
from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from tracker.app.cli import main
from tracker.sources.capture import VideoFileSource

N, FPS = 120, 30.0
SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def _clip(path: Path, fourcc: str) -> Path:
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS, (160, 120))
    assert w.isOpened()
    for i in range(N):
        img = np.full((120, 160, 3), (i * 2) % 255, np.uint8)
        cv2.putText(img, str(i), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 2)
        w.write(img)
    w.release()
    return path


def _overwrite_middle(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    a = len(data) // 2
    data[a:a + len(data) // 10] = bytes(len(data) // 10)
    path.write_bytes(bytes(data))
    return path


def _cut_middle(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("max_fps", [None, 15])
def test_reading_goes_on_past_damage_in_the_middle(max_fps, tmp_path):
    clip = _overwrite_middle(_clip(tmp_path / "v.mp4", "mp4v"))
    with VideoFileSource(clip, max_fps=max_fps) as src:
        frames = list(src)
        note = src.damage_note()
    t = np.array([f.t for f in frames])
    assert np.all(np.diff(t) > 0)
    assert t[-1] > (N - 4) / FPS  # the frames after the damage were read (the old code stopped at 1.6 s)
    assert note.startswith("partial: the video is damaged;") and f"of {N} frames could be read" in note
    assert "went on past 1 damaged place" in note and "stopped" not in note


def test_the_sample_damaged_in_the_middle_is_read_to_its_end(tmp_path):
    """The case of the issue: the 474-frame heel-raise sample was read to frame 232 only."""
    data = bytearray((SAMPLES / "heel_raise_side_left.mp4").read_bytes())
    a = len(data) // 2
    data[a:a + len(data) // 20] = bytes(len(data) // 20)
    clip = tmp_path / "heel.mp4"
    clip.write_bytes(bytes(data))
    with VideoFileSource(clip) as src:
        frames = list(src)
        note = src.damage_note()
    assert src.info.frame_count == 474 and len(frames) > 400
    assert frames[-1].t == pytest.approx(473 / 15, abs=0.1)
    assert note == f"partial: the video is damaged; {len(frames)} of 474 frames could be read, reading went on " \
                   "past 1 damaged place"


def test_a_cut_video_says_how_much_was_read(tmp_path):
    clip = _cut_middle(_clip(tmp_path / "v.avi", "MJPG"))
    with VideoFileSource(clip) as src:
        n = len(list(src))
        note = src.damage_note()
    assert n < N * 0.6
    assert note == f"partial: the video is damaged; {n} of {N} frames could be read and stopped before the end"


@pytest.mark.parametrize("fourcc,suffix", [("mp4v", ".mp4"), ("MJPG", ".avi")])
def test_a_whole_video_is_not_called_damaged(fourcc, suffix, tmp_path):
    for max_fps in (None, 15):
        with VideoFileSource(_clip(tmp_path / f"v{suffix}", fourcc), max_fps=max_fps) as src:
            list(src)
            assert src.damage_note() is None


def test_analyze_and_pose_mark_the_set_partial(tmp_path, capsys):
    clip = _overwrite_middle(_clip(tmp_path / "v.mp4", "mp4v"))
    summary = tmp_path / "sets.csv"
    assert main(["analyze", str(clip), "-e", "dorsiflexion", "--view", "body", "--model", "lite",
                 "--summary", str(summary), "--no-history"]) == 0
    assert "warning: partial: the video is damaged;" in capsys.readouterr().out
    with open(summary, newline="") as f:
        [row] = list(csv.DictReader(f))
    assert "partial: the video is damaged;" in row["warnings"]

    rec = tmp_path / "v.npz"
    assert main(["pose", str(clip), "-o", str(rec), "--model", "lite"]) == 0
    assert "warning: partial: the video is damaged;" in capsys.readouterr().err
    assert main(["analyze", str(rec), "-e", "dorsiflexion", "--no-history"]) == 0
    assert "warning: partial: the video is damaged;" in capsys.readouterr().out
