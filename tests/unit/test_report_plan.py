"""The report's adherence section: sessions per week, sets, reps, holds and range against
the plan that applied then (two plan versions), and a real headless browser rendering it."""
from __future__ import annotations

import os
import re
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from test_report import CHROMIUM, screenshot

from tracker.app.report import build_report
from tracker.counting.hold import check_hold
from tracker.plan.load import parse_plan
from tracker.records import PlanStep, Rep, SetInfo, SetSummary
from tracker.sinks.history import HistorySink, connect
from tracker.sinks.plan_history import remember_plan

MONDAY = datetime(2026, 2, 2, 9, 0, tzinfo=timezone.utc)
PLAN_V1 = """\
sessions_per_week = 3
[patient]
profile = "maria"
affected_side = "left"
[[exercise]]
name = "dorsiflexion"
sets = 2
reps = 4
hold_s = 3
target_rom_deg = 20
[[exercise]]
name = "heel_raise"
sets = 1
reps = 5
"""
PLAN_V2 = PLAN_V1.replace("sessions_per_week = 3", "sessions_per_week = 4").replace("sets = 2", "sets = 3")


def _reps(n: int, rom: float, holds: list[float], planned_hold: float) -> list[Rep]:
    out, k = [], 0
    for i, h in enumerate(holds[:n]):
        r = Rep(index=k + 1, start_t=5.0 * i, peak_t=5.0 * i + 1, end_t=5.0 * i + 3 + h, rest_deg=0.0, peak_deg=rom,
                rom_deg=rom, duration_s=3.0 + h, assisted=False, compensation=False, confidence=0.9, counted=True,
                side="left", hold_s=h)
        r = replace(check_hold(r, planned_hold), index=k + 1)
        k += r.counted
        out.append(r)
    return out


def _store(db, plan, when, exercise: str, set_no: int, reps: list[Rep]):
    pe = plan.for_exercise(exercise)
    step = PlanStep(plan.version, set_no, pe.sets, pe.reps, pe.hold_s, pe.rest_s, pe.target_rom_deg)
    info = SetInfo(source="camera:0", exercise=exercise, side="left", mode="active", target=pe.reps, profile="maria",
                   started_at=when.isoformat(), method="live-hysteresis", plan=step)
    sink = HistorySink(db)
    sink.open(info)
    for r in reps:
        sink.add(r)
    sink.close(SetSummary.from_reps(info, reps, 60.0, 900, 0))


def planned_history(db) -> tuple:
    v1, v2 = parse_plan(PLAN_V1), parse_plan(PLAN_V2)
    with closing(connect(db)) as conn:
        remember_plan(conn, "maria", v1.version, PLAN_V1)
        remember_plan(conn, "maria", v2.version, PLAN_V2)
    # week 1, plan 1: two days of three; day 1 both dorsiflexion sets (one hold short), day 2 one set only
    day1, day2 = MONDAY, MONDAY + timedelta(days=2)
    _store(db, v1, day1, "dorsiflexion", 1, _reps(4, 16.0, [3.2, 3.0, 1.0, 3.1, 3.3], 3))  # 3 counted, 1 short
    _store(db, v1, day1 + timedelta(minutes=3), "dorsiflexion", 2, _reps(4, 18.0, [3.0] * 4, 3))
    _store(db, v1, day1 + timedelta(minutes=6), "heel_raise", 1, _reps(5, 9.0, [0.2] * 5, 0))
    _store(db, v1, day2, "dorsiflexion", 1, _reps(4, 17.0, [3.0] * 4, 3))
    # week 2, plan 2 (three sets now, four sessions a week): four days, every set done
    for d in range(4):
        for k in range(3):
            _store(db, v2, MONDAY + timedelta(days=7 + d, minutes=3 * k), "dorsiflexion", k + 1,
                   _reps(4, 20.0, [3.4] * 4, 3))
    return v1, v2


def _text(html_doc: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_doc))


def test_adherence_against_the_plan_that_applied(tmp_path):
    db = tmp_path / "h.sqlite3"
    v1, v2 = planned_history(db)
    out = tmp_path / "report.html"
    build_report(db, out, profile="maria")
    page = out.read_text()
    section = _text(page[page.index("Adherence to the plan"):page.index("</section>")])
    # sessions per week against each week's plan
    assert f"02 Feb 2026 {v1.version} 2 of 3 no" in section
    assert f"09 Feb 2026 {v2.version} 4 of 4 yes" in section
    # dorsiflexion under plan 1: 3 sets of 4 asked (2 per day, 2 days), 3 done, 2 at target; reps 3+4+4 of 16;
    # holds 11 of 12 (one short); range (16+18+17)/3 = 17.0 of 20
    assert f"Ankle dorsiflexion {v1.version} 3 of 4 2 11 of 16 11 of 12 (3 s) 17.0° of 20° (85%)" in section
    assert f"Heel raises {v1.version} 1 of 2 1 5 of 10 – 9.0°" in section
    assert f"Ankle dorsiflexion {v2.version} 12 of 12 12 48 of 48 48 of 48 (3 s) 20.0° of 20° (100%)" in section
    assert f"Heel raises {v2.version} 0 of 4 0 0 of 20 – –" in section  # never done under plan 2
    # both plans are listed with what they asked
    assert "3 sessions a week, left side: Ankle dorsiflexion 2 × 4, hold 3 s, target 20°" in section
    assert "4 sessions a week" in section
    assert page.index("Adherence to the plan") < page.index("Ankle dorsiflexion — left foot")


def test_no_plan_no_adherence_section(tmp_path):
    from test_report import realistic_history

    db = tmp_path / "h.sqlite3"
    realistic_history(db)
    out = tmp_path / "r.html"
    build_report(db, out)
    assert "Adherence" not in out.read_text()


def test_adherence_renders_in_headless_chromium(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed: apt-get install chromium")
    from PIL import Image

    db = tmp_path / "h.sqlite3"
    planned_history(db)
    out = tmp_path / "report.html"
    build_report(db, out, profile="maria")
    png = tmp_path / "shot.png"
    proc = screenshot(out, png, tmp_path)
    assert png.exists(), f"no screenshot; chromium said: {proc.stderr[-2000:]}"
    if os.environ.get("ADHERENCE_SCREENSHOT"):
        Image.open(png).crop((0, 0, 1200, 1500)).save(os.environ["ADHERENCE_SCREENSHOT"], optimize=True)
    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)[:1500]
    # the section's tables drew: the header cells' pale blue fills many rows near the top
    header = (np.abs(rgb - (0xEE, 0xF1, 0xF6)).max(axis=2) < 4).sum(axis=1)
    assert (header > 600).sum() >= 40, "no table headers rendered in the adherence section"
