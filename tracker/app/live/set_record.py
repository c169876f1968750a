"""One live set as it is saved: opened in every sink at its first rep, each rep persisted the
moment it is counted, closed (or marked interrupted) with its summary at the end."""
from __future__ import annotations

from tracker.records import PlanStep, Rep, SetInfo, SetSummary
from tracker.sinks.recorder import Recorder

METHOD = "live-hysteresis"


class SetRecord:
    def __init__(self, recorder: Recorder, *, source: str, exercise: str, mode: str, target: int, profile: str,
                 plan: PlanStep | None = None, method: str = METHOD, number: int = 1):
        """``number``: the set's number in the session (``SetInfo.recording_set``)."""
        self.recorder = recorder
        self._fields = dict(source=source, exercise=exercise, mode=mode, target=target, profile=profile,
                            method=method, plan=plan, recording_set=number)
        self.info: SetInfo | None = None
        self.reps: list[Rep] = []
        self.complete_at: float | None = None  # when the target was reached
        self.closed = False
        self.summary: SetSummary | None = None

    def renumber(self, number: int) -> None:
        """Before its first rep: the set's number, once the set before it is written (``live --routine``)."""
        self._fields["recording_set"] = number

    @property
    def counted(self) -> int:
        return sum(r.counted for r in self.reps)

    def _open(self, side: str) -> SetInfo:
        if self.info is None:
            self.info = SetInfo(side=side, **self._fields)
            self.recorder.open(self.info)
        return self.info

    def add(self, rep: Rep, side: str, t: float, method: str | None = None) -> str | None:
        """Persist one rep; returns what to say (the count, or that the set is complete).
        ``method``: how the set is counted as known by now (the foot turn is known only once the
        pose step delivers it), named in the set's rows when its first rep opens them."""
        if self.info is None and method:
            self._fields["method"] = method
        self._open(side)
        self.reps.append(rep)  # first: the summary counts every rep a sink may have stored
        self.recorder.add(rep)
        if not rep.counted:
            return None
        n = self.counted
        if n >= self._fields["target"] and self.complete_at is None:
            self.complete_at = t
            return f"{n}. Set complete. Well done!"
        return str(n)

    def close(self, side: str, counted_by, interrupted: bool = False) -> SetSummary:
        """The set's summary (from what its ``SetCounter`` saw) to every sink; a set no rep
        opened is named by how its counter counted it (as offline names a set of no rep)."""
        if self.info is None:
            self._fields["method"] = getattr(counted_by, "method", self._fields["method"])
        tally = counted_by.tally
        self.summary = SetSummary.from_reps(self._open(side), self.reps, float(counted_by.elapsed), tally.frames,
                                            tally.frames - tally.detected, counted_by.warnings(side))
        self.closed = True
        (self.recorder.abort if interrupted else self.recorder.close)(self.summary)
        return self.summary
