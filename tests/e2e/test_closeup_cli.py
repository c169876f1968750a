"""`tracker analyze --view closeup` end to end on synthetic close-up videos (no ../shared)."""
from __future__ import annotations

import csv

from closeup_scene import write_video as _video

from tracker.app.cli import main
from tracker.counting.closeup import PLACE_CAMERA


def test_view_closeup_counts_a_synthetic_closeup_and_names_the_method(tmp_path, capsys):
    clip = _video(tmp_path / "closeup.mp4", 20.0)
    reps = tmp_path / "reps.csv"
    code = main(["analyze", clip, "-e", "dorsiflexion", "--view", "closeup", "--csv", str(reps), "--no-history"])
    assert code == 0
    rows = list(csv.DictReader(reps.open()))
    assert [r["counted"] for r in rows] == ["true"] * 3
    assert {r["method"] for r in rows} == {"closeup-motion"}
    assert "closeup-motion" in capsys.readouterr().out


def test_a_still_closeup_says_how_to_place_the_camera(tmp_path, capsys):
    clip = _video(tmp_path / "still.mp4", 0.0)
    assert main(["analyze", clip, "-e", "dorsiflexion", "--view", "closeup", "--no-history"]) == 0
    out = capsys.readouterr().out
    assert "0/10 reps" in out and PLACE_CAMERA in out


def test_auto_falls_back_to_the_closeup_when_no_body_is_in_view(tmp_path, capsys):
    """The default --view auto: the pose model finds no person in a feet-only video, the
    close-up method measures it; a still one gets the camera-placement line."""
    moving = _video(tmp_path / "moving.mp4", 20.0)
    still = _video(tmp_path / "still.mp4", 0.0)
    assert main(["analyze", moving, still, "-e", "dorsiflexion", "--no-history"]) == 0
    out = capsys.readouterr().out.splitlines()
    first = next(line for line in out if line.startswith("moving.mp4"))
    second = next(line for line in out if line.startswith("still.mp4"))
    assert "3/10 reps" in first and "closeup-motion" in first
    assert "0/10 reps" in second and "offline-peaks" in second
    assert any(PLACE_CAMERA in line for line in out)
