"""The progress report: statements, numbers against the stored reps, self-containment, CSV,
and a real headless browser rendering it."""
from __future__ import annotations

import base64
import csv
import html
import os
import random
import re
import shutil
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.app.report import MDC_DEG, build_report, csv_cell, describe, exercise_title, rom_statement, span_text
from tracker.errors import EXIT_INPUT, EXIT_USAGE
from tracker.records import Rep, SetInfo, SetSummary
from tracker.sinks.history import HistorySink, connect, get_reps, list_sessions

CHROMIUM = "/usr/bin/chromium"
START = datetime(2026, 2, 2, 10, 0, tzinfo=timezone.utc)


# --- data --------------------------------------------------------------------------------

def _rep(i, rom, *, assisted=False, compensation=False, counted=True, other=None):
    return Rep(index=i, start_t=3.0 * i, peak_t=3.0 * i + 1.0, end_t=3.0 * i + 2.2, rest_deg=-4.0,
               peak_deg=rom - 4.0, rom_deg=rom, duration_s=2.2, assisted=assisted, compensation=compensation,
               confidence=0.9 if counted else 0.35, counted=counted, side="left", other_side_rom_deg=other)


def store(db, reps, *, when, exercise="dorsiflexion", mode="active", profile="Maria", target=10,
          source="camera:0", interrupted=False):
    info = SetInfo(source=source, exercise=exercise, side="left", mode=mode, target=target, profile=profile,
                   started_at=when.isoformat(), method="live-hysteresis")
    if interrupted:
        with pytest.raises(KeyboardInterrupt), HistorySink(db) as sink:
            sink.open(info)
            for r in reps:
                sink.add(r)
            raise KeyboardInterrupt
        return
    sink = HistorySink(db)
    sink.open(info)
    for r in reps:
        sink.add(r)
    sink.close(SetSummary.from_reps(info, reps, 60.0, 1800, 20))


def realistic_history(db, seed: int = 9) -> None:
    """Four weeks of a left foot drop: passive ankle work first, then active work whose range
    grows from about 5.5° to 11.5°, with less help and less compensation; the other foot ~25°.
    A second exercise stays flat (no measurable change); one set was interrupted."""
    rnd = random.Random(seed)
    day = 0
    for _ in range(4):  # passive: someone moves the foot
        reps = [_rep(i, rnd.gauss(15, 1.2), assisted=True) for i in range(1, 11)]
        store(db, reps, when=START + timedelta(days=day, minutes=rnd.randint(0, 90)), mode="passive")
        day += 2
    for n in range(10):  # active: the person lifts the foot
        progress = n / 9
        mean = 5.5 + 6 * progress
        count = min(10, 5 + n)
        reps = []
        for i in range(1, count + 1):
            reps.append(_rep(i, max(1.0, rnd.gauss(mean, 1.5)), assisted=rnd.random() < 0.45 * (1 - progress),
                             compensation=rnd.random() < 0.6 - 0.5 * progress,
                             other=rnd.gauss(25, 1.5) if n % 3 != 1 else None))
        reps.insert(2, _rep(3, rnd.gauss(mean, 1.5), counted=False))  # a low-confidence one
        store(db, reps, when=START + timedelta(days=day, hours=rnd.randint(0, 8)), interrupted=(n == 4))
        day += 2
    for n in range(5):
        reps = [_rep(i, rnd.gauss(9, 1.0)) for i in range(1, 9)]
        store(db, reps, when=START + timedelta(days=7 + 4 * n, hours=3), exercise="toe_raise", target=8)


@pytest.fixture
def history_db(tmp_path):
    db = tmp_path / "history.sqlite3"
    realistic_history(db)
    return db


# --- statements --------------------------------------------------------------------------

def test_improvement_at_or_above_mdc_is_reported():
    assert rom_statement("dorsiflexion", 6.0, 11.0, 21) == "Dorsiflexion range improved from 6° to 11° over 3 weeks."
    assert "improved" in rom_statement("dorsiflexion", 6.0, 6.0 + MDC_DEG, 10)


