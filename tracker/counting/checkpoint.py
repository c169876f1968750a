"""Provisional reps while a video is still being analysed: what a crash or a kill keeps.

Why: the offline counter needs the whole clip (zero-phase filters, a rolling rest, the
range learned from all of the peaks), so its reps are final only at the end, which may be
many minutes away. Meanwhile, every ``CHECKPOINT_S`` of video, the last ``WINDOW_S`` are
counted on their own and each rep that ended ``SETTLE_S`` before the newest frame is handed
out once: a constant cost per checkpoint (measured on an 87 s clip with the lite model, the
fastest: 8 checkpoints, 3.2 s of a 61 s run, the first one paying the imports; the 21
reps handed out were the first 21 of the final 24, same peaks). The set's final
reps, from the whole clip, replace these when the analysis ends; the counts are those of
the whole-clip analysis, always.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from tracker.counting.offline import analyze_recording
from tracker.exercises import Exercise
from tracker.pose.estimator import PoseFrame
from tracker.pose.recording import PoseRecording
from tracker.records import Rep, SetInfo
from tracker.signals.filters import preload

CHECKPOINT_S = 10.0  # video time between two checkpoints
WINDOW_S = 45.0  # video counted at each checkpoint (the newest part)
SETTLE_S = 4.0  # a rep ending closer than this to the newest frame may still change


class Checkpoints:
    """Feed every pose frame to ``on_frame``; ``emit(info, reps)`` gets each new settled rep."""

    def __init__(self, ex: Exercise, emit: Callable[[SetInfo, list[Rep]], None], side: str = "auto",
                 mode: str = "active", target: int = 10, source: str = "", profile: str = "default"):
        self.ex, self.emit = ex, emit
        self.kw = dict(side=side, mode=mode, target=target, source=source, profile=profile)
        self.frames: list[PoseFrame] = []
        self.emitted = 0
        self._next_t: float | None = None
        self._clip_start = float("-inf")
        self._settled_until = float("-inf")  # end of the last rep handed out
        self._broken = False
        preload()  # the first checkpoint's import of scipy runs beside the pose model, not in its way

    def on_frame(self, frame: PoseFrame) -> None:
        self.frames.append(frame)
        if self._next_t is None:
            self._next_t, self._clip_start = frame.t + CHECKPOINT_S, frame.t
        if frame.t < self._next_t or self._broken:
            return
        self._next_t = frame.t + CHECKPOINT_S
        start = frame.t - WINDOW_S
        self.frames = [f for f in self.frames if f.t >= start]
        try:
            self._checkpoint(frame.t)
        except Exception:  # noqa: BLE001 - never fails the analysis; the final write reports a sink's error
            self._broken = True

    def _checkpoint(self, now: float) -> None:
        if len(self.frames) < 2:
            return
        res = analyze_recording(PoseRecording.from_frames(self.frames), self.ex, **self.kw)
        # a rep cut by the window's start is not whole (the clip's own start cuts nothing)
        first = self.frames[0].t + SETTLE_S if self.frames[0].t > self._clip_start else float("-inf")
        new = [r for r in res.reps if r.start_t >= max(first, self._settled_until) and r.end_t <= now - SETTLE_S]
        if not new:
            return
        new = [dataclasses.replace(r, index=self.emitted + i + 1) for i, r in enumerate(new)]
        self._settled_until = new[-1].end_t
        self.emitted += len(new)
        self.emit(res.info, new)
