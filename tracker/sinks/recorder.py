"""The recorder: fans each set and rep out to every sink, live and offline alike.

Sinks are isolated: one failing (a full USB stick under the CSV) does not keep the others
(the history on the home disk) from getting the rep; the first error is raised after all
have run, so the command can still say what went wrong.
"""
from __future__ import annotations

from typing import Callable

from tracker.records import Rep, RepSink, SetInfo, SetSummary


class Recorder:
    """``open`` a set, ``add`` each rep the moment it is found, ``close`` (or ``abort``) it;
    ``release`` closes the files at the end of the command (never raises)."""

    def __init__(self, sinks=()):
        self.sinks: list[RepSink] = list(sinks)

    def _each(self, call: Callable[[RepSink], None]) -> None:
        errors: list[Exception] = []
        for sink in self.sinks:
            try:
                call(sink)
            except Exception as exc:  # noqa: BLE001 - re-raised below, after every sink ran
                errors.append(exc)
        if errors:
            raise errors[0]

    def open(self, info: SetInfo) -> None:
        self._each(lambda k: k.open(info))

    def add(self, rep: Rep) -> None:
        self._each(lambda k: k.add(rep))

    def provisional(self, info: SetInfo, reps: list[Rep]) -> None:
        """Reps of a set still being analysed, to the sinks that can keep them until the set
        itself arrives (the per-rep CSV): what a crash would otherwise lose."""
        self._each(lambda k: k.provisional(info, reps) if hasattr(k, "provisional") else None)

    def close(self, summary: SetSummary) -> None:
        self._each(lambda k: k.close(summary))

    def abort(self, summary: SetSummary) -> None:
        """The set was interrupted: sinks that can say so (the history) mark it; the others
        close it as usual. Reps already added are kept everywhere."""
        def end(k):
            abort = getattr(k, "abort", None)
            abort() if abort is not None else k.close(summary)
        self._each(end)

    def record(self, info: SetInfo, reps: list[Rep], summary: SetSummary) -> None:
        """A whole analysed set: open, each rep (persisted at once), close. A failing step
        does not skip the later ones (the other sinks still get every rep and the close)."""
        first: Exception | None = None
        steps = [(self.open, info), *((self.add, r) for r in reps), (self.close, summary)]
        for call, arg in steps:
            try:
                call(arg)
            except Exception as exc:  # noqa: BLE001 - raised below, after every step ran
                first = first or exc
        if first is not None:
            raise first

    def release(self) -> None:
        for k in self.sinks:
            rel = getattr(k, "release", None)
            if rel is not None:
                rel()

    def has(self, kind: type) -> bool:
        return any(isinstance(k, kind) for k in self.sinks)
