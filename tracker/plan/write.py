"""Write a plan file: the defaults, or from a few questions (``tracker plan new``).

The text is written by hand (the standard library reads TOML but does not write it) with a
comment on every key, so the file doubles as its own documentation; it is read back with
``parse_plan`` before it is saved, so what is written is always a valid plan.
"""
from __future__ import annotations

import math

from tracker.exercises import EXERCISES, MODES, ROUTINE
from tracker.plan.load import SIDES, parse_plan
from tracker.plan.model import LIMITS, Patient, PlannedExercise

HEADER = """\
# A therapist's plan for footdrop tracker (TOML). Check it with: tracker plan check FILE
# Follow it with: tracker live --plan FILE   (and tracker analyze ... --plan FILE)
"""


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plan_text(patient: Patient, exercises: list[PlannedExercise], sessions_per_week: int,
              side_comment: str = "") -> str:
    lines = [HEADER, f"sessions_per_week = {sessions_per_week}  # sessions prescribed per week", "",
             "[patient]",
             f"profile = {_q(patient.profile)}  # the history profile (tracker live --profile)",
             f"name = {_q(patient.name)}",
             f"affected_side = {_q(patient.affected_side)}  # left | right{side_comment}", ""]
    for pe in exercises:
        lines += ["[[exercise]]  # in the order they are done",
                  f"name = {_q(pe.exercise)}  # {EXERCISES[pe.exercise].title}",
                  f"sets = {pe.sets}",
                  f"reps = {pe.reps}  # per set",
                  f"hold_s = {pe.hold_s:g}  # seconds held at the top; a shorter hold is recorded, not counted",
                  f"rest_s = {pe.rest_s:g}  # seconds of rest between sets",
                  f"mode = {_q(pe.mode)}  # active | passive"]
        if pe.target_rom_deg is not None:
            lines.append(f"target_rom_deg = {pe.target_rom_deg:g}  # range of motion aimed for, degrees")
        lines.append("")
    lines += ["# A custom exercise, counted on a built-in signal (ankle_dorsiflexion, forefoot_lift,",
              "# heel_lift, foot_sideways), then listed under [[exercise]] by its name:",
              "# [[custom]]",
              "# name = \"ankle_pumps\"",
              "# signal = \"ankle_dorsiflexion\"",
              "# direction = \"both\"  # up | down | both",
              "# title = \"Ankle pumps\"",
              "# cue = \"Pump your foot up and down\"", ""]
    text = "\n".join(lines)
    parse_plan(text, "the new plan")  # never write a plan that would not load
    return text


def default_plan_text(side: str = "left", profile: str = "default") -> str:
    """The five exercises of the routine, one set of 10 reps each."""
    exercises = [PlannedExercise(exercise=k, sets=1, reps=10) for k in ROUTINE]
    return plan_text(Patient(profile=profile, affected_side=side), exercises, 5,
                     side_comment="" if side != "left" else ": check it")


def _ask(ask, prompt: str, default, parse, tries: int = 3):
    """Ask until the answer parses (blank: the default); after ``tries`` keep the default."""
    for _ in range(tries):
        answer = ask(f"{prompt} [{default}]: ").strip()
        if not answer:
            return default
        try:
            return parse(answer)
        except ValueError as exc:
            print(f"  {exc}")
    return default


def _choice(options):
    def parse(a: str) -> str:
        a = a.lower()
        if a not in options:
            raise ValueError(f"one of: {', '.join(options)}")
        return a
    return parse


def _count(least: float, key: str, whole: bool = True):
    most = LIMITS[key]

    def parse(a: str):
        v = int(a) if whole else float(a)
        if not math.isfinite(v) or not least <= v <= most:
            raise ValueError(f"from {least:g} to {most:g}")
        return v
    return parse


def _exercise_list(a: str) -> list[str]:
    keys = [k.strip().lower() for k in a.replace(" ", ",").split(",") if k.strip()]
    bad = [k for k in keys if k not in ROUTINE]
    if bad or not keys:
        raise ValueError(f"unknown {', '.join(bad) or 'list'}; choose from: {', '.join(ROUTINE)}")
    return keys


def asked_plan_text(ask=input) -> str:
    """A plan from a few questions; every answer has a default (press Enter)."""
    profile = _ask(ask, "Profile (whose sessions)", "default", str)
    name = _ask(ask, "Patient's name (optional)", "", str)
    side = _ask(ask, "Affected side (left/right)", "left", _choice(SIDES))
    keys = _ask(ask, "Exercises, in order", ",".join(ROUTINE), _exercise_list)
    if isinstance(keys, str):
        keys = _exercise_list(keys)
    sets = _ask(ask, "Sets of each", 2, _count(1, "sets"))
    reps = _ask(ask, "Reps per set", 10, _count(1, "reps"))
    hold = _ask(ask, "Hold at the top, seconds (0: none)", 0.0, _count(0, "hold_s", whole=False))
    rest = _ask(ask, "Rest between sets, seconds", 30.0, _count(0, "rest_s", whole=False))
    mode = _ask(ask, "Mode (active/passive)", "active", _choice(MODES))
    spw = _ask(ask, "Sessions per week", 5, _count(1, "sessions_per_week"))
    exercises = [PlannedExercise(exercise=k, sets=sets, reps=reps, hold_s=hold, rest_s=rest, mode=mode)
                 for k in keys]
    return plan_text(Patient(profile=profile, affected_side=side, name=name), exercises, spw)
