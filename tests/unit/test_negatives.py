"""Movements that are not reps (issue 13): the foot's 2-D angle changes, but the ankle is not
what moved. Pure synthetic landmarks (tests/support/synthlegs.py), offline and live alike."""
from __future__ import annotations

import numpy as np

from tracker.counting.offline import analyze_recording
from tracker.exercises import get_exercise
from tracker.pose.landmarks import LEG, NUM_LANDMARKS

from synthlegs import SHANK, duration_for, live_count, make_recording, rep_profile

DORSI = get_exercise("dorsiflexion")
FPS = 30.0
REPS = 5


def _moved(rec, points, shift_px: np.ndarray):
    """The recording with ``points`` (landmark indices) moved by ``shift_px`` (N, 2) pixels."""
    norm = rec.norm.copy()
    for i in points:
        norm[:, i, 0] += shift_px[:, 0] / rec.width
        norm[:, i, 1] += shift_px[:, 1] / rec.height
    rec.norm = norm
    return rec


def _excursions(amp: float):
    t = np.arange(0, duration_for(REPS), 1 / FPS)
    a = rep_profile(t, REPS, amp)
    return t, a, a / amp  # time, angle, share of each excursion (0..1)


def _counts(rec, ex=DORSI):
    off = analyze_recording(rec, ex, side="left")
    live, live_reps = live_count(rec, ex)
    return off.summary.reps_counted, live, off.reps + live_reps


def test_the_same_excursions_count_when_nothing_else_moves():
    """The control for the tests below: these excursions alone are reps."""
    t, a, _ = _excursions(8.0)
    off, live, _ = _counts(make_recording(t, dorsi=a, noise_px=0.4, seed=2))
    assert off == live == REPS


def test_a_whole_body_shift_is_not_a_rep_in_either_path():
    """Shifting in the chair: every point (hips, both legs) slides 0.12 shank lengths with each
    foot excursion. On rendered chair shifts the foot's 2-D angle changes that way with no
    ankle movement; here the excursion is real, so the price is shown too: a rep made while
    the body shifts is refused ("sit still"), live and offline."""
    t, a, share = _excursions(8.0)
    shift = np.stack([0.12 * SHANK * share, np.zeros_like(share)], axis=1)
    rec = _moved(make_recording(t, dorsi=a, noise_px=0.4, seed=2), range(NUM_LANDMARKS), shift)
    off, live, reps = _counts(rec)
    assert off == live == 0
    assert len(reps) >= 2 * REPS - 2 and all("the body moved" in r.note for r in reps)


FEET = [LEG[s][k] for s in LEG for k in ("ankle", "heel", "toe")]


def test_a_standing_toe_raise_may_rock_the_body():
    """Toe raises may be done standing (a tibialis raise), where the body rocks back with each
    rise: the hips' (and knees') travel is not held against them. The feet stand on the floor,
    so they stay (a whole leg sliding is a shift: the next test)."""
    t, a, share = _excursions(8.0)
    shift = np.stack([0.12 * SHANK * share, np.zeros_like(share)], axis=1)
    rest = [i for i in range(NUM_LANDMARKS) if i not in FEET]
    rec = _moved(make_recording(t, dorsi=a, noise_px=0.4, seed=2), rest, shift)
    off, live, _ = _counts(rec, get_exercise("toe_raise"))
    assert off == live == REPS


def test_the_other_leg_moving_is_not_a_rep_of_this_foot():
    """The other leg crosses over (its ankle travels half a shank length) with each excursion
    of this foot's angle, as this foot's landmarks twitch when the other leg passes in front:
    refused as the other leg's movement, live and offline."""
    t, a, share = _excursions(6.0)
    shift = np.stack([-0.5 * SHANK * share, -0.3 * SHANK * share], axis=1)
    leg = [LEG["right"][k] for k in ("knee", "ankle", "heel", "toe")]
    rec = _moved(make_recording(t, dorsi=a, noise_px=0.4, seed=4), leg, shift)
    off, live, reps = _counts(rec)
    assert off == live == 0
    assert reps and all("the other leg moved" in r.note for r in reps)


def test_the_whole_leg_sliding_is_not_a_rep_even_with_the_hips_still():
    """Shifting in the chair seen from the side: the hips hardly move in the picture (the slide
    is toward the camera) but the whole leg does: knee, ankle, heel and toe all travel 0.15 shank
    lengths with each excursion, so no point of the leg stays as an ankle rep's pivot does.
    Refused ("the whole leg moved"), live and offline, for a seated and a toe-raise counter."""
    t, a, share = _excursions(8.0)
    travel = np.stack([0.15 * SHANK * share, -0.05 * SHANK * share], axis=1)
    for ex in (DORSI, get_exercise("toe_raise")):
        off, live, reps = _counts(make_recording(t, dorsi=a, noise_px=0.4, seed=3, leg_travel=travel), ex)
        assert off == live == 0, ex.key
        assert len(reps) >= 2 * REPS - 2 and all("the whole leg moved" in r.note for r in reps), ex.key


def test_a_leg_that_keeps_its_pivot_still_counts():
    """The same travel of the knee alone (the shank leans, the foot's pivot stays: an ankle rep
    with a restless knee) is not a whole-leg shift: every excursion counts."""
    t, a, share = _excursions(8.0)
    shift = np.stack([0.15 * SHANK * share, np.zeros_like(share)], axis=1)
    rec = _moved(make_recording(t, dorsi=a, noise_px=0.4, seed=3), [LEG["left"]["knee"]], shift)
    off, live, reps = _counts(rec, get_exercise("toe_raise"))
    assert off == live == REPS
    assert not any("the whole leg moved" in r.note for r in reps)
