"""The plan each set was done under, in the history: which version, which set of how many,
the hold and range prescribed, and the plan's own text (so a report can judge adherence
against the plan that applied then, after the file has changed).

Kept beside ``history.py`` (which runs ``PLAN_MIGRATION`` as its migration 4 and calls
``store_step`` when a planned set opens) so the plan's columns live in one place.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from tracker.records import PlanStep

PLAN_MIGRATION = (
    "ALTER TABLE sessions ADD COLUMN plan_version TEXT",
    "ALTER TABLE sessions ADD COLUMN plan_set INTEGER",
    "ALTER TABLE sessions ADD COLUMN plan_sets INTEGER",
    "ALTER TABLE sessions ADD COLUMN planned_hold_s REAL",
    "ALTER TABLE sessions ADD COLUMN planned_rom_deg REAL",
    """CREATE TABLE plans (
        version TEXT NOT NULL,             -- content hash of the plan file
        profile TEXT NOT NULL,
        first_used TEXT NOT NULL,          -- ISO 8601, UTC
        text TEXT NOT NULL,                -- the plan file as it was
        PRIMARY KEY (profile, version)
    )""",
)


def store_step(conn: sqlite3.Connection, session_id: int, step: PlanStep | None) -> None:
    """Inside the transaction that opened the set."""
    if step is None:
        return
    conn.execute("UPDATE sessions SET plan_version=?, plan_set=?, plan_sets=?, planned_hold_s=?, planned_rom_deg=? "
                 "WHERE id=?", (step.version, step.set_no, step.sets, step.hold_s, step.target_rom_deg, session_id))


def remember_plan(conn: sqlite3.Connection, profile: str, version: str, text: str) -> None:
    """Keep the plan's text under its version (once), before its first set is recorded. One
    statement on an autocommit connection (``history.connect``): atomic by itself."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    conn.execute("INSERT OR IGNORE INTO plans (version, profile, first_used, text) VALUES (?,?,?,?)",
                 (version, profile, now, text))


def planned_sets(conn: sqlite3.Connection, profile: str | None = None) -> dict[int, dict]:
    """session id -> its plan columns, for the sessions done under a plan."""
    sql = ("SELECT id, plan_version, plan_set, plan_sets, planned_hold_s, planned_rom_deg FROM sessions "
           "WHERE plan_version IS NOT NULL" + (" AND profile = ?" if profile is not None else ""))
    rows = conn.execute(sql, (profile,) if profile is not None else ())
    return {r[0]: {"plan_version": r[1], "plan_set": r[2], "plan_sets": r[3], "planned_hold_s": r[4],
                   "planned_rom_deg": r[5]} for r in rows}


def stored_plans(conn: sqlite3.Connection, profile: str) -> list[dict]:
    """The plans this profile followed, oldest first: version, first_used, text."""
    rows = conn.execute("SELECT version, first_used, text FROM plans WHERE profile = ? ORDER BY first_used, rowid",
                        (profile,))
    return [{"version": r[0], "first_used": r[1], "text": r[2]} for r in rows]
