"""Read and check a plan file: every mistake is one line naming its line and the fix.

Why collect, not stop at the first: a therapist editing a plan by hand fixes them all in one
go. TOML gives no line numbers for values, so ``_Lines`` finds the line of a key by reading
the file's table headers and ``key =`` lines itself.
"""
from __future__ import annotations

import hashlib
import math
import re
import sys
from pathlib import Path

from tracker.errors import InputError, suggest
from tracker.exercises import ALIASES, BUILTIN, MODES, SIGNAL_NAMES, custom_exercise, register_custom
from tracker.plan.model import DIRECTIONS, LIMITS, CustomExercise, Patient, Plan, PlannedExercise

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SIDES = ("left", "right")
PATIENT_KEYS = ("profile", "name", "affected_side")
EXERCISE_KEYS = ("name", "sets", "reps", "hold_s", "rest_s", "mode", "target_rom_deg")
CUSTOM_KEYS = ("name", "signal", "direction", "title", "cue")
TOP_KEYS = ("sessions_per_week", "patient", "exercise", "custom")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class PlanError(InputError):
    """A plan file with mistakes; ``lines`` holds one line per mistake."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class _Lines:
    """Where a key is in the file: (table, index of an array table, key) -> line number."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.]+)\s*\]\]?")
    KEY = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=")

    def __init__(self, text: str):
        self.where: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        table, index = "", 1  # top-level keys: table "", index 1
        for no, line in enumerate(text.splitlines(), 1):
            if h := self.HEADER.match(line):
                table = h.group(2)
                index = counts[table] = counts.get(table, 0) + 1 if h.group(1) == "[[" else 1
                self.where.setdefault((table, index, ""), no)
            elif k := self.KEY.match(line):
                self.where.setdefault((table, index, k.group(1)), no)

    def line(self, table: str, index: int = 1, key: str = "") -> int | None:
        return self.where.get((table, index, key)) or self.where.get((table, index, ""))


class _Check:
    """Collects one line per mistake, each naming file:line, what is wrong and the fix."""

    def __init__(self, name: str, lines: _Lines):
        self.name, self.lines, self.errors = name, lines, []

    def err(self, table: str, index: int, key: str, text: str) -> None:
        no = self.lines.line(table, index, key)
        self.errors.append(f"{self.name}:{no}: {text}" if no else f"{self.name}: {text}")

    def keys(self, d: dict, known: tuple[str, ...], table: str, index: int, what: str) -> None:
        for k in d:
            if k not in known:
                self.err(table, index, k, f"unknown key '{k}' in {what}{suggest(k, known)}")

    def number(self, d: dict, key: str, table: str, index: int, what: str, *, default, whole: bool = False,
               least: float = 0.0, strict: bool = False):
        """A finite number >= least (> least when strict) and <= LIMITS[key]; whole numbers
        for counts."""
        v = d.get(key, default)
        kind = "a whole number" if whole else "a number"
        ok_type = isinstance(v, int) if whole else isinstance(v, (int, float))
        most = LIMITS.get(key, math.inf)
        bound = (f"more than {least:g}" if strict else f"at least {least:g}") + f" and at most {most:g}"
        if v is None and default is None:
            return None
        if (isinstance(v, bool) or not ok_type or not math.isfinite(v) or v > most
                or (v <= least if strict else v < least)):
            self.err(table, index, key, f"{what}: {key} must be {kind}, {bound}, not {v!r}; e.g. {key} = "
                                        f"{_example(key)}")
            return default
        return v

    def text(self, d: dict, key: str, table: str, index: int, what: str, default: str | None = "") -> str | None:
        v = d.get(key, default)
        if v is None:
            self.err(table, index, key, f"{what}: {key} is missing; add {key} = \"...\"")
        elif not isinstance(v, str):
            self.err(table, index, key, f"{what}: {key} must be text in quotes, not {v!r}; e.g. {key} = \"{v}\"")
            return default
        return v


def _example(key: str) -> str:
    return {"sets": "2", "reps": "10", "hold_s": "3", "rest_s": "30", "target_rom_deg": "15",
            "sessions_per_week": "5"}.get(key, "1")


def _patient(c: _Check, data: dict) -> Patient:
    p = data.get("patient")
    if not isinstance(p, dict):
        c.err("", 1, "patient", "the [patient] table is missing; add [patient] with affected_side = \"left\" "
                                "(or \"right\")")
        return Patient("default", "left")
    c.keys(p, PATIENT_KEYS, "patient", 1, "[patient]")
    side = p.get("affected_side")
    if side is None:
        c.err("patient", 1, "affected_side", "[patient]: the affected side is missing; add affected_side = \"left\" "
                                             "(or \"right\")")
    elif not isinstance(side, str) or side.strip().lower() not in SIDES:
        c.err("patient", 1, "affected_side", f"[patient]: affected_side must be \"left\" or \"right\", not {side!r}")
    profile = c.text(p, "profile", "patient", 1, "[patient]", "default") or "default"
    name = c.text(p, "name", "patient", 1, "[patient]") or ""
    good_side = side.strip().lower() if isinstance(side, str) and side.strip().lower() in SIDES else "left"
    return Patient(profile=profile, affected_side=good_side, name=name)


