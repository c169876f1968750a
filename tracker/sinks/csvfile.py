"""CSV sinks: one row per rep (appended and flushed as reps happen) and one row per set.

Why flush per row: a patient's set must survive Ctrl-C, a crash or a pulled plug. The
per-set summary file is rewritten whole on every set, through a temporary file and an
atomic rename, so a kill at any moment leaves either the old or the new valid file.
Column order is stable and documented in README.md ("CSV columns").
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from tracker.files import atomic_write_text, write_failed
from tracker.records import PlanStep, Rep, SetInfo, SetSummary

# The plan a set followed (empty without one): which version, set k of n, reps and hold asked.
PLAN_SUMMARY_COLUMNS = ("plan_version", "planned_set", "planned_sets", "planned_reps", "planned_hold_s",
                        "target_rom_deg")
REP_COLUMNS = (
    "source_file", "exercise", "side", "mode", "method", "rep_index", "counted", "start_s", "peak_s", "end_s",
    "rest_angle_deg", "peak_angle_deg", "rom_deg", "duration_s", "hold_s", "assisted", "compensation", "confidence",
    "other_side_rom_deg", "note", "planned_hold_s",
)
SUMMARY_COLUMNS = (
    "source_file", "exercise", "side", "mode", "method", "profile", "started_at", "target", "reps_counted",
    "reps_low_confidence", "mean_rom_deg", "best_rom_deg", "mean_duration_s", "assisted", "compensated",
    "time_analysed_s", "frames", "frames_without_person", "other_side_mean_rom_deg", "warnings",
    *PLAN_SUMMARY_COLUMNS,
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One cell as this project writes it everywhere: booleans true/false, floats to 3
    decimals, and text a spreadsheet would run as a formula (CSV injection) neutralised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, int):
        return str(value)  # numbers stay numbers, negative ones too
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rep_row(info: SetInfo, rep: Rep) -> list:
    return [csv_cell(v) for v in (
        info.source, info.exercise, rep.side or info.side, info.mode, info.method, rep.index, rep.counted,
        rep.start_t, rep.peak_t, rep.end_t, rep.rest_deg, rep.peak_deg, rep.rom_deg, rep.duration_s,
        rep.hold_s, rep.assisted, rep.compensation, rep.confidence, rep.other_side_rom_deg, rep.note,
        info.plan.hold_s if info.plan else None)]


def plan_cells(step: PlanStep | None) -> list:
    if step is None:
        return [""] * len(PLAN_SUMMARY_COLUMNS)
    return [csv_cell(v) for v in (step.version, step.set_no, step.sets, step.reps, float(step.hold_s),
                                  step.target_rom_deg)]


def summary_row(s: SetSummary) -> list:
    i = s.info
    return [csv_cell(v) for v in (
        i.source, i.exercise, i.side, i.mode, i.method, i.profile, i.started_at, i.target, s.reps_counted,
        s.reps_low_confidence, s.mean_rom_deg, s.best_rom_deg, s.mean_duration_s, s.assisted, s.compensated,
        s.time_analysed_s, s.frames, s.frames_without_person, s.other_side_mean_rom_deg, " | ".join(s.warnings),
        *plan_cells(i.plan))]


class RepCSVSink:
    """Appends one row per rep to a CSV and flushes it to disk immediately.

    Several sets (files) can share one sink: the header is written once.
    """

    def __init__(self, path: str | os.PathLike, fsync: bool = True):
        self.path = Path(path)
        self.fsync = fsync
        self._f = None
        self._info: SetInfo | None = None
        self.rows = 0

    def _ensure_open(self):
        if self._f is None:
            try:
                self._f = open(self.path, "w", newline="", encoding="utf-8")
                self._writer = csv.writer(self._f)
                self._writer.writerow(REP_COLUMNS)
                self._flush()
            except OSError as exc:
                raise write_failed(self.path, exc) from exc

    def _flush(self):
        self._f.flush()
        if self.fsync:
            os.fsync(self._f.fileno())

    def open(self, info: SetInfo) -> None:
        self._ensure_open()
        self._info = info

    def add(self, rep: Rep) -> None:
        try:
            self._writer.writerow(rep_row(self._info, rep))
            self._flush()
        except OSError as exc:
            raise write_failed(self.path, exc) from exc
        self.rows += 1

    def close(self, summary: SetSummary) -> None:
        pass  # the file stays open for the next set; release() closes it

    def release(self) -> None:
        """Close the file; never raises (a write failure was already reported by ``add``)."""
        if self._f is not None:
            f, self._f = self._f, None
            try:
                f.close()
            except OSError:
                pass


class SummaryCSVSink:
    """One row per set; the whole file is atomically replaced after every set."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.rows: list[list] = []

    def open(self, info: SetInfo) -> None:
        pass

    def add(self, rep: Rep) -> None:
        pass

    def close(self, summary: SetSummary) -> None:
        self.rows.append(summary_row(summary))
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(SUMMARY_COLUMNS)
        w.writerows(self.rows)
        atomic_write_text(self.path, buf.getvalue())

    def release(self) -> None:
        pass


def read_rep_csv(path: str | os.PathLike) -> list[dict]:
    """Read a per-rep CSV back with types (used by tests and the report)."""
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            typed = dict(row)
            for k in ("rep_index",):
                typed[k] = int(row[k])
            for k in ("start_s", "peak_s", "end_s", "rest_angle_deg", "peak_angle_deg", "rom_deg", "duration_s",
                      "hold_s", "confidence"):
                typed[k] = float(row[k])
            for k in ("other_side_rom_deg", "planned_hold_s"):
                typed[k] = float(row[k]) if row.get(k) else None
            for k in ("counted", "assisted", "compensation"):
                typed[k] = row[k] == "true"
            out.append(typed)
    return out
