"""The history file as found: on read-only media it is still read; another program's SQLite
file is refused in one line and never changed (not even switched to WAL)."""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.app.cli import main
from tracker.errors import EXIT_INPUT, InputError
from tracker.records import Rep, SetInfo, SetSummary
from tracker.sinks.history import HistorySink, connect

PROJECT = Path(__file__).resolve().parents[2]


def record(db: Path, roms: list[float], started_at: str) -> None:
    info = SetInfo(source="clip.mp4", exercise="dorsiflexion", side="left", mode="active", target=10,
                   profile="ana", started_at=started_at)
    reps = [Rep(index=i, start_t=2.0 * i, peak_t=2.0 * i + 0.8, end_t=2.0 * i + 1.6, rest_deg=0.0, peak_deg=rom,
                rom_deg=rom, duration_s=1.6, assisted=False, compensation=False, confidence=0.9, counted=True,
                side="left") for i, rom in enumerate(roms, 1)]
    sink = HistorySink(db)
    sink.open(info)
    for rep in reps:
        sink.add(rep)
    sink.close(SetSummary.from_reps(info, reps, time_analysed_s=10.0, frames=300, frames_without_person=0))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("user_version", [0, 7])
def test_another_programs_database_is_refused_and_left_unchanged(user_version, tmp_path, capsys):
    other = tmp_path / "contacts.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ana', '555')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    before = _digest(other)
    for argv in (["history", "--db", str(other)], ["report", "-o", str(tmp_path / "r.html"), "--db", str(other)]):
        assert main(argv) == EXIT_INPUT
        err = capsys.readouterr().err
        assert "another program's SQLite database" in err and err.count("\n") == 1, err
    with pytest.raises(InputError, match="another program's"):
        connect(other)  # the writer refuses it too, before switching the journal
    assert _digest(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.db"]  # no -wal, -shm, report
    with sqlite3.connect(other) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_an_empty_database_file_is_not_switched_by_a_reader(tmp_path, capsys):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    assert main(["history", "--db", str(empty)]) == EXIT_INPUT
    assert "no sessions recorded yet" in capsys.readouterr().err
    assert empty.read_bytes() == b""


def _read_only_run(folder: Path, *argv: str) -> subprocess.CompletedProcess:
    """Run the tracker with ``folder`` bind-mounted read-only (a user namespace: no root needed)."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available here")
    tracker = " ".join(f"'{a}'" for a in (sys.executable, "-m", "tracker", *argv))
    script = f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}' && " \
             f"! touch '{folder}/probe' 2>/dev/null && exec {tracker}"
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)


def test_history_and_report_read_a_history_on_read_only_media(tmp_path):
    media = tmp_path / "stick"
    media.mkdir()
    db = media / "history.sqlite3"
    record(db, [6.0, 8.0], "2026-03-01T09:00:00+00:00")
    record(db, [9.0], "2026-03-08T09:00:00+00:00")
    assert sorted(p.name for p in media.iterdir()) == ["history.sqlite3"]  # WAL checkpointed on close
    before = _digest(db)
    run = _read_only_run(media, "history", "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("dorsiflexion") == 2
    run = _read_only_run(media, "report", "-o", str(tmp_path / "report.html"), "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert "2 sessions" in run.stdout and (tmp_path / "report.html").exists()
    assert _digest(db) == before
