"""``--resume`` reads an earlier run's CSVs: a set cut short by Ctrl-C is not finished, and a
file written before the ``recording_set`` column still resumes."""
from __future__ import annotations

import csv

import pytest

from tracker.errors import InputError
from tracker.records import PARTIAL_MARK
from tracker.sinks.csvfile import REP_COLUMNS, SUMMARY_COLUMNS, RepCSVSink, finished_sources


def _write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows)


def _summary_row(source: str, warnings: str = "", columns=SUMMARY_COLUMNS) -> list[str]:
    row = [""] * len(columns)
    row[0], row[columns.index("warnings")] = source, warnings
    return row


def test_a_set_cut_short_by_ctrl_c_is_not_finished(tmp_path):
    path = tmp_path / "sets.csv"
    _write(path, SUMMARY_COLUMNS, [_summary_row("a.mp4"),
                                   _summary_row("b.mp4", f"{PARTIAL_MARK} 12.0 s: only that part was analysed")])
    assert finished_sources(path) == ["a.mp4"]


def test_files_written_before_the_recording_set_column_resume(tmp_path):
    old_summary = SUMMARY_COLUMNS[:-1]
    assert SUMMARY_COLUMNS[-1] == REP_COLUMNS[-1] == "recording_set"
    sets = tmp_path / "sets.csv"
    _write(sets, old_summary, [_summary_row("a.mp4", columns=old_summary)])
    assert finished_sources(sets) == ["a.mp4"]
    reps = tmp_path / "reps.csv"
    width = len(REP_COLUMNS) - 2
    _write(reps, REP_COLUMNS[:-1], [["a.mp4"] + ["x"] * width, ["b.mp4"] + ["y"] * width])
    sink = RepCSVSink(reps, fsync=False, keep={"a.mp4"})
    sink.release()
    rows = list(csv.reader(reps.open(newline="", encoding="utf-8")))
    assert tuple(rows[0]) == REP_COLUMNS  # rewritten with today's header
    assert rows[1:] == [["a.mp4"] + ["x"] * width + [""]]  # kept, its set unknown


def test_another_csv_is_still_refused(tmp_path):
    path = tmp_path / "sets.csv"
    _write(path, ("name", "value"), [["a", "1"]])
    with pytest.raises(InputError, match="cannot be resumed"):
        finished_sources(path)
