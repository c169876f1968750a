"""CSV sinks: one row per rep (appended and flushed as reps happen) and one row per set.

Why flush per row: a patient's set must survive Ctrl-C, a crash or a pulled plug. The
per-set summary file is rewritten whole on every set, through a temporary file and an
atomic rename, so a kill at any moment leaves either the old or the new valid file.
Column order is stable and documented in README.md ("CSV columns").
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import stat
from pathlib import Path

from tracker.errors import InputError
from tracker.files import atomic_path, is_locked, lock_for_writing, write_failed
from tracker.records import PARTIAL_MARK, PlanStep, Rep, SetInfo, SetSummary

# The plan a set followed (empty without one): which version, set k of n, reps and hold asked.
PLAN_SUMMARY_COLUMNS = ("plan_version", "planned_set", "planned_sets", "planned_reps", "planned_hold_s",
                        "target_rom_deg")
REP_COLUMNS = (
    "source_file", "exercise", "side", "mode", "method", "rep_index", "counted", "start_s", "peak_s", "end_s",
    "rest_angle_deg", "peak_angle_deg", "rom_deg", "duration_s", "hold_s", "assisted", "compensation", "confidence",
    "other_side_rom_deg", "note", "planned_hold_s", "recording_set",
)
SUMMARY_COLUMNS = (
    "source_file", "exercise", "side", "mode", "method", "profile", "started_at", "target", "reps_counted",
    "reps_low_confidence", "mean_rom_deg", "best_rom_deg", "mean_duration_s", "assisted", "compensated",
    "time_analysed_s", "frames", "frames_without_person", "other_side_mean_rom_deg", "warnings",
    *PLAN_SUMMARY_COLUMNS, "recording_set",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_uncell(text: str) -> str:
    """A text cell as it was before ``csv_cell`` neutralised a formula (reading back)."""
    return text[1:] if text[:1] == "'" and text[1:2] and text[1:].startswith(FORMULA_START) else text


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
        info.plan.hold_s if info.plan else None, info.recording_set)]


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
        *plan_cells(i.plan), i.recording_set)]


class RepCSVSink:
    """Appends one row per rep to a CSV and flushes it to disk immediately.

    The file is created (or emptied, with ``--force``) and locked when the sink is made, at
    the start of a command, so a second run naming it is refused instead of truncating or
    interleaving these rows. Several sets (files) share one sink: the header is written once.
    ``provisional`` rows (an analysis still under way) are on disk at once; the ``open`` of
    their set replaces them with the set's final rows.
    """

    def __init__(self, path: str | os.PathLike, fsync: bool = True, keep: set[str] | None = None):
        """``keep`` (resuming a batch): the sources whose rows already in the file stay; the
        rows of any other (a file whose analysis was cut off) are dropped."""
        self.path = Path(path)
        self.fsync = fsync
        self._info: SetInfo | None = None
        self.rows = 0
        self._sets = 0
        self._pending: int | None = None  # where the provisional rows begin in the file
        self._created = not self.path.exists()
        kept = _rows_of(self.path, REP_COLUMNS, keep) if keep is not None else []
        self._f = _open_locked(self.path)
        self._writer = csv.writer(self._f)
        try:
            self._write(REP_COLUMNS)
            for row in kept:
                self._write(row)
        except BaseException:
            self.release()
            raise

    def _write(self, row) -> None:
        try:
            self._writer.writerow(row)
            self._f.flush()
            if self.fsync:
                os.fsync(self._f.fileno())
        except OSError as exc:
            raise write_failed(self.path, exc) from exc

    def provisional(self, info: SetInfo, reps: list[Rep]) -> None:
        """Rows of a set whose analysis goes on, saved now in case it never ends."""
        if self._pending is None:
            self._pending = self._f.tell()
        note = "provisional: the analysis had not finished"
        for rep in reps:
            self._write(rep_row(info, dataclasses.replace(rep, note=f"{note}; {rep.note}" if rep.note else note)))

    def open(self, info: SetInfo) -> None:
        if self._pending is not None:  # the final rows of this set replace its provisional ones
            try:
                self._f.seek(self._pending)
                self._f.truncate()
            except OSError as exc:
                raise write_failed(self.path, exc) from exc
            self._pending = None
        self._info = info
        self._sets += 1

    def add(self, rep: Rep) -> None:
        self._write(rep_row(self._info, rep))
        self.rows += 1

    def close(self, summary: SetSummary) -> None:
        pass  # the file stays open for the next set; release() closes it

    def release(self) -> None:
        """Close the file (a run that never got to a set leaves no file it created); never
        raises (a write failure was already reported by ``add``)."""
        if self._f is not None:
            f, self._f = self._f, None
            _close_quietly(f)
            if self._created and not self._sets and self._pending is None:
                _unlink_quietly(self.path)


class SummaryCSVSink:
    """One row per set; the whole file is atomically replaced after every set. Created with
    its header and locked at the start, like the per-rep CSV (the lock moves to each new
    file before it replaces the old one)."""

    def __init__(self, path: str | os.PathLike, keep: set[str] | None = None):
        self.path = Path(path)
        self.rows: list[list] = _rows_of(self.path, SUMMARY_COLUMNS, keep) if keep is not None else []
        self._created = not self.path.exists()
        if self.path.is_file() and is_locked(self.path):
            raise InputError(f"{self.path} is being written by another tracker run; wait for it to end or "
                             "choose another name")
        self._held = None
        self._replace()

    def _replace(self) -> None:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(SUMMARY_COLUMNS)
        w.writerows(self.rows)
        f = None
        try:
            with atomic_path(self.path) as tmp:
                f = open(tmp, "w", newline="", encoding="utf-8")
                lock_for_writing(f, self.path)
                f.write(buf.getvalue())
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            if f is not None:
                _close_quietly(f)
            raise
        old, self._held = self._held, f
        if old is not None:
            _close_quietly(old)

    def open(self, info: SetInfo) -> None:
        pass

    def add(self, rep: Rep) -> None:
        pass

    def close(self, summary: SetSummary) -> None:
        self.rows.append(summary_row(summary))
        self._replace()

    def release(self) -> None:
        if self._held is not None:
            f, self._held = self._held, None
            _close_quietly(f)
            if self._created and not self.rows:
                _unlink_quietly(self.path)


def _rows_of(path: Path, columns: tuple, sources: set[str] | None) -> list[list[str]]:
    """The rows of an earlier run's CSV whose source is in ``sources`` (all with None)."""
    if not path.is_file():
        return []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path} cannot be resumed: {exc}; choose a new file name") from exc
    older = columns[-1] == "recording_set" and rows and tuple(rows[0]) == tuple(columns[:-1])
    if not rows or (tuple(rows[0]) != tuple(columns) and not older):
        raise InputError(f"{path} is not a CSV this version of the tracker wrote; it cannot be resumed (choose "
                         "a new file name)")
    pad = [""] if older else []  # written before the recording_set column: unknown there
    return [r + pad for r in rows[1:] if r and (sources is None or r[0] in sources)]


