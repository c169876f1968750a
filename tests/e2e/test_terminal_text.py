"""Names reach the terminal escaped: a profile or file name holding ANSI escapes or other
control characters cannot rewrite the user's terminal (issue 17, item 10)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.errors import printable
from tracker.records import Rep, SetInfo, SetSummary
from tracker.sinks.history import HistorySink

from synthlegs import duration_for, make_recording, rep_profile

EVIL = "\x1b[2J\x1b[31mana\x1b]0;owned\x07\r\u202e"


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch in "\x1b\x07\r\u202e"]


def test_printable_escapes_controls_and_undecodable_bytes_and_keeps_the_rest():
    assert printable(EVIL) == "\\x1b[2J\\x1b[31mana\\x1b]0;owned\\x07\\r\\u202e"
    assert printable(os.fsdecode(b"clip\xff.mp4")) == "clip\\xff.mp4"
    assert printable("Séance 👩\u200d⚕️ 12°") == "Séance 👩\u200d⚕️ 12°"
    assert printable(printable(EVIL)) == printable(EVIL)


def test_history_prints_a_hostile_profile_escaped(tmp_path, capsys):
    db = tmp_path / "h.sqlite3"
    rep = Rep(index=1, start_t=0.0, peak_t=0.5, end_t=1.0, rest_deg=0.0, peak_deg=9.0, rom_deg=9.0, duration_s=1.0,
              assisted=False, compensation=False, confidence=0.9, counted=True, side="left")
    for profile in (EVIL, "ben"):  # two profiles: the table shows a profile column
        info = SetInfo(source=f"{EVIL}.mp4", exercise="dorsiflexion", side="left", mode="active", target=10,
                       profile=profile)
        sink = HistorySink(db)
        sink.open(info)
        sink.add(rep)
        sink.close(SetSummary.from_reps(info, [rep], time_analysed_s=5.0, frames=150, frames_without_person=0))
    assert main(["history", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert not _raw_controls(out) and "\\x1b[31mana" in out


def test_analyze_prints_a_hostile_file_name_escaped(tmp_path, capsys):
    t = np.arange(0, duration_for(2), 1 / 30)
    name = "clip\x1b[31m\x07.npz"
    rec = make_recording(t, dorsi=rep_profile(t, 2, 14.0), noise_px=0.3).save(tmp_path / name)
    csv = tmp_path / "r\x1b[5m.csv"
    assert main(["analyze", str(rec), "-e", "dorsiflexion", "--csv", str(csv), "--plot", "--no-history"]) == 0
    captured = capsys.readouterr()
    assert not _raw_controls(captured.out + captured.err)
    assert "clip\\x1b[31m\\x07.npz" in captured.out and "plot: " in captured.out


def test_errors_print_hostile_names_escaped(tmp_path, capsys):
    missing = tmp_path / "gone\x1b]0;owned\x07.mp4"
    assert main(["analyze", str(missing), "-e", "dorsiflexion"]) != 0
    err = capsys.readouterr().err
    assert not _raw_controls(err) and "gone\\x1b]0;owned\\x07.mp4" in err and err.count("\n") == 1
    bad = tmp_path / "bad\x1b[31m.npz"
    bad.write_text("not a recording")
    assert main(["analyze", str(bad), str(Path(bad).with_name("x\x1b.npz")), "-e", "dorsiflexion"]) != 0
    assert not _raw_controls(capsys.readouterr().err)
    with pytest.raises(SystemExit) as exc:  # argparse's own error
        main(["analyze", str(bad), "-e", "dorsiflexion", "--view", "\x1b[5m"])
    assert exc.value.code == 2
    assert not _raw_controls(capsys.readouterr().err)
