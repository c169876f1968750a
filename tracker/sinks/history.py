"""Session history: every set and each of its reps in a local SQLite file.

Why: recovery from foot drop shows over weeks, so each set must outlive the process that
counted it. Each rep is committed on its own (WAL mode, busy timeout) so a crash, a kill
or a second tracker writing at the same time loses nothing already counted.

Location: ``--db PATH``, else ``$TRACKER_DB``, else
``$XDG_DATA_HOME/footdrop-tracker/history.sqlite3`` (``~/.local/share/...`` when unset).
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from tracker.errors import InputError, RuntimeFailure
from tracker.records import Rep, SetInfo, SetSummary
from tracker.sinks.history_file import check_exists, check_ours, resolve_db_path, usage_error
from tracker.sinks.plan_history import PLAN_MIGRATION, store_step

BUSY_TIMEOUT_S = 30.0
# An open session nobody has written to for this long was abandoned (its process may have
# died on another machine, or its pid been reused), so it reads as interrupted.
STALE_AFTER = timedelta(hours=12)

# Each migration is a list of statements run in one transaction; PRAGMA user_version holds
# how many have run. Append new ones; never edit a released one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            profile TEXT NOT NULL,
            started_at TEXT NOT NULL,          -- ISO 8601, UTC
            ended_at TEXT,
            updated_at TEXT NOT NULL,          -- last write, for spotting abandoned sessions
            exercise TEXT NOT NULL,
            side TEXT NOT NULL,
            mode TEXT NOT NULL,
            target INTEGER NOT NULL,
            source TEXT NOT NULL,
            source_sha256 TEXT,
            method TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'interrupted')),
            host TEXT, pid INTEGER,            -- who is writing it while open
            reps_counted INTEGER, reps_low_confidence INTEGER,
            mean_rom_deg REAL, best_rom_deg REAL, mean_duration_s REAL,
            assisted INTEGER, compensated INTEGER,
            time_analysed_s REAL, frames INTEGER, frames_without_person INTEGER,
            other_side_mean_rom_deg REAL,
            warnings TEXT                      -- JSON list
        )""",
        """CREATE TABLE reps (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            rep_index INTEGER NOT NULL,
            start_t REAL NOT NULL, peak_t REAL NOT NULL, end_t REAL NOT NULL,
            rest_deg REAL NOT NULL, peak_deg REAL NOT NULL, rom_deg REAL NOT NULL,
            duration_s REAL NOT NULL,
            assisted INTEGER NOT NULL, compensation INTEGER NOT NULL,
            confidence REAL NOT NULL, counted INTEGER NOT NULL,
            side TEXT NOT NULL DEFAULT '',
            other_side_rom_deg REAL
        )""",
        "CREATE INDEX reps_by_session ON reps(session_id, id)",
        "CREATE INDEX sessions_by_profile ON sessions(profile, exercise, side, started_at)",
    ),
    (  # 2: Rep.note, why a rep is flagged or low-confidence
        "ALTER TABLE reps ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    ),
    (  # 3: Rep.hold_s, time held at the top of a rep
        "ALTER TABLE reps ADD COLUMN hold_s REAL NOT NULL DEFAULT 0",
    ),
    PLAN_MIGRATION,  # 4: the therapist's plan each set followed (plan_history.py)
)
SCHEMA_VERSION = len(MIGRATIONS)

# Every Rep field has a column (a test checks): a new Rep field needs a migration above.
REP_FIELDS = ("index", "start_t", "peak_t", "end_t", "rest_deg", "peak_deg", "rom_deg", "duration_s",
              "assisted", "compensation", "confidence", "counted", "side", "other_side_rom_deg", "note",
              "hold_s")
_REP_COLUMNS = tuple("rep_index" if f == "index" else f for f in REP_FIELDS)


# --- location and connection -------------------------------------------------------------

def connect(db: str | os.PathLike | None = None, create: bool = True) -> sqlite3.Connection:
    """Open (and if needed create and migrate) the history database.

    Autocommit mode: every write goes through :func:`_write` (BEGIN IMMEDIATE), so two
    processes queue on the busy timeout instead of failing on a lock upgrade.
    """
    path = resolve_db_path(db)
    check_exists(path, create)
    conn = None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        check_ours(conn, path)
        _enable_wal(conn)
        migrate(conn)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if not isinstance(exc, sqlite3.DatabaseError):
            raise
        raise usage_error(path, exc) from exc
    return conn