def test_change_below_mdc_is_no_measurable_change_either_way():
    for first, last in ((6.0, 10.9), (6.0, 6.0 + MDC_DEG - 0.01), (11.0, 6.1), (8.0, 8.0)):
        text = rom_statement("dorsiflexion", first, last, 21)
        assert text.startswith("No measurable change in dorsiflexion range over 3 weeks"), text
        assert "improved" not in text and "declined" not in text


def test_decline_at_mdc_is_reported():
    assert rom_statement("dorsiflexion", 11.0, 6.0, 14) == "Dorsiflexion range declined from 11° to 6° over 2 weeks."
    assert "declined" in rom_statement("dorsiflexion", 11.0, 11.0 - MDC_DEG, 3)


def test_shown_numbers_never_contradict_the_verdict():
    # 6.4 -> 11.3 is a 4.9° change; "6° then 11°" would look like 5°, so one decimal is shown
    text = rom_statement("dorsiflexion", 6.4, 11.3, 21)
    assert text.startswith("No measurable change") and "6.4° then 11.3°" in text
    # 6.6 -> 11.5 is 4.9° but rounds to 7 and 12 (5° apart) as well
    assert "6.6° then 11.5°" in rom_statement("dorsiflexion", 6.6, 11.5, 21)
    # 5.6 -> 10.5 (4.9°) rounds to 6 and 10 (Python rounds half to even): whole degrees agree
    assert "6° then 10°" in rom_statement("dorsiflexion", 5.6, 10.5, 21)


def test_span_wording():
    assert [span_text(d) for d in (0.2, 1, 6, 13, 14, 21, 30)] == [
        "within one day", "over 1 day", "over 6 days", "over 13 days", "over 2 weeks", "over 3 weeks",
        "over 4 weeks"]


def _session(day, mode, mean, reps=10, target=10, assisted=0, compensated=0, other=None):
    return {"started_at": (START + timedelta(days=day)).isoformat(), "mode": mode, "mean_rom_deg": mean,
            "reps_counted": reps, "target": target, "assisted": assisted, "compensated": compensated,
            "other_side_mean_rom_deg": other}


def test_describe_separates_passive_from_active_and_counts_targets():
    sessions = [_session(0, "passive", 15, assisted=10), _session(2, "passive", 15.5, assisted=10),
                _session(4, "active", 6, reps=5, assisted=2, compensated=3),
                _session(25, "active", 11, reps=10, assisted=0, compensated=1, other=24)]
    text = describe(sessions, "dorsiflexion")
    assert "No measurable change in passive dorsiflexion range over 2 days" in text[0]
    assert text[1] == "Active dorsiflexion range improved from 6° to 11° over 3 weeks."
    assert text[2] == "The target number of reps was reached in 3 of 4 sessions."
    assert text[3].startswith("From passive to active: first active session on 06 Feb 2026, after 2 passive")
    assert "1 of" not in text[3] and "2 of 2 sessions since then were active" in text[3]
    # passive sessions are all "assisted" by definition, so shares compare active sessions only
    assert text[4] == ("Assisted reps (helped by a hand or the other foot): 40% in the first active session, "
                       "0% in the latest.")
    assert text[5].startswith("Compensated reps")
    assert text[5].endswith("60% in the first active session, 10% in the latest.")
    assert "affected foot moved 11° and the other foot 24° (46% of the other foot)" in text[6]


def test_exercise_titles_come_from_the_registry_with_a_fallback():
    assert exercise_title("dorsiflexion") == "Ankle dorsiflexion"
    assert exercise_title("ankle_circles") == "Ankle circles"


def test_describe_one_session_is_not_a_trend():
    text = describe([_session(0, "active", 7.4)], "dorsiflexion")
    assert text[0].startswith("One active session with a measured range so far (7°)")
    assert not any("improved" in t or "declined" in t for t in text)


