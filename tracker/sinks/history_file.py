"""Where the history database lives, and whether a file there is ours to use.

Why apart from the writer: ``history`` and ``report`` only read, and another program's
SQLite file must be recognised and refused before anything, even the journal mode, is
changed in it.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tracker.errors import InputError, UsageError

DB_ENV = "TRACKER_DB"
DB_NAME = "history.sqlite3"


def default_db_path() -> Path:
    """Where sessions live unless told otherwise (XDG data dir, per user)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "footdrop-tracker" / DB_NAME


def resolve_db_path(db: str | os.PathLike | None = None) -> Path:
    if db is not None and not str(db).strip():
        raise UsageError("--db needs a file name (leave it out for the default history)")
    return Path(db).expanduser() if db else default_db_path()


def check_exists(path: Path, create: bool) -> None:
    if not path.exists():
        if not create:
            raise InputError(f"no sessions recorded yet: {path} does not exist "
                             f"(choose another database with --db or ${DB_ENV})")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the history folder {path.parent}: {exc.strerror}; "
                             f"choose another place with --db or ${DB_ENV}") from exc
    if path.is_dir():
        raise InputError(f"{path} is a folder; give the history database file name")


def check_ours(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of our history, 0 for an empty file; another program's database is
    refused before anything (the journal mode included) is changed in it."""
    own = not conn.in_transaction  # one read transaction: both looks see the same state, even
    if own:                        # while another process is creating the tables and the version
        conn.execute("BEGIN")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        if own:
            conn.execute("COMMIT")
    if (version or tables) and not (version >= 1 and {"sessions", "reps"} <= tables):
        raise InputError(f"{path} is another program's SQLite database, not a footdrop tracker history "
                         f"(left unchanged); choose another file with --db or ${DB_ENV}")
    return version


def usage_error(path: Path, exc: BaseException) -> InputError:
    if isinstance(exc, sqlite3.OperationalError):  # locked, read-only, unreadable
        return InputError(f"cannot use the history database {path}: {exc}; check its permissions "
                          "or close other trackers using it")
    return InputError(f"{path} is not a usable footdrop tracker history database ({exc}); "
                      f"move it aside or choose another with --db")
