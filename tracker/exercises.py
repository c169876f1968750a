"""The five exercises of the routine, each one declarative entry.

Why data, not code: every per-exercise difference (which signal, which view, which way a
rep goes, how long a rep may take) lives here, so the kinematics and the counter stay
generic and adding a sixth exercise is one new entry.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.errors import UsageError, suggest


@dataclass(frozen=True)
class Exercise:
    key: str
    title: str
    position: str
    cue: str  # what the overlay says to do
    signal: str  # name of a signal in tracker.kinematics.SIGNALS (degrees)
    view: str  # "side" | "front" | "any": where the signal is measurable
    direction: int  # +1: a rep raises the signal; -1: lowers it; 0: learn it from the first reps
    min_rom_deg: float = 2.5  # smallest excursion that can be a rep (above landmark noise)
    # Range assumed before the person's own range is learned: 2 x min_rom, so the very first
    # rep of a 3-4° mover already crosses the entry threshold (0.5 x range).
    prior_rom_deg: float = 5.0
    min_rep_s: float = 0.5
    max_rep_s: float = 12.0
    refractory_s: float = 0.3
    approximate: bool = False  # the angle is a 2-D proxy, labelled "approximate"
    heel_must_stay_down: bool = False
    # The landmark that stays put during a clean rep ("ankle", "heel" or "toe"): if it
    # travels more than ANCHOR_LIMIT shank lengths the whole foot or leg moved, which is
    # not this exercise (e.g. an ankle circle with the foot in the air).
    anchor: str = "ankle"
    upright: bool = True  # done seated or standing: a lying posture is not this exercise
    # Where the sign of the signal depends on the foot: (left, right). Seen from the front,
    # eversion moves the left toes toward image-right (the sideways signal falls) and the
    # right toes toward image-left (it rises).
    direction_by_side: tuple[int, int] | None = None

    def rep_direction(self, side: str) -> int:
        """+1 / -1 for this foot, or 0 when it must be learned from the movement."""
        if self.direction_by_side is not None and side in ("left", "right"):
            return self.direction_by_side[0 if side == "left" else 1]
        return self.direction
    truth_column: str = "dorsiflexion_deg"  # rendered ground truth to compare against
    truth_sign: int = 1


EXERCISES: dict[str, Exercise] = {
    e.key: e
    for e in (
        Exercise(
            key="dorsiflexion", title="Ankle dorsiflexion",
            position="Seated, affected leg crossed over the other, foot free",
            cue="Pull your foot up toward your knee, then lower it",
            signal="ankle_dorsiflexion", view="side", direction=+1,
            truth_column="dorsiflexion_deg",
        ),
        Exercise(
            key="abduction", title="Ankle ab/adduction",
            position="Seated, affected leg crossed, foot free",
            cue="Turn your foot out to the side and back, moving only the ankle",
            signal="foot_sideways", view="front", direction=0, approximate=True,
            truth_column="abduction_deg",
        ),
        Exercise(
            key="toe_raise", title="Toe raises",
            position="Seated, heel stays on the floor",
            cue="Keep your heel down and lift your toes, then lower them",
            signal="forefoot_lift", view="side", direction=+1, heel_must_stay_down=True, anchor="heel",
            truth_column="dorsiflexion_deg",
        ),
        Exercise(
            key="heel_raise", title="Heel raises",
            position="Standing or seated, feet flat",
            cue="Lift your heels off the floor, then lower them",
            signal="heel_lift", view="any", direction=+1, anchor="toe",
            truth_column="dorsiflexion_deg", truth_sign=-1,
        ),
        Exercise(
            key="eversion", title="Ankle eversion",
            position="Seated, foot flat on the floor",
            cue="Lift the outside edge of your foot; keep your leg still",
            signal="foot_sideways", view="front", direction=0, approximate=True,
            direction_by_side=(-1, 1), min_rom_deg=2.0, truth_column="eversion_deg",
        ),
    )
}

ROUTINE = ("dorsiflexion", "abduction", "toe_raise", "heel_raise", "eversion")
MODES = ("active", "passive")
SIDE_CHOICES = ("auto", "left", "right")


def get_exercise(name: str) -> Exercise:
    key = name.strip().lower().replace("-", "_")
    aliases = {"dorsi": "dorsiflexion", "adduction": "abduction", "toe_raises": "toe_raise",
               "heel_raises": "heel_raise", "calf_raise": "heel_raise", "inversion": "eversion"}
    key = aliases.get(key, key)
    if key not in EXERCISES:
        raise UsageError(f"unknown exercise '{name}'{suggest(name, list(EXERCISES))}")
    return EXERCISES[key]


def check_side(side: str) -> str:
    s = side.strip().lower()
    if s not in SIDE_CHOICES:
        raise UsageError(f"unknown side '{side}'{suggest(side, list(SIDE_CHOICES))}")
    return s


def check_mode(mode: str) -> str:
    m = mode.strip().lower()
    if m not in MODES:
        raise UsageError(f"unknown mode '{mode}'{suggest(mode, list(MODES))}")
    return m
