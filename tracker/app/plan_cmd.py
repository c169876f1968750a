"""``tracker plan new`` and ``tracker plan check``: write a therapist's plan, or check one.

``check`` prints every mistake on its own line (file:line, what is wrong, the fix) and exits
3; a good plan prints what a session under it will do.
"""
from __future__ import annotations

import sys

from tracker.app.paths import check_output_path
from tracker.errors import EXIT_INPUT, UsageError
from tracker.exercises import EXERCISES
from tracker.files import atomic_write_text
from tracker.plan.load import SIDES, PlanError, load_plan
from tracker.plan.model import Plan
from tracker.plan.write import asked_plan_text, default_plan_text


def describe(plan: Plan) -> list[str]:
    """A plan in plain words: one line for the patient, one per exercise."""
    p = plan.patient
    lines = [f"plan {plan.version}: {p.name or p.profile}, {p.affected_side} side, "
             f"{plan.sessions_per_week} sessions a week"]
    for pe in plan.exercises:
        hold = f", hold {pe.hold_s:g} s" if pe.hold_s else ""
        target = f", target range {pe.target_rom_deg:g} deg" if pe.target_rom_deg else ""
        lines.append(f"  {EXERCISES[pe.exercise].title}: {pe.sets} x {pe.reps} reps{hold}, rest {pe.rest_s:g} s, "
                     f"{pe.mode}{target}")
    return lines


def run_new(args) -> int:
    out = check_output_path(args.output, force=args.force, suffix=".toml")
    if args.side is not None and args.side not in SIDES:
        raise UsageError(f"--side must be left or right, not '{args.side}'")
    if args.defaults:
        text = default_plan_text(side=args.side or "left", profile=args.profile)
    else:
        try:
            text = asked_plan_text()
        except EOFError:
            raise UsageError("no answers to the questions (input closed); run it in a terminal, "
                             "or use --defaults") from None
    atomic_write_text(out, text)
    print(f"wrote {out}; check it with: tracker plan check {out}")
    return 0


def run_check(args) -> int:
    try:
        plan = load_plan(args.plan)
    except PlanError as exc:
        for line in exc.lines:
            print(f"tracker: {line}", file=sys.stderr)
        return EXIT_INPUT
    print("\n".join(describe(plan)))
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser("plan", help="write or check a therapist's plan (plan.toml)",
                       description="A plan prescribes the exercises, sets, reps, holds, rest and targets; "
                                   "tracker live --plan FILE follows it.")
    cmds = p.add_subparsers(dest="plan_command", metavar="new|check", required=True)
    n = cmds.add_parser("new", help="write a plan, asking a few questions (or --defaults)")
    n.add_argument("-o", "--output", default="plan.toml", help="plan file to write (default plan.toml)")
    n.add_argument("--defaults", action="store_true",
                   help="do not ask: the five exercises, one set of 10 reps each")
    n.add_argument("--side", help="with --defaults: the affected side, left | right (default left)")
    n.add_argument("--profile", default="default", help="with --defaults: the history profile")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=run_new)
    c = cmds.add_parser("check", help="check a plan file: one line per mistake, naming its line")
    c.add_argument("plan", help="the plan file (.toml)")
    c.set_defaults(func=run_check)
