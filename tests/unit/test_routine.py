"""A whole session in one recording (tracker/counting/routine.py) on synthetic legs: a change
of position splits two sets even without a long pause, and is never part of a set; the foot
settling between two sets in one position does not join them."""
from __future__ import annotations

import numpy as np

from tracker.counting.routine import _regions, body_motion, find_moves, foot_signals, set_stretches
from tracker.counting.segment import activity
from tracker.pose.landmarks import LEG, SIDES
from tracker.pose.recording import PoseRecording

from synthlegs import make_recording, rep_profile

FPS = 15.0


def _shift_body(rec: PoseRecording, shift_px: np.ndarray) -> PoseRecording:
    """Hips and knees carried by ``shift_px`` (N, 2) pixels: the body changes position."""
    norm = rec.norm.copy()
    for side in SIDES:
        for joint in ("hip", "knee"):
            norm[:, LEG[side][joint], 0] += shift_px[:, 0] / rec.width
            norm[:, LEG[side][joint], 1] += shift_px[:, 1] / rec.height
    return PoseRecording(rec.t, norm, rec.visibility, rec.presence, rec.world, rec.people, rec.index, rec.width,
                         rec.height, dict(rec.meta))


def _ramp(t: np.ndarray, t0: float, t1: float, size: float) -> np.ndarray:
    return size * np.clip((t - t0) / (t1 - t0), 0.0, 1.0)


def test_a_change_of_position_splits_two_sets_and_is_no_set():
    t = np.arange(0, 36, 1 / FPS)
    dorsi = rep_profile(t, 4, 12.0, start_s=2.0) + rep_profile(t, 4, 12.0, start_s=20.0)  # 2-14 s, 20-32 s
    rec = make_recording(t, dorsi=dorsi, noise_px=0.3)
    # 15.5-18.5 s: the knee rises and comes back (crossing the leg), only 1.5 s still either side
    up = _ramp(t, 15.5, 17.0, -60.0) - _ramp(t, 17.0, 18.5, -60.0)
    moved = _shift_body(rec, np.stack([0.5 * up, up], axis=1))
    moves = find_moves(t, body_motion(moved))
    assert len(moves) == 1 and 14.5 <= moves[0].start_s <= 16.0 and 18.0 <= moves[0].end_s <= 19.5
    act = activity(moved)
    sets = [s for lo, hi in _regions(len(t), moves) for s in set_stretches(t, act, lo, hi)]
    assert len(sets) == 2
    assert all(s.end_s <= moves[0].start_s or s.start_s >= moves[0].end_s for s in sets)
    assert abs(sets[0].start_s - 2.0) <= 1.5 and abs(sets[1].end_s - 32.0) <= 1.5
    # the same sets without the move and with a pause under 3.5 s are one stretch
    assert len(set_stretches(t, act, 0, len(t))) == 1 or not find_moves(t, body_motion(rec))


def test_a_still_body_has_no_move():
    t = np.arange(0, 20, 1 / FPS)
    rec = make_recording(t, dorsi=rep_profile(t, 5, 25.0, start_s=2.0), noise_px=0.5)
    assert find_moves(t, body_motion(rec)) == []


def test_the_foot_settling_between_two_sets_does_not_join_them():
    t = np.arange(0, 34, 1 / FPS)
    a = rep_profile(t, 4, 12.0, start_s=1.0)  # 1-13 s
    b = rep_profile(t, 4, 12.0, start_s=18.5) + 8.0 * np.clip((t - 15.0) / 1.0, 0, 1)  # settles 15-16 s, reps 18.5-
    rec = make_recording(t, dorsi=a + b, noise_px=0.3)
    sets = set_stretches(t, activity(rec), 0, len(t), foot_signals(rec))
    assert len(sets) == 2, sets
    assert abs(sets[1].start_s - 18.5) <= 1.0
    assert len(set_stretches(t, activity(rec), 0, len(t))) == 1  # without the signals it is one
