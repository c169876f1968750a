"""Reading a history without ever writing it (``history``, ``report``): no creation, no
migration of the file, no journal switch; an older schema is read through a migrated copy
in memory, so a report never fails on a history from an earlier version."""
from __future__ import annotations

import os
import sqlite3

from tracker.errors import InputError
from tracker.sinks.history import BUSY_TIMEOUT_S, SCHEMA_VERSION, migrate
from tracker.sinks.history_file import check_exists, check_ours, resolve_db_path, usage_error


def _upgraded_copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    """An older history read through today's schema: copied into memory and migrated there,
    the file itself untouched (a reader never migrates)."""
    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        conn.backup(mem)
    finally:
        conn.close()
    mem.row_factory = sqlite3.Row
    migrate(mem)
    return mem


def _cannot_open(exc: sqlite3.OperationalError) -> bool:
    """Read-only media, not a busy database: an immutable read of a busy one would miss the
    sessions still in its write-ahead log."""
    text = str(exc).lower()
    return "unable to open" in text or "readonly" in text or "read-only" in text


def connect_readonly(db: str | os.PathLike | None = None) -> sqlite3.Connection:
    """A connection that reads and never writes (``history``, ``report``): no creation, no
    migration, no journal switch. A history on read-only media (a copy on a stick, a backup)
    is opened immutable when it cannot be opened read-only the usual way."""
    path = resolve_db_path(db)
    check_exists(path, create=False)
    uri = path.absolute().as_uri() + "?mode=ro"
    for extra in ("", "&immutable=1"):
        conn = None
        try:
            conn = sqlite3.connect(uri + extra, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            version = check_ours(conn, path)
            if version == 0:
                raise InputError(f"no sessions recorded yet in {path} (an empty database)")
            if version > SCHEMA_VERSION:
                raise InputError(f"the history database {path} has schema version {version}, newer than "
                                 f"this footdrop tracker understands ({SCHEMA_VERSION}); upgrade footdrop tracker")
            return conn if version == SCHEMA_VERSION else _upgraded_copy(conn)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.OperationalError) and not extra and _cannot_open(exc):
                continue  # e.g. a WAL file whose folder is read-only: no shared-memory file can be made
            if not isinstance(exc, sqlite3.DatabaseError):
                raise
            raise usage_error(path, exc) from exc
    raise AssertionError("unreachable")
