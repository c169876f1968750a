"""The history database: round trips, schema versions, crash safety, concurrent writers, CLI."""
from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from datetime import datetime, timedelta, timezone

import pytest

from tracker.app.cli import main
from tracker.errors import EXIT_INPUT, InputError
from tracker.records import Rep, SetInfo, SetSummary
from tracker.sinks import history, history_file
from tracker.sinks.history import HistorySink, connect, get_reps, last_session, list_sessions

EX = "dorsiflexion"


def make_rep(i: int, rom: float, *, assisted=False, compensation=False, counted=True, other=None,
             side="left", note="") -> Rep:
    return Rep(index=i, start_t=2.0 * i, peak_t=2.0 * i + 0.8, end_t=2.0 * i + 1.6, rest_deg=-3.5,
               peak_deg=rom - 3.5, rom_deg=rom, duration_s=1.6, assisted=assisted, compensation=compensation,
               confidence=0.9 if counted else 0.3, counted=counted, side=side, other_side_rom_deg=other,
               note=note)


def record(db, reps, *, exercise=EX, side="left", mode="active", profile="ana", started_at=None,
           target=10, close=True) -> int:
    info = SetInfo(source="clip.mp4", exercise=exercise, side=side, mode=mode, target=target, profile=profile,
                   source_sha256="ab" * 32, **({"started_at": started_at} if started_at else {}))
    sink = HistorySink(db)
    sink.open(info)
    sid = sink.session_id
    for r in reps:
        sink.add(r)
    if close:
        sink.close(SetSummary.from_reps(info, reps, time_analysed_s=30.0, frames=900, frames_without_person=12,
                                        warnings=("low light",)))
    return sid


@pytest.fixture
def db(tmp_path):
    return tmp_path / "history.sqlite3"


def test_round_trip_session_and_reps(db):
    reps = [make_rep(1, 8.0, other=20.0), make_rep(2, 11.0, assisted=True),
            make_rep(3, 3.0, counted=False, note="foot hidden for most of this rep"),
            make_rep(3, 12.5, compensation=True, other=22.0)]
    sid = record(db, reps, started_at="2026-03-02T10:15:00+01:00")
    with closing(connect(db)) as conn:
        [s] = list_sessions(conn)
        assert get_reps(conn, sid) == reps  # every field, bools and None included
    assert s["id"] == sid and s["profile"] == "ana" and s["exercise"] == EX and s["side"] == "left"
    assert s["started_at"] == "2026-03-02T09:15:00+00:00"  # stored in UTC
    assert s["status"] == "complete" and s["ended_at"]
    assert (s["reps_counted"], s["reps_low_confidence"], s["assisted"], s["compensated"]) == (3, 1, 1, 1)
    assert s["mean_rom_deg"] == pytest.approx((8 + 11 + 12.5) / 3)
    assert s["best_rom_deg"] == 12.5
    assert s["other_side_mean_rom_deg"] == pytest.approx(21.0)
    assert (s["frames"], s["frames_without_person"], s["warnings"]) == (900, 12, ["low light"])
    assert s["source_sha256"] == "ab" * 32 and s["target"] == 10


def test_filters(db):
    record(db, [make_rep(1, 5)], started_at="2026-03-01T09:00:00+00:00")
    record(db, [make_rep(1, 6)], started_at="2026-03-08T09:00:00+00:00", exercise="heel_raise")
    record(db, [make_rep(1, 7)], started_at="2026-03-09T09:00:00+00:00", profile="ben")
    with closing(connect(db)) as conn:
        assert [s["mean_rom_deg"] for s in list_sessions(conn)] == [5, 6, 7]
        assert [s["mean_rom_deg"] for s in list_sessions(conn, profile="ana")] == [5, 6]
        assert [s["mean_rom_deg"] for s in list_sessions(conn, exercise="heel_raise")] == [6]
        assert [s["mean_rom_deg"] for s in list_sessions(conn, since="2026-03-05T00:00:00+00:00")] == [6, 7]


def test_new_empty_file_gets_current_schema_in_wal_mode(db):
    db.write_bytes(b"")
    conn = connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "reps"} <= tables
    conn.close()


def test_every_rep_field_has_a_column():
    # a new Rep field without a migration would silently not be stored
    assert set(history.REP_FIELDS) == {f.name for f in dataclasses.fields(Rep)}


def _old_history(db, version: int, profile: str) -> None:
    """A history as an earlier release wrote it: schema ``version``, one session, one rep."""
    conn = sqlite3.connect(db, isolation_level=None)
    history.migrate(conn, history.MIGRATIONS[:version])
    conn.execute("INSERT INTO sessions (profile, started_at, updated_at, exercise, side, mode, target, source, "
                 "method, status) VALUES (?, '2026-01-05T10:00:00+00:00', '2026-01-05T10:20:00+00:00', "
                 "'dorsiflexion', 'left', 'active', 10, 'camera:0', 'live-hysteresis', 'complete')", (profile,))
    conn.execute("INSERT INTO reps (session_id, rep_index, start_t, peak_t, end_t, rest_deg, peak_deg, rom_deg, "
                 "duration_s, assisted, compensation, confidence, counted) VALUES (1, 1, 0, 1, 2, 0, 9, 9, 2, 0, 0, "
                 "0.9, 1)")
    conn.close()


