"""The five exercises of the routine, each one declarative entry.

Why data, not code: every per-exercise difference (which signal, which view and what to
say when the view is wrong, which way a rep goes, how long a rep may take, its other
names, whether it is in the routine) lives here, so the features, the gate, the rep
engine and the sinks stay generic and a sixth exercise is one new entry. The signal name
is checked against ``tracker.signals.features.SIGNALS`` when that module is imported.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from tracker.errors import UsageError, suggest


@dataclass(frozen=True)
class View:
    """A camera view an exercise needs: what to tell the person when the picture is not it,
    and how long the foot may look against the shank. Measured (full model, median per clip):
    side views 0.47-0.59, a 45° oblique 0.42, front views 0.20-0.32; corpus tuning half: side
    0.42-0.56, oblique 0.35-0.58, front 0.18-0.44 (a crossed leg's foot turns)."""

    key: str  # "side" | "front" | "any"
    turn: str  # what to do when the view is wrong
    min_foot_ratio: float | None = None  # |heel->toe| / |knee->ankle| at least this; None: not checked
    max_foot_ratio: float | None = None  # ... and at most this (a front view foreshortens the foot)
    # Shoulder width / shank length, for recognising the view from the body (the foot of a
    # crossed leg turns and misleads the foot ratio). Corpus tuning half, per clip: side
    # 0.02-0.41, 35-55° oblique 0.52-0.96, front 0.67-1.04.
    min_shoulder_ratio: float | None = None
    max_shoulder_ratio: float | None = None

    def ok(self, foot_ratio: float, shoulders: float = math.nan) -> bool:
        """Is the picture this view? Unknown (NaN) ratios pass: the view is judged only from
        what was seen. A view that needs wide shoulders (``min_shoulder_ratio``: their width
        over the shank) is wrong when they are narrow, whatever the foot shows: the body is
        side-on (a crossed leg's foot turns, so its length alone misses this). Otherwise the
        foot's length decides: a foot seen end-on hides a movement in its own plane, whichever
        way the body faces; wide shoulders cannot tell a front from an oblique view."""
        if not math.isnan(shoulders) and self.min_shoulder_ratio is not None and shoulders < self.min_shoulder_ratio:
            return False
        if math.isnan(foot_ratio):
            return True
        return ((self.min_foot_ratio is None or foot_ratio >= self.min_foot_ratio)
                and (self.max_foot_ratio is None or foot_ratio <= self.max_foot_ratio))


POSTURES = ("standing", "seated", "crossed")

VIEWS = {
    "side": View("side", "turn sideways to the camera", min_foot_ratio=0.33, max_shoulder_ratio=0.47),
    "front": View("front", "face the camera", max_foot_ratio=0.40, min_shoulder_ratio=0.47),
    "any": View("any", "point the camera at your feet"),
}


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
    seated: bool = False  # done seated: frames where the person stands cannot count
    # The heels lift the knee with them (standing: the whole body rises; seated: the shank
    # pivots on the ball of the foot). A stretch that pushes the knee forward and down, or a
    # weight shift, changes the heel-over-toe signal without lifting the knee.
    lifts_knee: bool = False
    # Where the sign of the signal depends on the foot: (left, right). Seen from the front,
    # eversion moves the left toes toward image-right (the sideways signal falls) and the
    # right toes toward image-left (it rises).
    direction_by_side: tuple[int, int] | None = None
    short_cue: str = ""  # the cue in a few words, for the start screen's tile (read from 2 m)
    aliases: tuple[str, ...] = ()  # other names accepted on the command line
    in_routine: bool = True  # part of `--routine` (in the order of EXERCISES)
    # The body positions it is done in, the usual one first ("standing", "seated": feet on
    # the floor, "crossed": seated with the affected leg crossed over the other). The
    # recogniser (tracker/counting/recognise.py) matches them against what the body shows.
    postures: tuple[str, ...] = ("seated",)
    # Counted from the foot's turn in the pixels (``tracker.pose.foot_turn``) when the pose step
    # measured it. Off for every exercise: on eversion it reads the benchmark's front clips at gain
    # 0.55-0.67 (landmarks 0.16-0.17), but on the corpus tuning half's front clips (feet 48-66 px)
    # less than the landmarks and live counts got worse (c050 3 -> 5, c064 3 -> 2; README).
    foot_turn: bool = False

    def __post_init__(self):
        if self.view not in VIEWS:
            raise ValueError(f"exercise {self.key}: unknown view {self.view!r}; one of {', '.join(VIEWS)}")
        if not self.postures or set(self.postures) - set(POSTURES):
            raise ValueError(f"exercise {self.key}: postures {self.postures!r}; each one of {', '.join(POSTURES)}")

    def rep_direction(self, side: str) -> int:
        """+1 / -1 for this foot, or 0 when it must be learned from the movement."""
        if self.direction_by_side is not None and side in ("left", "right"):
            return self.direction_by_side[0 if side == "left" else 1]
        return self.direction

    @property
    def camera(self) -> View:
        return VIEWS[self.view]

    def wrong_view_warning(self) -> str:
        return f"wrong camera view: film {self.title.lower()} from the {self.view} ({self.camera.turn})"

    def wrong_view_message(self) -> str:
        return f"{self.camera.turn.capitalize()}: {self.title.lower()} needs a {self.view} view"


EXERCISES: dict[str, Exercise] = {
    e.key: e
    for e in (
        Exercise(
            key="dorsiflexion", title="Ankle dorsiflexion",
            position="Seated, affected leg crossed over the other, foot free",
            cue="Pull your foot up toward your knee, then lower it",
            short_cue="Foot up toward the knee",
            signal="ankle_dorsiflexion", view="side", direction=+1, seated=True, aliases=("dorsi",),
            postures=("crossed",),
        ),
        Exercise(
            key="abduction", title="Ankle ab/adduction",
            position="Seated, affected leg crossed, foot free",
            cue="Turn your foot out to the side and back, moving only the ankle",
            short_cue="Foot out to the side and back",
            signal="foot_sideways", view="front", direction=0, approximate=True, seated=True,
            aliases=("adduction",), postures=("crossed",),
        ),
        Exercise(
            key="toe_raise", title="Toe raises",
            position="Seated, heel stays on the floor",
            cue="Keep your heel down and lift your toes, then lower them",
            short_cue="Heel down, lift the toes",
            signal="forefoot_lift", view="side", direction=+1, heel_must_stay_down=True, anchor="heel",
            aliases=("toe_raises",),
        ),
        Exercise(
            key="heel_raise", title="Heel raises",
            position="Standing or seated, feet flat",
            cue="Lift your heels off the floor, then lower them",
            short_cue="Lift the heels, then lower",
            signal="heel_lift", view="any", direction=+1, anchor="toe", lifts_knee=True,
            aliases=("heel_raises", "calf_raise"), postures=("standing", "seated"),
        ),
        Exercise(
            key="eversion", title="Ankle eversion",
            position="Seated, foot flat on the floor",
            cue="Lift the outside edge of your foot; keep your leg still",
            short_cue="Lift the outer edge of the foot",
            signal="foot_sideways", view="front", direction=0, approximate=True,
            direction_by_side=(-1, 1), min_rom_deg=2.0, seated=True, aliases=("inversion",),
        ),
    )
}

ROUTINE = tuple(k for k, e in EXERCISES.items() if e.in_routine)
DEFAULT_EXERCISE = "dorsiflexion"  # what `tracker live` starts with
ALIASES = {a: e.key for e in EXERCISES.values() for a in e.aliases}
MODES = ("active", "passive")
SIDE_CHOICES = ("auto", "left", "right")


def get_exercise(name: str) -> Exercise:
    key = name.strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
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


BUILTIN = tuple(EXERCISES)
SIGNAL_NAMES = tuple(dict.fromkeys(e.signal for e in EXERCISES.values()))  # the built-in signals


def custom_exercise(key: str, signal: str, direction: int, title: str = "", cue: str = "") -> Exercise:
    """An exercise declared in a plan from a built-in signal: it takes the view, position,
    durations and checks of the first built-in exercise on that signal, with its own name,
    cue and direction (0: learned from the first reps). Not in ``--routine``."""
    base = next(e for e in EXERCISES.values() if e.key in BUILTIN and e.signal == signal)
    return replace(base, key=key, title=title or key.replace("_", " ").capitalize(),
                               cue=cue or base.cue, direction=direction, direction_by_side=None,
                               aliases=(), in_routine=False)


def register_custom(ex: Exercise) -> None:
    """Make a plan's custom exercise known by its key (live, analyze, report look it up
    there). A built-in key can never be replaced; a custom one is redefined by a newer plan."""
    if ex.key in BUILTIN or ex.key in ALIASES:
        raise UsageError(f"'{ex.key}' is a built-in exercise; give the custom exercise another name")
    EXERCISES[ex.key] = ex


def custom_exercises() -> list[Exercise]:
    """The custom exercises registered so far (to hand to a spawned process)."""
    return [e for k, e in EXERCISES.items() if k not in BUILTIN]