def _enable_wal(conn: sqlite3.Connection) -> None:
    """WAL lets readers (the report) run while a session writes; switching needs a brief
    exclusive lock, which a concurrent first open may hold, so retry."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def _write(conn: sqlite3.Connection):
    """One committed write transaction, taking the write lock up front."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection, migrations=MIGRATIONS) -> int:
    """Bring the schema to ``len(migrations)``; returns the version. Safe when two
    processes open a new file at once: the version is re-read under the write lock."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations):
        return len(migrations)
    with _write(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise InputError(f"the history database has schema version {version}, newer than this "
                             f"footdrop tracker understands ({len(migrations)}); upgrade footdrop tracker")
        for number in range(version, len(migrations)):
            for statement in migrations[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
    return len(migrations)


def _utc(ts: str) -> str:
    """ISO timestamps stored in UTC so text order is time order (``--since`` compares text)."""
    dt = datetime.fromisoformat(ts)
    if dt.tzinfo is None:
        dt = dt.astimezone()  # naive means local time
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- writing: the sink -------------------------------------------------------------------

class HistorySink:
    """A RepSink that stores the set in the history database as it happens.

    Pass it with the other sinks to an analysis or live run. ``add`` commits each rep, so a
    killed process keeps them; a set never closed reads as interrupted. Also a context
    manager: leaving the block on an exception before ``close`` marks the set interrupted.
    """

    def __init__(self, db: str | os.PathLike | None = None):
        self.path = resolve_db_path(db)
        self.session_id: int | None = None
        self._conn: sqlite3.Connection | None = None

    def open(self, info: SetInfo) -> None:
        if self._conn is None:
            self._conn = connect(self.path)
        now = _now()
        with self._guard(), _write(self._conn) as c:
            cur = c.execute(
                "INSERT INTO sessions (profile, started_at, updated_at, exercise, side, mode, target, "
                "source, source_sha256, method, status, host, pid) VALUES (?,?,?,?,?,?,?,?,?,?,'open',?,?)",
                (info.profile, _utc(info.started_at), now, info.exercise, info.side, info.mode,
                 int(info.target), info.source, info.source_sha256, info.method,
                 socket.gethostname(), os.getpid()))
            self.session_id = cur.lastrowid
            store_step(c, self.session_id, info.plan)

    def add(self, rep: Rep) -> None:
        conn, sid = self._require_open()
        values = [getattr(rep, f) for f in REP_FIELDS]
        with self._guard(), _write(conn) as c:
            c.execute(f"INSERT INTO reps (session_id, {', '.join(_REP_COLUMNS)}) "
                      f"VALUES (?{', ?' * len(_REP_COLUMNS)})", [sid, *values])
            c.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (_now(), sid))

    def close(self, summary: SetSummary) -> None:
        conn, sid = self._require_open()
        s = summary
        now = _now()
        with self._guard(), _write(conn) as c:
            c.execute(
                "UPDATE sessions SET status='complete', ended_at=?, updated_at=?, reps_counted=?, "
                "reps_low_confidence=?, mean_rom_deg=?, best_rom_deg=?, mean_duration_s=?, assisted=?, "
                "compensated=?, time_analysed_s=?, frames=?, frames_without_person=?, "
                "other_side_mean_rom_deg=?, warnings=? WHERE id=?",
                (now, now, s.reps_counted, s.reps_low_confidence, s.mean_rom_deg, s.best_rom_deg,
                 s.mean_duration_s, s.assisted, s.compensated, s.time_analysed_s, s.frames,
                 s.frames_without_person, s.other_side_mean_rom_deg, json.dumps(list(s.warnings)), sid))
        self._finish()

    def abort(self) -> None:
        """Mark the open set interrupted (Ctrl-C, camera lost); its reps stay."""
        if self._conn is None or self.session_id is None:
            return
        now = _now()
        with self._guard(), _write(self._conn) as c:
            c.execute("UPDATE sessions SET status='interrupted', ended_at=?, updated_at=? WHERE id=?",
                      (now, now, self.session_id))
        self._finish()

    def __enter__(self) -> HistorySink:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        elif self._conn is not None:
            self._conn.close()
            self._conn = None

    def _finish(self) -> None:
        self.session_id = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _require_open(self) -> tuple[sqlite3.Connection, int]:
        if self._conn is None or self.session_id is None:
            raise RuntimeError("HistorySink.open(info) must be called first")
        return self._conn, self.session_id

    @contextmanager
    def _guard(self):
        """A database that fails mid-set (disk full, removed) is one line for the user."""
        try:
            yield
        except sqlite3.Error as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise RuntimeFailure(f"could not save to the history database {self.path}: another program "
                                     f"held it locked for {BUSY_TIMEOUT_S:g} s; close it and retry") from exc
            raise RuntimeFailure(f"could not save to the history database {self.path}: {exc}; "
                                 "check free disk space and permissions") from exc


# --- reading -----------------------------------------------------------------------------

# Rep statistics come from the stored reps, not the stored summary, so an interrupted set
# reads like a complete one and the report always agrees with the per-rep data.
_SESSION_QUERY = """
SELECT s.id, s.profile, s.started_at, s.ended_at, s.updated_at, s.exercise, s.side, s.mode,
       s.target, s.source, s.source_sha256, s.method, s.status, s.host, s.pid,
       s.time_analysed_s, s.frames, s.frames_without_person, s.warnings,
       COALESCE(SUM(r.counted), 0) AS reps_counted,
       COALESCE(SUM(1 - r.counted), 0) AS reps_low_confidence,
       AVG(CASE WHEN r.counted THEN r.rom_deg END) AS mean_rom_deg,
       MAX(CASE WHEN r.counted THEN r.rom_deg END) AS best_rom_deg,
       AVG(CASE WHEN r.counted THEN r.duration_s END) AS mean_duration_s,
       COALESCE(SUM(r.counted AND r.assisted), 0) AS assisted,
       COALESCE(SUM(r.compensation), 0) AS compensated,
       AVG(CASE WHEN r.counted THEN r.other_side_rom_deg END) AS other_side_mean_rom_deg
