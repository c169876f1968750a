"""Outputs never destroy anything: not another output, an input, the history or a user's link;
they are claimed before the first frame, and the rows found are on disk while a run goes on."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.errors import EXIT_INPUT

from synthlegs import duration_for, make_recording, rep_profile


def _rec(path: Path, reps: int = 3, seed: int = 0) -> Path:
    t = np.arange(0, duration_for(reps), 1 / 30)
    return make_recording(t, dorsi=rep_profile(t, reps, 14.0), seed=seed).save(path)


def _refused(capsys, argv: list[str], text: str) -> None:
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == EXIT_INPUT, err
    assert text in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


# ------------------------------------------------------------------ 1, 2: one file, one role

@pytest.mark.parametrize("flags", [["--csv", "X", "--summary", "X"], ["--annotate", "X", "--csv", "X"],
                                   ["--csv", "X", "--summary", "./sub/../X"]])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_two_outputs_with_one_path_are_refused(tmp_path, capsys, monkeypatch, flags, force):
    rec = _rec(tmp_path / "r.npz")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", *flags, *force],
             "name the same file")
    assert not (tmp_path / "X").exists()


def test_an_output_is_never_an_input_force_or_not(tmp_path, capsys):
    first, second = _rec(tmp_path / "a.npz"), _rec(tmp_path / "b.npz", seed=1)
    before = second.read_bytes()
    for force in ([], ["--force"]):
        _refused(capsys, ["analyze", str(first), "-e", "dorsiflexion", "--no-history", "--csv", str(first), *force],
                 "is an input")
        # batch: the second input named as --csv (it would be overwritten before it is read)
        _refused(capsys, ["analyze", str(first), str(second), "-e", "dorsiflexion", "--no-history",
                          "--summary", str(second), *force], "is an input")
        # a folder's file, through a symlink and a hard link
        (tmp_path / "link.csv").unlink(missing_ok=True)
        (tmp_path / "link.csv").symlink_to(second)
        _refused(capsys, ["analyze", str(tmp_path), "-e", "dorsiflexion", "--no-history",
                          "--csv", str(tmp_path / "link.csv"), *force], "is an input")
        (tmp_path / "hard.csv").unlink(missing_ok=True)
        os.link(second, tmp_path / "hard.csv")
        _refused(capsys, ["analyze", str(second), "-e", "dorsiflexion", "--no-history",
                          "--csv", str(tmp_path / "hard.csv"), *force], "is an input")
    assert second.read_bytes() == before


def test_an_output_is_never_the_history_database(tmp_path, capsys):
    rec = _rec(tmp_path / "r.npz")
    db = tmp_path / "h.sqlite3"
    assert main(["analyze", str(rec), "-e", "dorsiflexion", "--db", str(db)]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--db", str(db), "--csv", str(db), "--force"],
             "is the history database")
    assert db.read_bytes() == before


def test_pose_output_is_never_its_input(tmp_path, capsys):
    rec = _rec(tmp_path / "r.npz")
    _refused(capsys, ["pose", str(rec), "-o", str(rec), "--force"], "is an input")


def test_live_never_writes_the_video_it_plays(tmp_path, capsys):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 4096)  # refused before it is opened: any content will do
    _refused(capsys, ["live", "--camera", str(clip), "--headless", "--write-video", str(clip), "--force",
                      "--no-history"], "is an input")
    assert clip.read_bytes() == b"\0" * 4096


# ------------------------------------------------------------------ 6: every destination before the first frame

def test_a_folder_as_database_is_refused_before_the_analysis(tmp_path, capsys, monkeypatch):
    import tracker.app.analyze as analyze

    def no_analysis(*a, **k):
        raise AssertionError("the analysis ran before the destination was checked")

    monkeypatch.setattr(analyze, "analyze_path", no_analysis)
    rec = _rec(tmp_path / "r.npz")
    (tmp_path / "dbdir").mkdir()
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--db", str(tmp_path / "dbdir")], "is a folder")
    # an unusable home: the default history folder cannot be created (its parent is a file)
    (tmp_path / "file").write_text("")
    monkeypatch.delenv("TRACKER_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "file" / "data"))
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion"], "history")
    # an unwritable CSV destination (read-only file system, even as root)
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", "/proc/r.csv"],
             "cannot write")


def test_a_folder_as_database_is_refused_before_live_starts(tmp_path, capsys, monkeypatch):
    import tracker.sources.capture as capture

    monkeypatch.setattr(capture, "open_source", lambda *a, **k: pytest.fail("the camera was opened first"))
    (tmp_path / "dbdir").mkdir()
    _refused(capsys, ["live", "--headless", "--db", str(tmp_path / "dbdir")], "is a folder")


# ------------------------------------------------------------------ 7: plots

def test_plots_are_not_overwritten_and_same_names_do_not_collide(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    a, b = _rec(tmp_path / "a" / "clip.npz", 2), _rec(tmp_path / "b" / "clip.npz", 4, seed=1)
    out = tmp_path / "reps.csv"
    assert main(["analyze", str(a), str(b), "-e", "dorsiflexion", "--no-history", "--csv", str(out),
                 "--plot"]) == 0
    pngs = sorted(tmp_path.glob("reps_*.png"))
    assert len(pngs) == 2 and pngs[0].read_bytes() != pngs[1].read_bytes()
    # the CSV gone, the plots still there: they need --force too, and stay as they were
    stamp = {p: p.read_bytes() for p in pngs}
    out.unlink()
    capsys.readouterr()
    _refused(capsys, ["analyze", str(a), str(b), "-e", "dorsiflexion", "--no-history", "--csv", str(out),
                      "--plot"], "already exists")
    assert {p: p.read_bytes() for p in pngs} == stamp and not out.exists()


# ------------------------------------------------------------------ 11: links

def test_a_dangling_link_as_output_is_refused_and_left_alone(tmp_path, capsys):
    rec = _rec(tmp_path / "r.npz")
    link, target = tmp_path / "out.csv", tmp_path / "elsewhere" / "target.csv"
    target.parent.mkdir()
    link.symlink_to(target)
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", str(link)],
             "link to a missing file")
    assert link.is_symlink() and os.readlink(link) == str(target) and not target.exists()