def _custom(c: _Check, i: int, d: dict) -> CustomExercise | None:
    what = f"custom exercise {i}"
    c.keys(d, CUSTOM_KEYS, "custom", i, what)
    name = c.text(d, "name", "custom", i, what, None)
    if isinstance(name, str) and not NAME_RE.match(name):
        c.err("custom", i, "name", f"{what}: name '{name}' must be lower-case letters, digits and _ "
                                   f"(e.g. ankle_pumps)")
        name = None
    elif isinstance(name, str) and (name in BUILTIN or name in ALIASES):
        c.err("custom", i, "name", f"{what}: '{name}' is a built-in exercise; list it under [[exercise]] "
                                   f"directly or give the custom one another name")
        name = None
    signal = c.text(d, "signal", "custom", i, what, None)
    if isinstance(signal, str) and signal not in SIGNAL_NAMES:
        c.err("custom", i, "signal", f"{what}: unknown signal '{signal}'{suggest(signal, SIGNAL_NAMES)}")
        signal = None
    direction = c.text(d, "direction", "custom", i, what, "up")
    if isinstance(direction, str) and direction not in DIRECTIONS:
        c.err("custom", i, "direction", f"{what}: direction must be one of {', '.join(DIRECTIONS)}, "
                                        f"not '{direction}'")
        direction = None
    title, cue = c.text(d, "title", "custom", i, what), c.text(d, "cue", "custom", i, what)
    if not (name and signal and direction):
        return None
    return CustomExercise(name=name, signal=signal, direction=direction, title=title or "", cue=cue or "")


def _exercise(c: _Check, i: int, d: dict, known: list[str]) -> PlannedExercise | None:
    what = f"exercise {i}"
    c.keys(d, EXERCISE_KEYS, "exercise", i, what)
    name = c.text(d, "name", "exercise", i, what, None)
    key = None
    if isinstance(name, str):
        key = ALIASES.get(name.strip().lower().replace("-", "_"), name.strip().lower().replace("-", "_"))
        if key not in known:
            c.err("exercise", i, "name", f"{what}: unknown exercise '{name}'{suggest(name, known)} "
                                         f"(or declare it under [[custom]])")
            key = None
    what = f"{what} ({key})" if key else what
    sets = c.number(d, "sets", "exercise", i, what, default=1, whole=True, least=1)
    reps = c.number(d, "reps", "exercise", i, what, default=10, whole=True, least=1)
    hold = c.number(d, "hold_s", "exercise", i, what, default=0.0)
    rest = c.number(d, "rest_s", "exercise", i, what, default=30.0)
    target = c.number(d, "target_rom_deg", "exercise", i, what, default=None, strict=True)
    mode = c.text(d, "mode", "exercise", i, what, "active")
    if isinstance(mode, str) and mode.strip().lower() not in MODES:
        c.err("exercise", i, "mode", f"{what}: mode must be \"active\" or \"passive\", not '{mode}'")
        mode = None
    if key is None or mode is None:
        return None
    return PlannedExercise(exercise=key, sets=sets, reps=reps, hold_s=float(hold), rest_s=float(rest),
                           mode=mode.strip().lower(), target_rom_deg=None if target is None else float(target))


def _tables(c: _Check, data: dict, key: str) -> list[dict]:
    v = data.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        c.err("", 1, key, f"'{key}' must be a list of [[{key}]] tables")
        return []
    return v


def parse_plan(text: str, name: str = "plan.toml") -> Plan:
    """The plan in ``text``, or PlanError with one line per mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise PlanError([f"{name}:{m.group(1) if m else '?'}: not valid TOML ({exc}); check quotes, "
                         f"= signs and [table] headers"]) from exc
    c = _Check(name, _Lines(text))
    c.keys(data, TOP_KEYS, "", 1, "the plan")
    patient = _patient(c, data)
    spw = c.number(data, "sessions_per_week", "", 1, "the plan", default=5, whole=True, least=1)
    tables = _tables(c, data, "custom")
    customs = [x for i, d in enumerate(tables, 1) if (x := _custom(c, i, d))]
    # a custom exercise with a mistake is still declared: not "unknown" again where it is listed
    known = list(BUILTIN) + [n for d in tables if isinstance(n := d.get("name"), str) and n not in BUILTIN]
    planned = []
    for i, d in enumerate(_tables(c, data, "exercise"), 1):
        pe = _exercise(c, i, d, known)
        if pe is not None and any(p.exercise == pe.exercise for p in planned):
            c.err("exercise", i, "name", f"exercise {i}: {pe.exercise} is listed twice; give the first one "
                                         f"more sets instead")
        elif pe is not None:
            planned.append(pe)
    if "exercise" not in data:
        c.err("", 1, "", "the plan lists no exercises; add an [[exercise]] table with name = \"dorsiflexion\"")
    if c.errors:
        raise PlanError(c.errors)
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Plan(patient=patient, exercises=tuple(planned), sessions_per_week=spw, custom=tuple(customs),
                version=version, path=name, text=text)


def load_plan(path: str | Path, register: bool = True) -> Plan:
    """Read and check a plan file; its custom exercises become known (``register``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"plan file not found: {p}; write one with: tracker plan new -o {p}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the plan file {p}: {exc}") from exc
    plan = parse_plan(text, str(p))
    if register:
        for cx in plan.custom:
            register_custom(custom_exercise(cx.name, cx.signal, DIRECTIONS[cx.direction], cx.title, cx.cue))
    return plan
