"""A prescribed hold: a rep counts only when the foot stayed at the top long enough.

Why a rule of its own: a plan may ask for "hold 3 s"; the rep engine already measures every
rep's ``hold_s`` (time still near the peak), live and offline alike, so the check is one
comparison applied to both paths. A short hold is not dropped: the rep is kept with
``counted=False`` and a note saying how long it was held, so the patient sees it and the
therapist finds it in the CSV and the history.
"""
from __future__ import annotations

from dataclasses import replace

from tracker.records import Rep

# The measured hold reads a little short (it starts once the foot has slowed near the peak):
# on synthetic landmarks a 1-5 s hold reads within 0.5 s, so that much slack is allowed.
HOLD_SLACK_S = 0.5
SHORT_HOLD = "short hold"


def hold_kept(hold_s: float, planned_hold_s: float | None) -> bool:
    return not planned_hold_s or hold_s >= planned_hold_s - HOLD_SLACK_S


def check_hold(rep: Rep, planned_hold_s: float | None) -> Rep:
    """The rep as the plan counts it: a counted rep held too briefly becomes not counted."""
    if hold_kept(rep.hold_s, planned_hold_s):
        return rep
    note = f"{SHORT_HOLD}: {rep.hold_s:.1f} of {planned_hold_s:g} s, hold until the countdown ends"
    return replace(rep, counted=False, note="; ".join(n for n in (note, rep.note) if n))


def apply_holds(reps: list[Rep], planned_hold_s: float | None) -> list[Rep]:
    """A recorded set's reps as the plan counts them (``tracker analyze --plan``), numbered
    again as the counter numbers them: counted reps 1, 2, ...; one not counted takes the next
    number without advancing the count."""
    out, n = [], 0
    for r in reps:
        r = check_hold(r, planned_hold_s)
        out.append(replace(r, index=n + 1))
        n += r.counted
    return out
