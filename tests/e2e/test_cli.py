"""The command line as a user meets it: one-line errors, exit codes, CSV files."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tracker import __version__
from tracker.app.cli import main
from tracker.errors import EXIT_INPUT, EXIT_USAGE
from tracker.sinks.csvfile import REP_COLUMNS, SUMMARY_COLUMNS, read_rep_csv

from synthlegs import duration_for, make_recording, rep_profile


@pytest.fixture
def recording(tmp_path):
    t = np.arange(0, duration_for(6), 1 / 30)
    return make_recording(t, dorsi=rep_profile(t, 6, 14.0), noise_px=0.3).save(tmp_path / "six.npz")


def test_help_and_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    for cmd in ("analyze", "pose", "demo", "models"):
        assert cmd in out


@pytest.mark.parametrize("argv,code,text", [
    (["analyze", "{rec}", "-e", "dorsiflexon"], EXIT_USAGE, "did you mean 'dorsiflexion'"),
    (["analyze", "{rec}", "-e", "heel_raise", "--side", "middle"], EXIT_USAGE, "choose one of: auto, left, right"),
    (["analyze", "{rec}", "-e", "heel_raise", "--mode", "lazy"], EXIT_USAGE, "active, passive"),
    (["analyze", "{tmp}/missing.mp4", "-e", "heel_raise"], EXIT_INPUT, "no such file"),
    (["analyze", "{tmp}/emptydir", "-e", "heel_raise"], EXIT_INPUT, "holds no videos"),
    (["analyze", "{rec}", "-e", "heel_raise", "--csv", "{tmp}/nodir/r.csv"], EXIT_INPUT, "does not exist"),
    (["analyze", "{rec}", "-e", "heel_raise", "--csv", "{rec}"], EXIT_INPUT, "is an input"),
    (["analyze", "{rec}", "-e", "heel_raise", "--csv", "{tmp}/notes.npz"], EXIT_INPUT, "--force"),
    (["analyze", "{tmp}/notes.npz", "-e", "heel_raise"], EXIT_INPUT, "not a footdrop-poses recording"),
    (["analyze", "{rec}", "-e", "heel_raise", "--model", "{tmp}/notes.npz"], EXIT_INPUT, "not a MediaPipe .task"),
    (["pose", "{tmp}/notes.npz", "-o", "{tmp}/o.npz"], EXIT_INPUT, "not a video"),
    (["analyze", "{rec}"], EXIT_USAGE, "--exercise"),
])
def test_bad_input_is_one_clear_line(tmp_path, recording, capsys, argv, code, text):
    (tmp_path / "emptydir").mkdir()
    (tmp_path / "notes.npz").write_text("hello")
    argv = [a.format(rec=recording, tmp=tmp_path) for a in argv]
    try:
        rc = main(argv)
    except SystemExit as e:
        rc = e.code
    err = capsys.readouterr().err
    assert rc == code
    assert text in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_read_only_output_folder(tmp_path, recording, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        assert main(["analyze", str(recording), "-e", "dorsiflexion", "--csv", str(ro / "r.csv")]) == EXIT_INPUT
        assert "read-only" in capsys.readouterr().err
    finally:
        ro.chmod(0o700)


def test_analyze_writes_documented_csv(tmp_path, recording, capsys):
    reps_csv, summ_csv = tmp_path / "reps.csv", tmp_path / "summary.csv"
    rc = main(["analyze", str(recording), "-e", "dorsiflexion", "--side", "left", "--csv", str(reps_csv),
               "--summary", str(summ_csv), "--plot", "--no-history"])
    assert rc == 0
    assert "6/10 reps" in capsys.readouterr().out
    with open(reps_csv, newline="", encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == REP_COLUMNS
    rows = read_rep_csv(reps_csv)
    assert [r["rep_index"] for r in rows] == [1, 2, 3, 4, 5, 6]
    for r in rows:
        assert r["exercise"] == "dorsiflexion" and r["side"] == "left" and r["mode"] == "active"
        assert r["start_s"] < r["peak_s"] < r["end_s"]
        assert r["duration_s"] == pytest.approx(r["end_s"] - r["start_s"], abs=0.01)
        assert 9 < r["rom_deg"] < 19 and r["counted"] and 0 <= r["confidence"] <= 1
    with open(summ_csv, newline="", encoding="utf-8") as f:
        srows = list(csv.DictReader(f))
    assert tuple(srows[0].keys()) == SUMMARY_COLUMNS
    assert int(srows[0]["reps_counted"]) == 6 and int(srows[0]["target"]) == 10
    assert list(tmp_path.glob("reps_*.png"))


def test_csv_escapes_formula_cells(tmp_path):
    from tracker.sinks.csvfile import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("-1+2") == "'-1+2"
    assert csv_cell(-5.25) == "-5.25"  # numbers stay numbers
    assert csv_cell("dorsiflexion") == "dorsiflexion"


def test_json_output(tmp_path, recording, capsys):
    import json

    assert main(["analyze", str(recording), "-e", "dorsiflexion", "--json", "--no-history"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sets"][0]["summary"]["reps_counted"] == 6
    assert len(doc["sets"][0]["reps"]) == 6


def test_sigint_during_analysis_keeps_reps_so_far(tmp_path):
    """A real Ctrl-C to a real process mid-video: exit 130 and a valid CSV with the reps so far."""
    from conftest import shared_path

    clip = shared_path("rendered", "crossed_dorsi_side_casual.mp4")
    out = tmp_path / "reps.csv"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen([sys.executable, "-m", "tracker", "analyze", str(clip), "-e", "dorsiflexion",
                          "--side", "left", "--csv", str(out), "--no-history", "--model", "lite"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(7.0)  # model loaded and part of the clip seen
    p.send_signal(signal.SIGINT)
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err.decode()[-500:]
    assert b"Traceback" not in err
    rows = read_rep_csv(out)
    assert all(r["counted"] in (True, False) for r in rows)
    with open(out, newline="") as f:
        assert tuple(next(csv.reader(f))) == REP_COLUMNS
