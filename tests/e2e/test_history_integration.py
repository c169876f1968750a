"""Sessions made through the real analysis path land in the history and the report
states the same numbers as the per-rep CSV."""
from __future__ import annotations

import csv
import html
import re

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.sinks.csvfile import read_rep_csv
from tracker.sinks.history import connect, get_reps, list_sessions

from synthlegs import duration_for, make_recording, rep_profile


def _recordings(tmp_path):
    out = []
    for k, (n, amp) in enumerate([(4, 8.0), (6, 16.0)]):  # a later session with a larger range
        t = np.arange(0, duration_for(n), 1 / 30)
        out.append(make_recording(t, dorsi=rep_profile(t, n, amp), noise_px=0.3, seed=k).save(tmp_path / f"s{k}.npz"))
    return out


def test_analysis_sessions_round_trip_through_history_and_report(tmp_path, capsys):
    db = tmp_path / "h.sqlite3"
    recs = _recordings(tmp_path)
    for k, rec in enumerate(recs):
        assert main(["analyze", str(rec), "-e", "dorsiflexion", "--side", "left", "--db", str(db),
                     "--profile", "anna", "--csv", str(tmp_path / f"reps{k}.csv")]) == 0
    conn = connect(db, create=False)
    sessions = list_sessions(conn, profile="anna")
    assert [s["exercise"] for s in sessions] == ["dorsiflexion", "dorsiflexion"]
    for k, s in enumerate(sessions):
        stored = get_reps(conn, s["id"])
        rows = read_rep_csv(tmp_path / f"reps{k}.csv")
        assert [r.rom_deg for r in stored] == pytest.approx([r["rom_deg"] for r in rows])
        assert s["reps_counted"] == sum(r["counted"] for r in rows)
    conn.close()
    capsys.readouterr()

    report, sess_csv = tmp_path / "report.html", tmp_path / "sessions.csv"
    assert main(["report", "--db", str(db), "--profile", "anna", "-o", str(report), "--csv", str(sess_csv)]) == 0
    text = html.unescape(report.read_text())
    last_mean = np.mean([r["rom_deg"] for r in read_rep_csv(tmp_path / "reps1.csv") if r["counted"]])
    assert f"{last_mean:.1f}" in text or f"{last_mean:.0f}°" in text
    assert "improved" in text  # 8° → 16° is beyond the 5° minimum detectable change
    assert not re.search(r"(src|href)=\"https?://", text)
    with open(sess_csv, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2

    assert main(["history", "--db", str(db), "--profile", "anna"]) == 0
    out = capsys.readouterr().out
    assert "dorsiflexion" in out.lower() or "Dorsiflexion" in out
