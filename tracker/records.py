"""What the rep counter produces and every sink (overlay, CSV, history, report) consumes.

Typed records cross module boundaries; sinks never recompute anything from landmarks.
Angles are degrees, times seconds from the start of the source.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Protocol

# The warning a set cut short by Ctrl-C carries (its summary row says so; --resume redoes it).
PARTIAL_MARK = "interrupted after"


@dataclass(frozen=True)
class PlanStep:
    """One set as a therapist's plan prescribes it (``tracker.plan``), carried by its SetInfo."""

    version: str  # the plan's version (content hash): which plan applied
    set_no: int  # 1-based set of this exercise
    sets: int  # sets of this exercise in a session
    reps: int
    hold_s: float = 0.0  # a rep counts only when held this long (0: no hold asked)
    rest_s: float = 0.0  # rest after this set
    target_rom_deg: float | None = None


@dataclass(frozen=True)
class SetInfo:
    """Describes one set (one exercise on one side from one source) before it starts."""

    source: str  # file path, or "camera:0"
    exercise: str  # key in tracker.exercises.EXERCISES
    side: str  # "left" | "right" (resolved; never "auto" once counting starts)
    mode: str  # "active" | "passive" as declared by the user
    target: int = 10
    profile: str = "default"
    source_sha256: str | None = None
    started_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    method: str = "offline-peaks"  # "live-hysteresis" | "offline-peaks"
    plan: PlanStep | None = None  # the plan's prescription for this set, when one was followed
    # Which set of its source this is (1-based): the k-th set counted in a ``--routine``
    # recording, the k-th set recorded in a live session; 1 for a file analysed as one set.
    # Two sets of one exercise from one source are told apart by it.
    recording_set: int = 1


@dataclass(frozen=True)
class Rep:
    """One repetition, counted or reported as low-confidence (``counted=False``)."""

    index: int  # 1-based among counted reps; low-confidence ones carry the next index too
    start_t: float
    peak_t: float
    end_t: float
    rest_deg: float  # signal at rest (before the rep), degrees
    peak_deg: float  # signal at the peak, degrees
    rom_deg: float  # |peak - rest|
    duration_s: float
    assisted: bool  # a hand or the other foot at the affected foot during the rep
    compensation: bool  # the shank did the work (never counted) or the heel lifted in a toe raise
    confidence: float  # 0..1, from landmark visibility and signal quality during the rep
    counted: bool
    side: str = ""
    other_side_rom_deg: float | None = None  # the unaffected foot's range in the same window
    note: str = ""  # why a rep is flagged or low-confidence, in plain words
    hold_s: float = 0.0  # time held still at the top of the rep (a prescribed hold is data)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CountState:
    """Where a set stands at one frame: what the overlay shows (live and --annotate)."""

    stage: str = "calibrating"  # calibrating | ready | lift | lower | hold
    count: int = 0
    low_confidence: int = 0
    angle_deg: float = float("nan")  # current signal relative to rest (rep direction +)
    rest_deg: float = float("nan")
    range_deg: float = float("nan")
    best_deg: float = 0.0
    last_rep: Rep | None = None
    last_count_t: float = float("-inf")  # when the last counted rep ended


@dataclass(frozen=True)
class SetSummary:
    """One row per set: what a therapist reads first."""

    info: SetInfo
    reps_counted: int
    reps_low_confidence: int
    mean_rom_deg: float | None
    best_rom_deg: float | None
    mean_duration_s: float | None
    assisted: int
    compensated: int
    time_analysed_s: float
    frames: int
    frames_without_person: int
    other_side_mean_rom_deg: float | None = None
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_reps(cls, info: SetInfo, reps: list[Rep], time_analysed_s: float, frames: int,
                  frames_without_person: int, warnings: tuple[str, ...] = ()) -> "SetSummary":
        counted = [r for r in reps if r.counted]
        roms = [r.rom_deg for r in counted]
        others = [r.other_side_rom_deg for r in counted if r.other_side_rom_deg is not None]
        return cls(
            info=info,
            reps_counted=len(counted),
            reps_low_confidence=sum(1 for r in reps if not r.counted),
            mean_rom_deg=sum(roms) / len(roms) if roms else None,
            best_rom_deg=max(roms) if roms else None,
            mean_duration_s=sum(r.duration_s for r in counted) / len(counted) if counted else None,
            assisted=sum(1 for r in counted if r.assisted),
            compensated=sum(1 for r in reps if r.compensation),
            time_analysed_s=time_analysed_s,
            frames=frames,
            frames_without_person=frames_without_person,
            other_side_mean_rom_deg=sum(others) / len(others) if others else None,
            warnings=tuple(warnings),
        )


class RepSink(Protocol):
    """Receives a set as it happens. ``add`` is called the moment a rep completes and must
    persist it (flush / commit) so a crash or Ctrl-C loses nothing already counted."""

    def open(self, info: SetInfo) -> None: ...

    def add(self, rep: Rep) -> None: ...

    def close(self, summary: SetSummary) -> None: ...

    # Optional: ``abort()`` (the set was interrupted; the history marks it so) and
    # ``release()`` (close files at the end of the command; never raises).
