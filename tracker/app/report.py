"""Progress report: one self-contained HTML file (and optionally a CSV) from the history.

Why: a therapist needs one file to open, print or attach, with no internet and no
other files, that says in plain words whether the ankle is doing better. Camera angles are
noisy, so a change smaller than the minimum detectable change is never called progress.
"""
from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from pathlib import Path

from tracker import __version__
from tracker.app.history import parse_since
from tracker.app.report_charts import MDC_DEG, chart_reps, chart_rom, chart_shares
from tracker.app.report_plan import plan_section
from tracker.errors import InputError, UsageError, printable
from tracker.files import atomic_write_text
from tracker.sinks.csvfile import csv_cell
from tracker.sinks.history import list_sessions, local_time
from tracker.sinks.history_file import resolve_db_path
from tracker.sinks.history_reader import connect_readonly

# --- plain-language statements (pure) ----------------------------------------------------

def span_text(days: float) -> str:
    """'over 3 weeks' style wording for the time between two sessions."""
    if days < 1:
        return "within one day"
    if days < 13.5:
        n = round(days)
        return f"over {n} day{'s' if n != 1 else ''}"
    n = round(days / 7)
    return f"over {n} weeks"


def _pair(first: float, last: float, mdc: float, measurable: bool) -> tuple[str, str]:
    """Round as coarsely as possible without the shown numbers contradicting the verdict."""
    for decimals in (0, 1, 2):
        a, b = round(first, decimals), round(last, decimals)
        if (abs(b - a) >= mdc - 1e-9) == measurable:
            break
    return f"{a:.{decimals}f}°", f"{b:.{decimals}f}°"


def rom_statement(label: str, first_deg: float, last_deg: float, days: float, mdc: float = MDC_DEG) -> str:
    """Compare the first and the latest session's mean range. Changes under ``mdc`` are
    'no measurable change', whatever their sign."""
    change = last_deg - first_deg
    measurable = abs(change) >= mdc - 1e-9
    a, b = _pair(first_deg, last_deg, mdc, measurable)
    span = span_text(days)
    if not measurable:
        return (f"No measurable change in {label} range {span} ({a} then {b}; changes under "
                f"{mdc:g}° are within camera measurement error).")
    verb = "improved" if change > 0 else "declined"
    return f"{label[:1].upper()}{label[1:]} range {verb} from {a} to {b} {span}."


def _days_between(a: dict, b: dict) -> float:
    return (datetime.fromisoformat(b["started_at"]) - datetime.fromisoformat(a["started_at"])).total_seconds() / 86400


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def describe(sessions: list[dict], label: str, mdc: float = MDC_DEG) -> list[str]:
    """Statements for one exercise and side, from session rows (oldest first)."""
    out: list[str] = []
    modes = [m for m in ("passive", "active") if any(s["mode"] == m for s in sessions)]
    for mode in modes:
        measured = [s for s in sessions if s["mode"] == mode and s["mean_rom_deg"] is not None]
        name = f"{mode} {label}" if len(modes) > 1 else label
        if len(measured) >= 2:
            out.append(rom_statement(name, measured[0]["mean_rom_deg"], measured[-1]["mean_rom_deg"],
                                     _days_between(measured[0], measured[-1]), mdc))
        elif measured:
            out.append(f"One {mode} session with a measured range so far ({measured[0]['mean_rom_deg']:.0f}°); "
                       "a trend needs at least two.")
    reached = sum(1 for s in sessions if s["reps_counted"] >= s["target"])
    out.append(f"The target number of reps was reached in {reached} of {len(sessions)} "
               f"session{'s' if len(sessions) != 1 else ''}.")
    if modes == ["passive", "active"]:
        first_active = next(i for i, s in enumerate(sessions) if s["mode"] == "active")
        later = sessions[first_active:]
        n_active = sum(1 for s in later if s["mode"] == "active")
        out.append(f"From passive to active: first active session on "
                   f"{local_time(later[0]['started_at']):%d %b %Y}, after {first_active} passive "
                   f"session{'s' if first_active != 1 else ''}; "
                   f"{n_active} of {len(later)} sessions since then were active.")
    elif modes:
        out.append(f"All sessions were {modes[0]}.")
    # help and compensation mean different things in passive work, so compare the latest mode's sessions
    latest_mode = sessions[-1]["mode"]
    with_reps = [s for s in sessions if s["reps_counted"] and s["mode"] == latest_mode]
    if with_reps:
        first, last = with_reps[0], with_reps[-1]
        which = f"{latest_mode} session" if len(modes) > 1 else "session"
        for key, what in (("assisted", "Assisted reps (helped by a hand or the other foot)"),
                          ("compensated", "Compensated reps (the shin moved instead of the ankle)")):
            a, b = _pct(first[key], first["reps_counted"]), _pct(last[key], last["reps_counted"])
            out.append(f"{what}: {a} in the first {which}, {b} in the latest." if len(with_reps) > 1
                       else f"{what}: {a}.")
    both = [s for s in sessions if s["mean_rom_deg"] is not None and s["other_side_mean_rom_deg"] is not None]
    if both:
        s = both[-1]
        aff, oth = s["mean_rom_deg"], s["other_side_mean_rom_deg"]
        when = f"{local_time(s['started_at']):%d %b %Y}"
        if abs(aff - oth) < mdc:
            out.append(f"On {when} the affected foot ({aff:.0f}°) and the other foot ({oth:.0f}°) "
                       "moved through about the same range (no measurable difference).")
        else:
            ratio = f" ({round(100 * aff / oth)}% of the other foot)" if oth > 0 else ""
            out.append(f"On {when} the affected foot moved {aff:.0f}° and the other foot {oth:.0f}°{ratio}.")
    return out


