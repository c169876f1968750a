"""The options ``live``, ``analyze`` and ``demo`` share: declared once, validated once.

``add_set_options`` puts them on a parser; ``SetOptions.from_args`` checks every value
(exercise, side, mode, target) before any work starts and is the one typed object the
commands pass on. ``recorder()`` builds the sinks those options ask for.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

from tracker.errors import UsageError
from tracker.exercises import EXERCISES, check_mode, check_side, get_exercise

MAX_TARGET = 1000  # reps in one set: far beyond any exercise, and well inside SQLite's integers


def add_model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="full",
                   help="pose model: full (default) | heavy (better angles on hard views, ~2.3x slower) | "
                        "lite (fastest, least accurate) | PATH to a PoseLandmarker .task")


def add_set_options(p: argparse.ArgumentParser, *, exercise_required: bool, exercise_help: str = "") -> None:
    p.add_argument("--exercise", "-e", required=exercise_required,
                   help=f"one of: {', '.join(EXERCISES)}" + exercise_help)
    p.add_argument("--side", default="auto", help="affected side: auto (the foot that moves) | left | right")
    p.add_argument("--mode", default="active", help="active (unassisted) | passive (assisted)")
    p.add_argument("--target", type=int, default=10, help=f"reps in a set (default 10, at most {MAX_TARGET})")
    add_model_option(p)
    p.add_argument("--csv", help="per-rep CSV to write (a row is saved the moment each rep is found)")
    p.add_argument("--summary", help="per-set summary CSV to write")
    p.add_argument("--profile", default="default", help="whose session this is (history)")
    p.add_argument("--db", help="history database (default: see README)")
    p.add_argument("--no-history", action="store_true", help="do not store the sets in the history")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")


def saved_in(csv: str | None) -> str:
    """' in FILE' for the interrupt message, only when that CSV exists: a run stopped before
    its first rep has not written one."""
    from pathlib import Path

    from tracker.errors import printable

    return f" in {printable(csv)}" if csv and Path(csv).is_file() else ""


@dataclass(frozen=True)
class SetOptions:
    exercise: str | None  # an exercise key (None: the command's default)
    side: str = "auto"
    mode: str = "active"
    target: int = 10
    model: str = "full"
    profile: str = "default"
    csv: str | None = None
    summary: str | None = None
    db: str | None = None
    history: bool = True
    force: bool = False
    resume: bool = False  # analyze: go on with an earlier run's --csv/--summary (see finished)

    def __post_init__(self):
        if self.exercise is not None:
            object.__setattr__(self, "exercise", get_exercise(self.exercise).key)
        object.__setattr__(self, "side", check_side(self.side))
        object.__setattr__(self, "mode", check_mode(self.mode))
        if not 1 <= self.target <= MAX_TARGET:
            raise UsageError(f"--target {self.target}: give a number of reps from 1 to {MAX_TARGET}")
        if self.db is not None and not str(self.db).strip():
            raise UsageError("--db needs a file name (leave it out for the default history)")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "SetOptions":
        return cls(exercise=args.exercise, side=args.side, mode=args.mode, target=args.target, model=args.model,
                   profile=args.profile, csv=args.csv, summary=args.summary, db=args.db,
                   history=not args.no_history, force=args.force, resume=getattr(args, "resume", False))

    def check_outputs(self, inputs=(), extra: dict[str, str | None] | None = None) -> None:
        """Every file this command will write, checked before the first frame: none of them an
        input, the history database or another output (``--force`` or not), each writable and
        not there already (without ``--force``), and the history usable. ``extra``: the
        command's other outputs by option name (``{"--annotate": path}``)."""
        from tracker.app.paths import check_distinct, check_output_path

        outputs = {"--csv": self.csv, "--summary": self.summary, **(extra or {})}
        database = None
        if self.history:
            from tracker.sinks.history import resolve_db_path

            database = resolve_db_path(self.db)
        check_distinct(outputs, inputs, database)
        for name, path in outputs.items():
            if path:
                check_output_path(path, force=self.force or (self.resume and name in ("--csv", "--summary")))
        if self.history:
            from tracker.sinks.history import connect

            connect(self.db).close()  # a folder, a read-only home: said now, not after the analysis

    def finished(self) -> list[str]:
        """Resuming: the sources the ``--summary`` of the earlier run lists as done."""
        from tracker.sinks.csvfile import finished_sources

        return finished_sources(self.summary) if self.resume and self.summary else []

    def recorder(self):
        """CSV, summary and history sinks as asked, in one Recorder."""
        from tracker.sinks.csvfile import RepCSVSink, SummaryCSVSink
        from tracker.sinks.recorder import Recorder

        recorder = Recorder()
        keep = set(self.finished()) if self.resume else None
        try:  # the CSV files are created and locked here, at the start
            if self.csv:
                recorder.sinks.append(RepCSVSink(self.csv, keep=keep))
            if self.summary:
                recorder.sinks.append(SummaryCSVSink(self.summary, keep=keep))
        except BaseException:
            recorder.release()  # the one made before the failing one
            raise
        if self.history:
            from tracker.sinks.history import HistorySink

            recorder.sinks.append(HistorySink(self.db))
        return recorder

    def goal_lookup(self):
        """``(profile, exercise, side) -> last session`` from the history, or None."""
        if not self.history:
            return None
        from tracker.sinks.history import last_session

        def goal(profile, exercise, side, _db=self.db):
            return last_session(profile, exercise, side, db=_db)
        return goal
