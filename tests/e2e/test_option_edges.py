"""Option edges a user can hit: each is one line and the right exit code, never exit 4 or a
misleading hint (issue 17, item 15)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tracker.app import analyze
from tracker.app.cli import main
from tracker.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_USAGE, RuntimeFailure
from tracker.records import Rep, SetInfo
from tracker.sinks import history
from tracker.sinks.csvfile import read_rep_csv

from synthlegs import duration_for, make_recording, rep_profile

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def recording(tmp_path):
    t = np.arange(0, duration_for(3), 1 / 30)
    return make_recording(t, dorsi=rep_profile(t, 3, 14.0), noise_px=0.3).save(tmp_path / "three.npz")


@pytest.mark.parametrize("extra", [
    ["--target", "100000000000000000000"], ["--target", "1001"], ["--target", "0"],
    ["--max-fps=-inf"], ["--max-fps", "nan"], ["--max-fps", "inf"], ["--max-fps", "-5"],
    ["--jobs", "0"], ["--jobs", "-1"], ["--db", ""], ["--db", " "],
], ids=lambda e: " ".join(e))
def test_bad_option_values_are_usage_errors(extra, recording, tmp_path, capsys):
    code = main(["analyze", str(recording), "-e", "dorsiflexion", "--csv", str(tmp_path / "r.csv"), *extra])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE, err
    assert err.count("\n") == 1 and err.startswith(f"tracker: {extra[0].split('=')[0]}")
    assert not (tmp_path / "r.csv").exists()


def test_every_frame_is_still_max_fps_zero(recording, capsys):
    assert main(["analyze", str(recording), "-e", "dorsiflexion", "--max-fps", "0", "--no-history"]) == 0


@pytest.mark.parametrize("command", [["history"], ["report", "-o", "r.html"]])
def test_empty_db_name_is_refused_by_the_readers(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--db", ""]) == EXIT_USAGE
    assert "--db needs a file name" in capsys.readouterr().err


def test_jobs_are_capped_at_the_cpu_count_with_a_note(recording, tmp_path, capsys, monkeypatch):
    second = Path(recording).with_name("again.npz")
    second.write_bytes(Path(recording).read_bytes())
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    code = main(["analyze", str(recording), str(second), "-e", "dorsiflexion", "--jobs", "64",
                 "--csv", str(tmp_path / "r.csv"), "--no-history"])
    assert code == 0
    assert "--jobs 64 is more than the 1 CPUs; using 1" in capsys.readouterr().err
    assert len(read_rep_csv(tmp_path / "r.csv")) == 6


def test_demo_out_naming_an_existing_file_is_one_line(tmp_path, capsys):
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    assert main(["demo", "--out", str(taken)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file" in err
    assert taken.read_text() == "mine"


def test_models_exits_non_zero_when_every_model_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRACKER_MODELS_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["models"]) == EXIT_INPUT
    captured = capsys.readouterr()
    assert captured.out.count("missing") == 3 and "no pose model is installed" in captured.err


def test_folder_with_an_npz_folder_and_a_link_loop_analyses_the_rest(recording, tmp_path, capsys):
    folder = tmp_path / "batch"
    folder.mkdir()
    Path(recording).rename(folder / "three.npz")
    (folder / "poses.npz").mkdir()
    (folder / "loop.npz").symlink_to(folder / "loop.npz")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop
    code = main(["analyze", str(folder), "-e", "dorsiflexion", "--csv", str(tmp_path / "r.csv"), "--no-history"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "skipping" in err and "poses.npz" in err and "loop.npz" in err
    assert len(read_rep_csv(tmp_path / "r.csv")) == 3


def test_a_terminal_that_cannot_show_a_character_does_not_fail_after_saving(recording, tmp_path):
    clip = Path(recording).rename(tmp_path / "séance_über.npz")
    env = dict(os.environ, PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C")
    run = subprocess.run([sys.executable, "-m", "tracker", "analyze", str(clip), "-e", "dorsiflexion",
                          "--csv", str(tmp_path / "r.csv")], cwd=PROJECT, env=env, capture_output=True)
    assert run.returncode == 0, run.stderr.decode("ascii", "replace")
    assert b"s\\xe9ance_\\xfcber.npz" in run.stdout and b"\\xb0" in run.stdout  # escaped, not an error
    assert len(read_rep_csv(tmp_path / "r.csv")) == 3


def test_interrupt_before_the_first_rep_names_no_csv_that_does_not_exist(recording, tmp_path, capsys, monkeypatch):
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(analyze, "analyze_path", interrupted)
    out = tmp_path / "r.csv"
    assert main(["analyze", str(recording), "-e", "dorsiflexion", "--csv", str(out)]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "interrupted" in err
    assert (str(out) in err) == out.is_file()


def test_a_folder_given_as_csv_is_not_told_to_pass_force(recording, tmp_path, capsys):
    for force in ([], ["--force"]):
        assert main(["analyze", str(recording), "-e", "dorsiflexion", "--csv", str(tmp_path), *force]) == EXIT_INPUT
        err = capsys.readouterr().err
        assert "is a folder" in err and "--force" not in err


def test_a_locked_database_is_not_blamed_on_disk_space(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "BUSY_TIMEOUT_S", 0.2)
    db = tmp_path / "h.sqlite3"
    info = SetInfo(source="clip.mp4", exercise="dorsiflexion", side="left", mode="active", target=10)
    sink = history.HistorySink(db)
    sink.open(info)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        rep = Rep(index=1, start_t=0.0, peak_t=0.5, end_t=1.0, rest_deg=0.0, peak_deg=9.0, rom_deg=9.0,
                  duration_s=1.0, assisted=False, compensation=False, confidence=0.9, counted=True, side="left")
        with pytest.raises(RuntimeFailure) as err:
            sink.add(rep)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "locked" in str(err.value) and "disk space" not in str(err.value)
