"""``tracker history``: past sessions in the terminal, one line each, oldest first."""
from __future__ import annotations

from datetime import datetime

from tracker.errors import UsageError, printable
from tracker.sinks.history import list_sessions, local_time
from tracker.sinks.history_file import DB_ENV, default_db_path, resolve_db_path
from tracker.sinks.history_reader import connect_readonly


def _fmt_deg(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}°"


def format_table(sessions: list[dict]) -> str:
    """A plain-text table for the terminal: one line per session, oldest first."""
    show_profile = len({s["profile"] for s in sessions}) > 1
    header = (["profile"] if show_profile else []) + [
        "date", "exercise", "side", "mode", "reps/target", "mean ROM", "best ROM", "assisted",
        "compensated", "status"]
    rows = []
    for s in sessions:
        rows.append(([s["profile"]] if show_profile else []) + [
            local_time(s["started_at"]).strftime("%Y-%m-%d %H:%M"), s["exercise"], s["side"], s["mode"],
            f"{s['reps_counted']}/{s['target']}", _fmt_deg(s["mean_rom_deg"]), _fmt_deg(s["best_rom_deg"]),
            str(s["assisted"]), str(s["compensated"]), "" if s["status"] == "complete" else s["status"]])
    rows = [[printable(c) for c in row] for row in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    numeric = {"reps/target", "mean ROM", "best ROM", "assisted", "compensated"}
    lines = []
    for cells in [header, *rows]:
        parts = [c.rjust(w) if h in numeric else c.ljust(w) for c, w, h in zip(cells, widths, header, strict=True)]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def register_cli(sub) -> None:
    p = sub.add_parser("history", help="list recorded sessions",
                       description="List the sessions stored in the history database, oldest first. "
                                   f"Database: --db, else ${DB_ENV}, else {default_db_path()}")
    p.add_argument("--profile", help="only this person's sessions")
    p.add_argument("--exercise", help="only this exercise")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only sessions on or after this date")
    p.add_argument("--db", metavar="PATH", help="history database file")
    p.set_defaults(func=_run_history)


def parse_since(value: str | None) -> str | None:
    """Validate a --since date so a typo is a usage error, not an empty list."""
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since {value!r}: expected a date like 2026-03-01") from None
    return value


def _run_history(args) -> int:
    since = parse_since(args.since)
    conn = connect_readonly(args.db)
    try:
        sessions = list_sessions(conn, profile=args.profile, exercise=args.exercise, since=since)
    finally:
        conn.close()
    if not sessions:
        print(f"no sessions match in {printable(resolve_db_path(args.db))}")
        return 0
    print(format_table(sessions))
    return 0
