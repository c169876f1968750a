"""The plan as typed records: what the therapist prescribed, nothing measured.

Why its own records: the live session, the offline analysis and the report all follow the
same plan; they get these frozen dataclasses, never the TOML. Each set a session runs under
the plan carries a ``PlanStep`` (in ``tracker.records``) with the plan's version, so the
history keeps which plan applied even after the file changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tracker.records import PlanStep

DIRECTIONS = {"up": +1, "down": -1, "both": 0}  # a custom exercise's rep direction; both: learned
# The largest value each number in a plan may take (reps: the same cap as --target): beyond
# these a plan is a typo, and a session could never end (an endless rest, an hour's hold).
LIMITS = {"sets": 20, "reps": 1000, "hold_s": 60.0, "rest_s": 600.0, "target_rom_deg": 90.0,
          "sessions_per_week": 21}


@dataclass(frozen=True)
class Patient:
    profile: str  # the history profile the sessions are stored under
    affected_side: str  # "left" | "right"
    name: str = ""


@dataclass(frozen=True)
class CustomExercise:
    """An exercise the therapist names, counted on a built-in signal (no code change)."""

    name: str  # its key, as the plan's exercises refer to it
    signal: str  # a built-in signal (tracker.signals.features.SIGNALS)
    direction: str = "up"  # up | down | both (DIRECTIONS)
    title: str = ""
    cue: str = ""


@dataclass(frozen=True)
class PlannedExercise:
    exercise: str  # an exercise key, built-in or custom
    sets: int = 1
    reps: int = 10
    hold_s: float = 0.0  # a rep counts only when held this long at the top (0: no hold)
    rest_s: float = 30.0  # between sets
    mode: str = "active"
    target_rom_deg: float | None = None  # the range the therapist aims for, degrees


@dataclass(frozen=True)
class Plan:
    patient: Patient
    exercises: tuple[PlannedExercise, ...]
    sessions_per_week: int = 5
    custom: tuple[CustomExercise, ...] = ()
    version: str = ""  # content hash of the file: a changed plan is a new version
    path: str = ""
    text: str = field(default="", repr=False)  # the file as read (the history keeps it)

    def steps(self) -> list[tuple[PlannedExercise, PlanStep]]:
        """Every set of a session, in order: each exercise's sets, then the next exercise."""
        out = []
        for pe in self.exercises:
            for k in range(1, pe.sets + 1):
                out.append((pe, PlanStep(version=self.version, set_no=k, sets=pe.sets, reps=pe.reps,
                                         hold_s=pe.hold_s, rest_s=pe.rest_s, target_rom_deg=pe.target_rom_deg)))
        return out

    def for_exercise(self, key: str) -> PlannedExercise | None:
        return next((pe for pe in self.exercises if pe.exercise == key), None)