def finished_sources(summary: str | os.PathLike) -> list[str]:
    """The files an earlier run finished: one summary row each (resuming a batch). A set cut
    short by Ctrl-C has a row too, saying so in its warnings: that file is not finished, so
    resuming analyses it again (its partial rows are dropped)."""
    if not Path(summary).is_file():
        return []
    w = SUMMARY_COLUMNS.index("warnings")
    return [r[0] for r in _rows_of(Path(summary), SUMMARY_COLUMNS, None) if PARTIAL_MARK not in r[w]]


def _open_locked(path: Path):
    """``path`` open for writing, locked, then emptied (locked first: a run refused by the
    lock must not have truncated the file of the run that holds it)."""
    try:
        f = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666), "w", newline="", encoding="utf-8")
    except OSError as exc:
        raise write_failed(path, exc) from exc
    try:
        lock_for_writing(f, path)
        if stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # not /dev/null, a pipe, ...
            f.truncate(0)
    except BaseException:
        _close_quietly(f)
        raise
    return f


def _close_quietly(f) -> None:
    try:
        f.close()
    except OSError:
        pass


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
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
            typed["recording_set"] = int(row["recording_set"]) if row.get("recording_set") else None  # older files
            for k in ("counted", "assisted", "compensation"):
                typed[k] = row[k] == "true"
            out.append(typed)
    return out