def test_an_older_history_is_read_and_reported_without_being_changed(db, tmp_path):
    """A history from before the plan's migration: ``history`` and ``report`` read it through
    a migrated copy in memory; the file keeps its version (readers never migrate)."""
    _old_history(db, 3, "default")
    before = open(db, "rb").read()
    assert main(["history", "--db", str(db)]) == 0
    assert main(["report", "--db", str(db), "-o", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").stat().st_size > 0
    assert open(db, "rb").read() == before
    with closing(sqlite3.connect(db)) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 3


def test_version_1_database_is_upgraded_keeping_its_data(db):
    _old_history(db, 1, "ana")
    with closing(connect(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 4
        [s] = list_sessions(conn)
        [rep] = get_reps(conn, s["id"])
    assert (s["reps_counted"], s["mean_rom_deg"], rep.rom_deg, rep.note, rep.hold_s) == (1, 9.0, 9.0, "", 0.0)


def test_migrations_run_once_each_in_order(db):
    steps = (("CREATE TABLE a (x)",), ("CREATE TABLE b (y)", "INSERT INTO b VALUES (1)"))
    conn = sqlite3.connect(db, isolation_level=None)
    assert history.migrate(conn, steps[:1]) == 1
    assert history.migrate(conn, steps) == 2  # re-running step 1 would fail: table a exists
    assert history.migrate(conn, steps) == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT COUNT(*) FROM b").fetchone()[0] == 1
    with pytest.raises(InputError, match="newer"):
        history.migrate(conn, steps[:1])
    conn.close()


def test_unusable_files_are_input_errors(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a usable"):
        connect(junk)
    with pytest.raises(InputError, match="does not exist"):
        connect(tmp_path / "missing.sqlite3", create=False)
    assert not (tmp_path / "missing.sqlite3").exists()


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history_file.default_db_path() == tmp_path / "xdg" / "footdrop-tracker" / "history.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history_file.default_db_path() == tmp_path / "home" / ".local/share/footdrop-tracker/history.sqlite3"
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env.sqlite3"))
    assert history.resolve_db_path(None) == tmp_path / "env.sqlite3"
    assert history.resolve_db_path(tmp_path / "arg.sqlite3") == tmp_path / "arg.sqlite3"


CHILD_PRELUDE = """
import sys, time
from tracker.sinks.history import HistorySink
from tracker.records import Rep, SetInfo
def rep(i, rom):
    return Rep(i, 2.0 * i, 2.0 * i + 1, 2.0 * i + 2, 0.0, rom, rom, 2.0, False, False, 0.9, True, "left", None)
db = sys.argv[1]
"""


def _child(code: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD_PRELUDE + textwrap.dedent(code), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_killed_process_keeps_its_reps(db):
    proc = _child("""
        sink = HistorySink(db)
        sink.open(SetInfo(source="camera:0", exercise="dorsiflexion", side="left", mode="active",
                          profile="ana", method="live-hysteresis"))
        for i, rom in enumerate((7.0, 9.0, 11.0), 1):
            sink.add(rep(i, rom))
        print("ready", flush=True)
        time.sleep(120)
        """, db)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with closing(connect(db)) as conn:
        [s] = list_sessions(conn)
        assert [r.rom_deg for r in get_reps(conn, s["id"])] == [7.0, 9.0, 11.0]
    assert s["status"] == "interrupted"  # its writer is gone, so it will never be closed
    assert s["reps_counted"] == 3 and s["mean_rom_deg"] == pytest.approx(9.0)
    assert s["ended_at"] is None


def test_session_of_a_running_process_reads_open(db):
    sink = HistorySink(db)
    sink.open(SetInfo(source="camera:0", exercise=EX, side="left", mode="active"))
    sink.add(make_rep(1, 9.0))
    with closing(connect(db)) as conn:
        [s] = list_sessions(conn)
    assert s["status"] == "open" and s["reps_counted"] == 1
    stale = dict(s, updated_at=(datetime.now(timezone.utc) - history.STALE_AFTER - timedelta(minutes=1)).isoformat())
    assert history.effective_status(stale) == "interrupted"


def test_exception_inside_sink_block_marks_interrupted(db):
    with pytest.raises(KeyboardInterrupt):
        with HistorySink(db) as sink:
            sink.open(SetInfo(source="camera:0", exercise=EX, side="left", mode="active"))
            sink.add(make_rep(1, 9.0))
            raise KeyboardInterrupt
    with closing(connect(db)) as conn:
        [s] = list_sessions(conn)
    assert s["status"] == "interrupted" and s["ended_at"] and s["reps_counted"] == 1


def test_add_before_open_is_a_programming_error(db):
    with pytest.raises(RuntimeError, match="open"):
        HistorySink(db).add(make_rep(1, 5.0))


def test_two_processes_writing_at_once_lose_nothing(tmp_path, db):
    go = tmp_path / "go"
    code = """
        import os
        who, go = sys.argv[2], sys.argv[3]
        while not os.path.exists(go):
            time.sleep(0.005)
        for n in range(50):
            sink = HistorySink(db)  # a fresh connection each time: both also race on creating the file
            info = SetInfo(source=f"{who}-{n}.mp4", exercise="dorsiflexion", side="left",
                           mode="active", profile=who)
            sink.open(info)
            reps = [rep(1, 5.0 + n), rep(2, 6.0 + n)]
            for r in reps:
                sink.add(r)
            from tracker.records import SetSummary
            sink.close(SetSummary.from_reps(info, reps, 4.0, 120, 0))
        print("done", flush=True)
        """
    procs = [_child(code, db, who, go) for who in ("p1", "p2")]
    time.sleep(0.5)  # let both interpreters start, then release them together
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and out.strip() == "done", err
    with closing(connect(db)) as conn:
        sessions = list_sessions(conn)
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 200
    assert len(sessions) == 100
    for who in ("p1", "p2"):
        mine = [s for s in sessions if s["profile"] == who]
        assert sorted(s["source"] for s in mine) == sorted(f"{who}-{n}.mp4" for n in range(50))
        assert all(s["status"] == "complete" and s["reps_counted"] == 2 for s in mine)


def test_last_session_is_the_latest_with_reps_for_that_exercise_and_side(db):
    assert last_session("ana", EX, "left", db=db) is None  # no database yet
    assert not db.exists()  # looking does not create one
    record(db, [make_rep(1, 6), make_rep(2, 8)], started_at="2026-03-01T09:00:00+00:00")
    record(db, [make_rep(1, 9), make_rep(2, 13), make_rep(3, 11)], started_at="2026-03-03T09:00:00+00:00")
    record(db, [], started_at="2026-03-04T09:00:00+00:00")  # nothing counted: not a goal
    record(db, [make_rep(1, 30, side="right")], side="right", started_at="2026-03-05T09:00:00+00:00")
    record(db, [make_rep(1, 25)], profile="ben", started_at="2026-03-06T09:00:00+00:00")
    record(db, [make_rep(1, 40)], exercise="heel_raise", started_at="2026-03-07T09:00:00+00:00")
    last = last_session("ana", EX, "left", db=db)
    assert last is not None
    assert last["started_at"] == "2026-03-03T09:00:00+00:00"
    assert (last["reps_counted"], last["best_rom_deg"]) == (3, 13)
    assert last_session("ana", EX, "right", db=db)["best_rom_deg"] == 30
    assert last_session("cleo", EX, "left", db=db) is None


def test_cli_history_table(db, capsys):
    record(db, [make_rep(1, 6.0), make_rep(2, 8.0, assisted=True)], started_at="2026-03-01T09:00:00+00:00",
           target=12)
    record(db, [make_rep(1, 10.0, compensation=True), make_rep(2, 13.0)], exercise="heel_raise", mode="passive",
           started_at="2026-03-08T09:00:00+00:00")
    record(db, [make_rep(1, 9.0)], profile="ben", close=False, started_at="2026-03-09T09:00:00+00:00")

    assert main(["history", "--profile", "ana", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "exercise", "side", "mode", "reps/target", "mean", "ROM", "best", "ROM",
                                "assisted", "compensated", "status"]
    assert len(lines) == 4  # header, rule, two sessions
    day = datetime.fromisoformat("2026-03-01T09:00:00+00:00").astimezone().strftime("%Y-%m-%d %H:%M")
    assert lines[2].startswith(day)
    assert lines[2].split()[2:] == [EX, "left", "active", "2/12", "7.0°", "8.0°", "1", "0"]
    assert lines[3].split()[2:] == ["heel_raise", "left", "passive", "2/10", "11.5°", "13.0°", "0", "1"]

    assert main(["history", "--exercise", "heel_raise", "--db", str(db)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3

    # all profiles: a profile column appears; the set still open in this (live) process reads open
    assert main(["history", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[0] == "profile" and out[-1].split()[0] == "ben" and out[-1].endswith("open")


def test_cli_history_errors_are_one_line(tmp_path, capsys):
    assert main(["history", "--db", str(tmp_path / "nope.sqlite3")]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("tracker: no sessions recorded yet") and err.count("\n") == 1
    assert main(["history", "--since", "March", "--db", str(tmp_path / "x")]) == 2
    assert "--since" in capsys.readouterr().err
