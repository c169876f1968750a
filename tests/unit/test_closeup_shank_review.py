"""The close-up's shank (``tracker/closeup/shank.py``) in the cases a review found wrong.

A whole-leg swing before the reps: live, the swing's excursion (foot minus shank, the
opposite sign to a rep: the foot's edges under-read the leg's turn) locked the rep's sign and
range, and the reps after it were not counted (0 of 4 on seeds 0 and 2). A passive set with
a helper's forearm fixed to the foot rising into the shank's band: the forearm read as a 19°
shank turn and hid every rep (0 of 4). Synthetic scenes with exact truth.
"""
from __future__ import annotations

import numpy as np
import pytest
from closeup_scene import Scene, rep_angles

from tracker.closeup.edgetrack import edge_track
from tracker.counting.closeup import analyze_track
from tracker.exercises import get_exercise

REPS = 4


def _live(frames, mode: str = "active"):
    from tracker.app.live.closeup_counter import CloseupSetCounter

    counter = CloseupSetCounter(get_exercise("dorsiflexion"), "unknown", calib_s=1.0, mode=mode)
    reps = [rep for fr in frames for _, rep in counter.step(fr.t, fr.image, None, False)[2]]
    return reps + [rep for _, rep in counter.finish()]


def _mixed(seed: int):
    """Two 12° whole-leg swings, then four 20° reps."""
    sc = Scene(seconds=14.0, seed=seed)
    t = sc.times()
    return sc, list(sc.render(rep_angles(t, REPS, 20.0, start_s=5.5), rep_angles(t, 2, 12.0, start_s=1.5)))


@pytest.mark.parametrize("seed", [0, 2])
def test_live_reps_after_whole_leg_swings_are_counted(seed):
    reps = _live(_mixed(seed)[1])
    # measured: 3 of 4 on both seeds (the 4th: "the ankle moved too", as without the shank)
    assert sum(r.counted for r in reps) >= REPS - 1, [(r.counted, r.rom_deg, r.note) for r in reps]
    swings = [r for r in reps if r.end_t < 5.5]
    assert swings and all(r.compensation and not r.counted for r in swings)


@pytest.mark.parametrize("seed", [0, pytest.param(2, marks=pytest.mark.xfail(strict=True, reason=(
    "6 counted: both swings as 10° reps, unflagged. The box grew, the band is (0, 0, 251, 48), and the 15 "
    "points that moved sit on the shank's outline against the floor, where LK scatters: RANSAC keeps 3 "
    "inliers < MIN_MOVED and the shank reads 0 (not fixed yet)")))])
def test_offline_reps_after_whole_leg_swings_are_counted(seed):
    sc, frames = _mixed(seed)
    res = analyze_track(edge_track(frames, sc.size[1], sc.size[0]), get_exercise("dorsiflexion"))
    assert res.summary.reps_counted == REPS


def _forearm():
    sc = Scene(seconds=9.0, forearm=True)
    return sc, list(sc.render(rep_angles(sc.times(), REPS, 20.0)))


def test_a_passive_set_with_the_helpers_forearm_in_the_band_counts_every_rep():
    sc, frames = _forearm()
    track = edge_track(frames, sc.size[1], sc.size[0])
    assert np.ptp(track.shank_deg) > 10  # the forearm is read as the shank (so the test can fail)
    ex = get_exercise("dorsiflexion")
    res = analyze_track(track, ex, mode="passive")
    assert res.summary.reps_counted == REPS
    assert not any(r.compensation for r in res.reps)
    assert sum(r.counted for r in _live(frames, mode="passive")) >= REPS - 1