# --- the report file ---------------------------------------------------------------------

class _Tables(HTMLParser):
    """Collects <h2> headings and table rows (cell texts) in document order."""

    def __init__(self):
        super().__init__()
        self.rows, self.h2, self.imgs, self._cell, self._row, self._in_h2 = [], [], [], None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        elif tag == "img":
            self.imgs.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            self.rows.append((self.h2[-1] if self.h2 else "", self._row))
            self._row = None
        elif tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_h2:
            self.h2[-1] += data


def test_report_numbers_match_the_stored_reps(history_db, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(history_db), "-o", str(out)]) == 0
    page = _Tables()
    page.feed(out.read_text(encoding="utf-8"))
    assert page.h2 == ["Ankle dorsiflexion — left foot", "Toe raises — left foot"]  # titles from the registry
    body_rows = [(h, r) for h, r in page.rows if r and r[0] != "date"]
    with closing(connect(history_db)) as conn:
        sessions = list_sessions(conn)
        assert len(body_rows) == len(sessions) == 19
        checked = 0
        in_report_order = sorted(sessions, key=lambda s: (s["exercise"], s["started_at"]))
        for s, (_, cells) in zip(in_report_order, body_rows, strict=True):
            counted = [r for r in get_reps(conn, s["id"]) if r.counted]
            date = datetime.fromisoformat(s["started_at"]).astimezone().strftime("%Y-%m-%d %H:%M")
            others = [r.other_side_rom_deg for r in counted if r.other_side_rom_deg is not None]
            assert cells[0] == date
            assert cells[2] == f"{len(counted)} / {s['target']}"
            assert cells[3] == f"{sum(r.rom_deg for r in counted) / len(counted):.1f}°"
            assert cells[4] == f"{max(r.rom_deg for r in counted):.1f}°"
            assert cells[5] == (f"{sum(others) / len(others):.1f}°" if others else "–")
            assert cells[6] == str(sum(r.assisted for r in counted))
            assert cells[7] == str(sum(r.compensation for r in counted))
            checked += 1
    assert checked == 19
    assert sum(1 for _, r in body_rows if r[-1] == "interrupted") == 1


def test_report_statements_reflect_the_data(history_db, tmp_path):
    out = tmp_path / "r.html"
    build_report(history_db, out)
    text = out.read_text(encoding="utf-8")
    assert "Active dorsiflexion range improved from" in text
    assert "No measurable change in toe raise range" in text
    assert "From passive to active: first active session on" in text


