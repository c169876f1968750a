"""``--exercise auto``: the exercise a recording shows, chosen by the recogniser, or a
one-line refusal that asks for ``--exercise`` (never a guess counted silently)."""
from __future__ import annotations

from tracker.errors import InputError, UsageError, printable
from tracker.exercises import ROUTINE, Exercise, get_exercise
from tracker.records import PARTIAL_MARK

AUTO = "auto"
AUTO_HELP = "; or auto: recognised from what the body shows (refused when unsure)"


def is_auto(name: str | None) -> bool:
    return (name or "").strip().lower() == AUTO


def take_auto(args) -> None:
    """``analyze --exercise auto``: no exercise is named (``args.auto_exercise`` says each
    file's is recognised). It needs the body (no close-up) and no plan to judge it by."""
    args.auto_exercise = is_auto(args.exercise)
    if args.auto_exercise:
        if getattr(args, "plan", None) or getattr(args, "view", "auto") == "closeup":
            raise UsageError("--exercise auto needs the body in view and no --plan; name the exercise with --exercise")
        args.exercise = None


def exercise_for(rec, ex: Exercise | None, path, side: str = "auto") -> tuple[Exercise, str | None]:
    """``ex`` itself when it was named; else the recognised one and the line that says so
    (for the terminal and the set's warnings). Unsure, or no exercise: InputError (exit 3)."""
    if ex is not None:
        return ex, None
    from tracker.counting.recognise import recognise

    r = recognise(rec, side=side)
    if r.verdict != "recognised":
        raise InputError(f"{printable(path)}: {r.describe()}; name it with --exercise ({', '.join(ROUTINE)})")
    return get_exercise(r.exercise), f"exercise {r.describe()} (--exercise auto)"


def analyse_partial(partial, ex, path, side, mode, target, profile):
    """Ctrl-C in the pose pass: the frames seen so far analysed (with --exercise auto, if the
    exercise can be recognised from them), or None."""
    from tracker.counting.offline import analyze_recording

    if partial is None or len(partial) < 2:
        return None
    try:
        ex, chosen = exercise_for(partial, ex, path, side)
    except InputError:
        return None  # too little seen to know the exercise: nothing is counted
    res = analyze_recording(partial, ex, side, mode, target, source=str(path), profile=profile)
    return res.with_warnings(chosen, f"{PARTIAL_MARK} {partial.t[-1]:.1f} s: only that part was analysed")
