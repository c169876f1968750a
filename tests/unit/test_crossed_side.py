"""`--side auto` for an exercise done with a leg crossed: the crossed leg, whose foot hangs
clearly higher, even when the planted foot's landmarks wander more than a small movement."""
from __future__ import annotations

import numpy as np

from tracker.counting.offline import analyze_recording
from tracker.exercises import EXERCISES
from tracker.pose.landmarks import LEG
from tracker.signals.features import CROSSED_ANKLE_GAP, crossed_leg

from synthlegs import SHANK, H, duration_for, make_recording, rep_profile


def _front_crossed(left_higher_px: float, wander_deg: float = 8.0):
    """Front view: the left foot turns out 4° five times; the right foot's toe wanders by
    ``wander_deg`` twice as slowly (a landmark drifting on a planted foot); the left leg's
    ankle, heel and toe are ``left_higher_px`` higher in the picture."""
    t = np.arange(0, duration_for(5), 1 / 30.0)
    rec = make_recording(t, view="front", sideways=rep_profile(t, 5, 4.0), noise_px=0.2)
    leg, right = LEG["left"], LEG["right"]
    for k in ("ankle", "heel", "toe"):
        rec.norm[:, leg[k], 1] -= left_higher_px / H
    wander = np.tan(np.radians(wander_deg * 0.5 * (1 - np.cos(2 * np.pi * t / 6.0)))) * 0.62 * SHANK
    rec.norm[:, right["toe"], 0] += (wander / 640).astype(np.float32)
    return rec


def test_crossed_leg_is_the_clearly_higher_foot():
    px = lambda rec: rec.norm[:, :, :2] * np.array([rec.width, rec.height])  # noqa: E731
    assert crossed_leg(px(_front_crossed(0.3 * SHANK))) == "left"
    assert crossed_leg(px(_front_crossed(0.5 * CROSSED_ANKLE_GAP * SHANK))) is None  # too close to tell


def test_auto_side_takes_the_crossed_leg_over_a_wandering_planted_foot():
    ex = EXERCISES["abduction"]
    assert ex.postures == ("crossed",)
    res = analyze_recording(_front_crossed(0.3 * SHANK), ex, side="auto")
    assert res.info.side == "left"
    assert res.summary.reps_counted == 5
    # feet level: nothing tells the crossed leg, the larger movement wins as before
    assert analyze_recording(_front_crossed(0.0), ex, side="auto").info.side == "right"
    # an exercise done with both feet down is not judged by the crossed leg
    assert analyze_recording(_front_crossed(0.3 * SHANK), EXERCISES["eversion"], side="auto").info.side == "right"


def test_live_never_counts_the_planted_leg_of_a_crossed_exercise():
    from tracker.bench.accuracy import live_set

    ex = EXERCISES["abduction"]
    rec = _front_crossed(0.3 * SHANK, wander_deg=0.0)
    t = rec.t
    # the planted foot's toe jumps sideways once, quickly, before the crossed foot's first rep ends
    jump = rep_profile(t, 1, 12.0, rep_s=0.8, start_s=1.7)
    rec.norm[:, LEG["right"]["toe"], 0] += (np.tan(np.radians(jump)) * 0.62 * SHANK / 640).astype(np.float32)
    reps: list = []
    summary = live_set(rec, ex, "auto", reps)
    assert {r.side for r in reps} == {"left"}, [(r.side, r.counted, r.rom_deg) for r in reps]
    assert summary.reps_counted == 5