def exercise_label(key: str) -> str:
    """The exercise as it reads mid-sentence: 'dorsiflexion range improved ...'."""
    return key.replace("_", " ")


def exercise_title(key: str) -> str:
    """The heading for an exercise: the registry's title ('Ankle dorsiflexion') when known."""
    try:
        from tracker.exercises import EXERCISES

        title = getattr(EXERCISES.get(key), "title", None)
    except Exception:  # registry absent or shaped differently: the key still reads fine
        title = None
    if isinstance(title, str) and title:
        return title
    label = exercise_label(key)
    return label[:1].upper() + label[1:]


CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 19px; line-height: 1.45;
       color: #111; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 32px; margin: 0 0 4px; } h2 { font-size: 27px; margin: 40px 0 10px;
     border-bottom: 3px solid #1f4e9c; padding-bottom: 4px; } h3 { font-size: 21px; margin: 22px 0 6px; }
.meta { color: #444; } .note { background: #f1f4f9; padding: 10px 14px; border-radius: 6px; }
ul.findings li { margin: 6px 0; font-size: 20px; }
img { width: 100%; height: auto; display: block; }
figure { margin: 8px 0 18px; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 17px; margin-top: 8px; }
th, td { border-bottom: 1px solid #ccc; padding: 5px 8px; text-align: right; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
th { background: #eef1f6; }
@media print { body { font-size: 14pt; max-width: none; padding: 0; } section { break-before: page; }
               section:first-of-type { break-before: auto; } }
"""


def _cell_deg(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}°"


def _session_table(sessions: list[dict]) -> str:
    head = ("date", "mode", "reps / target", "mean range", "best range", "other foot", "assisted",
            "compensated", "note")
    rows = []
    for s in sessions:
        n = s["reps_counted"]
        cells = (f"{local_time(s['started_at']):%Y-%m-%d %H:%M}", s["mode"], f"{n} / {s['target']}",
                 _cell_deg(s["mean_rom_deg"]), _cell_deg(s["best_rom_deg"]),
                 _cell_deg(s["other_side_mean_rom_deg"]), f"{s['assisted']}", f"{s['compensated']}",
                 "" if s["status"] == "complete" else s["status"])
        rows.append("<tr>" + "".join(f'<td{" class=text" if i in (1, 8) else ""}>{html.escape(c)}</td>'
                                     for i, c in enumerate(cells)) + "</tr>")
    header = "".join(f'<th{" class=text" if i in (1, 8) else ""}>{h}</th>' for i, h in enumerate(head))
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_html(b64: str, caption: str) -> str:
    return (f'<figure><h3>{html.escape(caption)}</h3>'
            f'<img src="data:image/png;base64,{b64}" alt="{html.escape(caption)}"></figure>')


def section_html(exercise: str, side: str, sessions: list[dict], mdc: float = MDC_DEG) -> str:
    items = "".join(f"<li>{html.escape(t)}</li>" for t in describe(sessions, exercise_label(exercise), mdc))
    parts = [f"<section><h2>{html.escape(exercise_title(exercise))} — {html.escape(side)} foot</h2>",
             f'<ul class="findings">{items}</ul>',
             _figure_html(chart_reps(sessions), "Reps per session and the target"),
             _figure_html(chart_rom(sessions, mdc), "Range of motion per session"),
             _figure_html(chart_shares(sessions), "Share of assisted and compensated reps"),
             "<h3>Sessions</h3>", _session_table(sessions), "</section>"]
    return "\n".join(parts)


def render_html(groups: dict[tuple[str, str], list[dict]], profile: str, since: str | None,
                mdc: float = MDC_DEG, adherence: str = "") -> str:
    """The whole report page; every image is inline, nothing is fetched. ``adherence``: the
    plan section (report_plan.py), first when there is one."""
    everything = [s for g in groups.values() for s in g]
    first = min(s["started_at"] for s in everything)
    last = max(s["started_at"] for s in everything)
    period = f"{local_time(first):%d %b %Y} to {local_time(last):%d %b %Y}"
    body = "\n".join([adherence] * bool(adherence)
                     + [section_html(ex, side, ss, mdc) for (ex, side), ss in groups.items()])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Foot-drop exercise progress: {html.escape(profile)}</title>
<style>{CSS}</style></head>
<body>
<h1>Foot-drop exercise progress</h1>
<p class="meta"><b>{html.escape(profile)}</b> · {len(everything)} sessions from {period}
{f"(since {html.escape(since)})" if since else ""} · generated {datetime.now():%d %b %Y %H:%M}</p>
<p class="note">Range of motion is the ankle angle measured from the camera, in degrees. A difference
smaller than {mdc:g}° is within measurement error and is reported as no measurable change.
Reps marked as low confidence are not counted.</p>
{body}
<p class="meta">Made by footdrop tracker {html.escape(__version__)}. This report supports, and does not
replace, a clinician's assessment.</p>
</body></html>
"""


# --- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = ("session_id", "profile", "date", "started_at_utc", "ended_at_utc", "exercise", "side",
               "mode", "target", "reps_counted", "reps_low_confidence", "mean_rom_deg", "best_rom_deg",
               "other_side_mean_rom_deg", "mean_duration_s", "assisted", "compensated", "status",
               "method", "source", "source_sha256", "time_analysed_s", "frames",
               "frames_without_person", "warnings")


def csv_row(s: dict) -> list[str]:
    values = dict(s, session_id=s["id"], date=f"{local_time(s['started_at']):%Y-%m-%d %H:%M}",
                  started_at_utc=s["started_at"], ended_at_utc=s["ended_at"],
                  warnings="; ".join(s["warnings"]))
    return [csv_cell(values[c]) for c in CSV_COLUMNS]


def csv_text(sessions: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    w.writerows(csv_row(s) for s in sessions)
    return buf.getvalue()


# --- running it --------------------------------------------------------------------------

def group_sessions(sessions: list[dict]) -> dict[tuple[str, str], list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for s in sessions:
        groups.setdefault((s["exercise"], s["side"]), []).append(s)
    return dict(sorted(groups.items()))


def pick_profile(conn, profile: str | None) -> str:
    """One person per report: without --profile there must be only one in the database."""
    if profile is not None:
        return profile
    names = [r[0] for r in conn.execute("SELECT DISTINCT profile FROM sessions ORDER BY profile")]
    if len(names) > 1:
        raise UsageError(f"the history holds several people ({', '.join(names)}); choose one with --profile")
    if not names:
        raise InputError("no sessions recorded yet; record a session first")
    return names[0]


def build_report(db, output: Path, profile: str | None = None, since: str | None = None,
                 exercise: str | None = None, csv_path: Path | None = None) -> list[dict]:
    """Write the report (and CSV); returns the sessions it covers."""
    conn = connect_readonly(db)
    try:
        profile = pick_profile(conn, profile)
        sessions = list_sessions(conn, profile=profile, exercise=exercise, since=since)
        adherence = plan_section(conn, profile, sessions, exercise_title)
    finally:
        conn.close()
    if not sessions:
        what = " ".join(x for x in (f"profile {profile!r}", exercise and f"exercise {exercise!r}",
                                    since and f"since {since}") if x)
        raise InputError(f"no sessions for {what} in {resolve_db_path(db)}; see: tracker history")
    atomic_write_text(output, render_html(group_sessions(sessions), profile, since, adherence=adherence))
    if csv_path is not None:
        atomic_write_text(csv_path, csv_text(sessions), encoding="utf-8-sig")  # BOM: Excel reads UTF-8
    return sessions


def register_cli(sub) -> None:
    p = sub.add_parser("report", help="write a progress report (HTML, optionally CSV) from the history",
                       description="Write one self-contained HTML progress report (charts inside, "
                                   "printable, no internet needed) for one person, per exercise.")
    p.add_argument("-o", "--output", required=True, help="report file to write (.html)")
    p.add_argument("--profile", help="whose sessions (needed when the history holds several people)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only sessions on or after this date")
    p.add_argument("--exercise", help="only this exercise")
    p.add_argument("--csv", metavar="PATH", help="also export the sessions, one row each (.csv)")
    p.add_argument("--db", metavar="PATH", help="history database file")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(func=_run_report)


def _run_report(args) -> int:
    from tracker.app.paths import check_distinct, check_output_path
    from tracker.sinks.history import resolve_db_path

    since = parse_since(args.since)
    check_distinct({"--output": args.output, "--csv": args.csv}, database=resolve_db_path(args.db))
    out = check_output_path(args.output, force=args.force, suffix=".html")
    csv_path = check_output_path(args.csv, force=args.force, suffix=".csv") if args.csv else None
    sessions = build_report(args.db, out, args.profile, since, args.exercise, csv_path)
    print(f"wrote {printable(out)} ({len(sessions)} sessions)" + (f" and {printable(csv_path)}" if csv_path else ""))
    return 0
