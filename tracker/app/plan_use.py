"""``--plan PLAN.toml`` on ``live`` and ``analyze``: the plan chooses what the options would.

The plan's affected side and profile stand in for ``--side auto`` and ``--profile default``
(an explicit option wins); live follows the plan's exercises in order, analyze takes the
plan's prescription for the ``--exercise`` it counts.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tracker.app.options import SetOptions
from tracker.errors import UsageError


def add_plan_option(p) -> None:
    p.add_argument("--plan", metavar="PLAN.toml",
                   help="follow a therapist's plan (tracker plan new writes one): exercises, sets, reps, holds")


def profile_plan_path(profile: str, db: str | None) -> Path:
    """Where a profile's own plan lives, beside the history: ``plans/PROFILE.toml``."""
    from tracker.sinks.history import resolve_db_path

    return resolve_db_path(db).parent / "plans" / f"{profile}.toml"


def plan_options(args, *, live: bool):
    """(the plan or None, the options with the plan's side and profile). The plan is read
    before the options are checked, so ``--exercise`` may name one of its custom exercises.
    Live without --plan, --exercise or --routine follows the profile's plan when there is one."""
    path = getattr(args, "plan", None)
    if not path and live and not args.exercise and not getattr(args, "routine", False):
        found = profile_plan_path(args.profile, args.db)
        if found.is_file():
            print(f"following the plan {found} (--exercise or --routine to do something else)")
            path = str(found)
    if not path:
        return None, SetOptions.from_args(args)
    from tracker.plan.load import load_plan

    plan = load_plan(path)
    opts = SetOptions.from_args(args)
    if live and (opts.exercise or getattr(args, "routine", False)):
        raise UsageError("--plan chooses the exercises and their order; leave out --exercise and --routine")
    side = opts.side if opts.side != "auto" else plan.patient.affected_side
    profile = opts.profile if opts.profile != "default" else plan.patient.profile
    opts = replace(opts, side=side, profile=profile)
    if opts.history:
        _remember(opts, plan)
    return plan, opts


def _remember(opts: SetOptions, plan) -> None:
    """The history keeps the plan's text under its version, so a report judges each session
    against the plan that applied then."""
    from tracker.sinks.history import connect
    from tracker.sinks.plan_history import remember_plan

    conn = connect(opts.db)
    try:
        remember_plan(conn, opts.profile, plan.version, plan.text)
    finally:
        conn.close()


def planned_step(plan, exercise: str):
    """The plan's first set of this exercise (analyze: a recording is one set), or a usage error."""
    if plan is None:
        return None
    for pe, step in plan.steps():
        if pe.exercise == exercise:
            return pe, step
    raise UsageError(f"the plan does not list {exercise}; it lists: "
                     f"{', '.join(pe.exercise for pe in plan.exercises)}")


def apply_plan(res, plan) -> None:
    """A recorded set (SetResult) judged by the plan: its holds checked, its info and summary
    carrying the plan's step, mode and reps. In place, before the set is saved."""
    from tracker.counting.hold import apply_holds
    from tracker.records import SetSummary

    pe, step = planned_step(plan, res.info.exercise)
    res.reps = apply_holds(res.reps, step.hold_s)
    res.info = replace(res.info, plan=step, mode=pe.mode, target=step.reps)
    s = res.summary
    res.summary = SetSummary.from_reps(res.info, res.reps, s.time_analysed_s, s.frames, s.frames_without_person,
                                       s.warnings)