FROM sessions s LEFT JOIN reps r ON r.session_id = s.id
"""


def list_sessions(conn: sqlite3.Connection, profile: str | None = None, exercise: str | None = None,
                  since: str | None = None, side: str | None = None) -> list[dict]:
    """Sessions oldest first, as dicts. ``since`` is a date or ISO time (local if naive)."""
    where, params = [], []
    for column, value in (("profile", profile), ("exercise", exercise), ("side", side)):
        if value is not None:
            where.append(f"s.{column} = ?")
            params.append(value)
    if since is not None:
        where.append("s.started_at >= ?")
        params.append(_utc(since))
    sql = _SESSION_QUERY + (" WHERE " + " AND ".join(where) if where else "")
    sql += " GROUP BY s.id ORDER BY s.started_at, s.id"
    return [_session_dict(row) for row in conn.execute(sql, params)]


def get_reps(conn: sqlite3.Connection, session_id: int) -> list[Rep]:
    """The reps of one session in the order they were counted."""
    rows = conn.execute(f"SELECT {', '.join(_REP_COLUMNS)} FROM reps WHERE session_id = ? ORDER BY id",
                        (session_id,))
    return [Rep(**{f: _rep_value(f, row[i]) for i, f in enumerate(REP_FIELDS)}) for row in rows]


def last_session(profile: str, exercise: str, side: str, db: str | os.PathLike | None = None,
                 conn: sqlite3.Connection | None = None) -> dict | None:
    """The latest session of this exercise and side with at least one counted rep: the goal
    to beat on the live overlay (``reps_counted``, ``best_rom_deg``). None if there is none.
    Call it before opening the new set, or it may return that set itself."""
    own = conn is None
    if own:
        try:
            conn = connect(db, create=False)
        except InputError:
            return None
    try:
        sql = (_SESSION_QUERY + " WHERE s.profile = ? AND s.exercise = ? AND s.side = ? GROUP BY s.id "
               "HAVING SUM(r.counted) > 0 ORDER BY s.started_at DESC, s.id DESC LIMIT 1")
        row = conn.execute(sql, (profile, exercise, side)).fetchone()
        return _session_dict(row) if row else None
    finally:
        if own:
            conn.close()


def _rep_value(field: str, value):
    return bool(value) if field in ("assisted", "compensation", "counted") else value


def _session_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["warnings"] = json.loads(d["warnings"]) if d["warnings"] else []
    d["status"] = effective_status(d)
    return d


def effective_status(session: dict, now: datetime | None = None) -> str:
    """'open' only while its writer may still be running; otherwise 'interrupted'."""
    if session["status"] != "open":
        return session["status"]
    now = now or datetime.now(timezone.utc)
    if now - datetime.fromisoformat(session["updated_at"]) > STALE_AFTER:
        return "interrupted"
    if session.get("host") == socket.gethostname() and session.get("pid") and not _pid_alive(session["pid"]):
        return "interrupted"
    return "open"


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_time(iso: str) -> datetime:
    """A stored UTC timestamp in the user's time zone, for display."""
    return datetime.fromisoformat(iso).astimezone()
