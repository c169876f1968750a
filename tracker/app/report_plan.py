"""The report's adherence section: what was done against what the therapist's plan asked.

Why from the history alone: each planned set stores its plan version, and the history keeps
each version's text, so the report judges every week against the plan that applied then,
even after the file changed. A "session" here is a day with at least one planned set (the
history stores sets); a week is a calendar week, Monday first, in local time.
"""
from __future__ import annotations

import html
from collections import defaultdict
from datetime import timedelta

from tracker.counting.hold import SHORT_HOLD
from tracker.errors import InputError
from tracker.plan.load import parse_plan
from tracker.sinks.history import local_time


def _plans(stored: list[dict]) -> dict:
    """version -> Plan, for the stored plans that still read (a damaged one is skipped)."""
    out = {}
    for p in stored:
        try:
            out[p["version"]] = parse_plan(p["text"], f"plan {p['version']}")
        except InputError:
            continue
    return out


def _week(iso: str):
    d = local_time(iso).date()
    return d - timedelta(days=d.weekday())


def weekly_rows(sessions: list[dict], planned: dict[int, dict], plans: dict) -> list[tuple]:
    """(week starting, plan version, days exercised, sessions prescribed) per week and plan."""
    days = defaultdict(set)
    for s in sessions:
        p = planned.get(s["id"])
        if p is not None:
            days[(_week(s["started_at"]), p["plan_version"])].add(local_time(s["started_at"]).date())
    out = []
    for (week, version), ds in sorted(days.items()):
        plan = plans.get(version)
        out.append((week, version, len(ds), plan.sessions_per_week if plan else None))
    return out


def exercise_rows(sessions: list[dict], planned: dict[int, dict], plans: dict, reps: dict[int, list]) -> list[dict]:
    """Per plan version and exercise: sets, reps, holds and range against the plan."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    days = defaultdict(set)  # the days exercised under each version: an exercise skipped on one is missed
    for s in sessions:
        if s["id"] in planned:
            groups[(planned[s["id"]]["plan_version"], s["exercise"])].append(s)
            days[planned[s["id"]]["plan_version"]].add(local_time(s["started_at"]).date())
    for version in days:  # an exercise of the plan never done under it is a row of zeros
        for pe in plans[version].exercises if version in plans else ():
            groups.setdefault((version, pe.exercise), [])
    out = []
    for (version, exercise), ss in groups.items():
        plan = plans.get(version)
        pe = plan.for_exercise(exercise) if plan else None
        n_days = len(days[version])
        all_reps = [r for s in ss for r in reps.get(s["id"], [])]
        held = [r for r in all_reps if r.counted or r.note.startswith(SHORT_HOLD)]
        roms = [s["mean_rom_deg"] for s in ss if s["mean_rom_deg"] is not None]
        out.append(dict(
            version=version, exercise=exercise, sets=len(ss),
            sets_full=sum(s["reps_counted"] >= s["target"] for s in ss),
            sets_planned=pe.sets * n_days if pe else None, reps=sum(s["reps_counted"] for s in ss),
            reps_planned=pe.sets * pe.reps * n_days if pe else None, hold_s=pe.hold_s if pe else 0.0,
            holds_kept=sum(r.counted for r in held), holds_tried=len(held),
            mean_rom=sum(roms) / len(roms) if roms else None, target_rom=pe.target_rom_deg if pe else None))
    return out


def _of(a, b) -> str:
    return f"{a} of {b}" if b is not None else f"{a}"


def _table(head: tuple[str, ...], rows: list[tuple]) -> str:
    th = "".join(f'<th{" class=text" if i < 2 else ""}>{h}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td{" class=text" if i < 2 else ""}>{html.escape(str(c))}</td>'
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _range_cell(r: dict) -> str:
    if r["mean_rom"] is None:
        return "–"
    if not r["target_rom"]:
        return f"{r['mean_rom']:.1f}°"
    return f"{r['mean_rom']:.1f}° of {r['target_rom']:g}° ({round(100 * r['mean_rom'] / r['target_rom'])}%)"


def adherence_html(sessions: list[dict], planned: dict[int, dict], stored: list[dict], reps: dict[int, list],
                   title=lambda key: key) -> str:
    """The section, or "" when no session was done under a plan."""
    if not any(s["id"] in planned for s in sessions):
        return ""
    plans = _plans(stored)
    week_rows = [(f"{w:%d %b %Y}", v, _of(done, want), "yes" if want and done >= want else "no" if want else "–")
                 for w, v, done, want in weekly_rows(sessions, planned, plans)]
    ex_rows = []
    for r in exercise_rows(sessions, planned, plans, reps):
        holds = (f"{r['holds_kept']} of {r['holds_tried']} ({r['hold_s']:g} s)" if r["hold_s"] and r["holds_tried"]
                 else "–")
        ex_rows.append((title(r["exercise"]), r["version"], _of(r["sets"], r["sets_planned"]), f"{r['sets_full']}",
                        _of(r["reps"], r["reps_planned"]), holds, _range_cell(r)))
    versions = "".join(f"<li><b>{html.escape(v)}</b>: {html.escape(_plan_line(p, title))}</li>"
                       for v, p in plans.items())
    return "\n".join([
        "<section><h2>Adherence to the plan</h2>",
        '<p class="note">A session is a day with at least one set done under the plan. Sets and reps are '
        "compared with what the plan asks on the days exercised; a hold is kept when the foot stayed at the top "
        "long enough (within 0.5 s of the hold asked).</p>",
        f'<h3>Plans followed</h3><ul class="findings">{versions}</ul>',
        "<h3>Sessions per week</h3>",
        _table(("week of", "plan", "sessions done", "as prescribed"), week_rows),
        "<h3>Sets, reps, holds and range</h3>",
        _table(("exercise", "plan", "sets done", "sets at target", "reps counted", "holds kept",
                "mean range against target"), ex_rows),
        "</section>"])


def _plan_line(plan, title) -> str:
    parts = []
    for pe in plan.exercises:
        hold = f", hold {pe.hold_s:g} s" if pe.hold_s else ""
        target = f", target {pe.target_rom_deg:g}°" if pe.target_rom_deg else ""
        parts.append(f"{title(pe.exercise)} {pe.sets} × {pe.reps}{hold}{target}")
    return f"{plan.sessions_per_week} sessions a week, {plan.patient.affected_side} side: " + "; ".join(parts)


def plan_section(conn, profile: str, sessions: list[dict], title) -> str:
    """The adherence section for these sessions, read from the history (empty without a plan)."""
    from tracker.sinks.history import get_reps
    from tracker.sinks.plan_history import planned_sets, stored_plans

    planned = planned_sets(conn, profile)
    reps = {s["id"]: get_reps(conn, s["id"]) for s in sessions if s["id"] in planned}
    return adherence_html(sessions, planned, stored_plans(conn, profile), reps, title)