def test_report_is_self_contained(history_db, tmp_path):
    out = tmp_path / "r.html"
    build_report(history_db, out, exercise="dorsiflexion")
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"<script|<link|@import|url\(", text, re.I)
    page = _Tables()
    page.feed(text)
    assert len(page.imgs) == 3  # one exercise: reps, range, shares
    for img in page.imgs:
        assert img["src"].startswith("data:image/png;base64,") and img["alt"]
        png = base64.b64decode(img["src"].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_importing_the_commands_does_not_load_matplotlib():
    code = "import sys, tracker.app.cli, tracker.sinks.history, tracker.app.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- CSV ---------------------------------------------------------------------------------

def test_csv_cell_escapes_formula_starts():
    assert [csv_cell(v) for v in ("=1+1", "+44 20", "-x", "@SUM(A1)", "\tx", "plain", "a=b")] == [
        "'=1+1", "'+44 20", "'-x", "'@SUM(A1)", "'\tx", "plain", "a=b"]
    # the same cells as the per-rep CSV (one csv_cell for every export)
    assert [csv_cell(v) for v in (None, True, 3, -4, -2.5, 7.1234)] == ["", "true", "3", "-4", "-2.5", "7.123"]


def test_csv_export_one_row_per_session(tmp_path):
    db = tmp_path / "h.sqlite3"
    evil = '=HYPERLINK("http://x","click")'
    store(db, [_rep(1, 7.0), _rep(2, 9.0)], when=START, profile=evil, source="-camera")
    store(db, [_rep(1, 12.0)], when=START + timedelta(days=3), profile=evil, source="@clip.mp4")
    out, out_csv = tmp_path / "r.html", tmp_path / "s.csv"
    assert main(["report", "--db", str(db), "-o", str(out), "--csv", str(out_csv)]) == 0
    with open(out_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    assert {r["profile"] for r in rows} == {"'" + evil}
    assert [r["source"] for r in rows] == ["'-camera", "'@clip.mp4"]
    assert [float(r["mean_rom_deg"]) for r in rows] == [8.0, 12.0]
    assert [int(r["reps_counted"]) for r in rows] == [2, 1]
    page = out.read_text(encoding="utf-8")
    assert html.escape(evil) in page and evil not in page  # the name is text, not markup


def test_cli_report_refuses_bad_requests(history_db, tmp_path, capsys):
    out = tmp_path / "r.html"
    out.write_text("keep me")
    assert main(["report", "--db", str(history_db), "-o", str(out)]) == EXIT_INPUT
    assert "--force" in capsys.readouterr().err and out.read_text() == "keep me"
    assert main(["report", "--db", str(history_db), "-o", str(tmp_path / "r.pdf")]) == EXIT_USAGE
    assert main(["report", "--db", str(history_db), "-o", str(out), "--force", "--since", "2030-01-01"]) == EXIT_INPUT
    assert "no sessions" in capsys.readouterr().err and out.read_text() == "keep me"
    store(history_db, [_rep(1, 5.0)], when=START, profile="Ben")
    assert main(["report", "--db", str(history_db), "-o", str(out), "--force"]) == EXIT_USAGE
    assert "--profile" in capsys.readouterr().err
    assert main(["report", "--db", str(history_db), "-o", str(out), "--force", "--profile", "Ben"]) == 0
    assert "Ben" in out.read_text(encoding="utf-8") and "Maria" not in out.read_text(encoding="utf-8")


def test_since_filters_sessions(history_db, tmp_path):
    out = tmp_path / "r.html"
    covered = build_report(history_db, out, since=(START + timedelta(days=20)).date().isoformat())
    assert covered and all(s["started_at"] >= (START + timedelta(days=19)).isoformat() for s in covered)
    assert len(covered) < 19


# --- a real browser ----------------------------------------------------------------------

def screenshot(html_path: Path, png: Path, workdir: Path) -> subprocess.CompletedProcess:
    """Render the report in headless Chromium, offline, with a throwaway profile."""
    profile = workdir / "chromium-profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1200,2400",
           "--hide-scrollbars", html_path.resolve().as_uri()]
    env = dict(os.environ, HOME=str(workdir))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env, cwd=workdir)


def test_report_renders_in_headless_chromium(history_db, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed: apt-get install chromium")
    from PIL import Image

    out = tmp_path / "report.html"
    build_report(history_db, out)
    png = tmp_path / "shot.png"
    proc = screenshot(out, png, tmp_path)
    assert png.exists(), f"no screenshot; chromium said: {proc.stderr[-2000:]}"
    if os.environ.get("REPORT_SCREENSHOT"):
        shutil.copy(png, os.environ["REPORT_SCREENSHOT"])
    img = Image.open(png).convert("RGB")
    assert img.size == (1200, 2400)
    small = img.resize((300, 600))
    pixels = [tuple(p) for p in np.asarray(small).reshape(-1, 3)]
    assert len(set(pixels)) > 50, "the page is blank or a single colour"
    non_white = sum(1 for p in pixels if min(p) < 235)
    assert non_white > 0.03 * len(pixels), "almost nothing was drawn"
    # the charts rendered (not broken-image icons): the dark blue of the plotted lines and bars
    rgb = np.asarray(img).astype(int)
    blue = int((np.abs(rgb - (31, 78, 156)).max(axis=2) < 25).sum())
    assert blue > 2000, "no chart colours on the page"
