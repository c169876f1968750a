"""A whole session in one recording (tracker/counting/routine.py) on synthetic legs: a change
of position splits two sets even without a long pause, and is never part of a set; the foot
settling between two sets in one position does not join them."""
from __future__ import annotations

import numpy as np

from tracker.counting.routine import _regions, body_motion, body_tracks, find_moves, foot_signals, set_stretches
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
    # 15.5-17 s: the body is carried up and aside and stays there (a new position), 3 s
    # still before the next set
    up = _ramp(t, 15.5, 17.0, -160.0)
    moved = _shift_body(rec, np.stack([0.5 * up, up], axis=1))
    tracks = body_tracks(moved)
    moves = find_moves(t, body_motion(moved, tracks), tracks)
    assert len(moves) == 1 and 14.5 <= moves[0].start_s <= 16.0 and 17.0 <= moves[0].end_s <= 18.5
    act = activity(moved)
    sets = [s for lo, hi in _regions(len(t), moves) for s in set_stretches(t, act, lo, hi)]
    assert len(sets) == 2
    assert all(s.end_s <= moves[0].start_s or s.start_s >= moves[0].end_s for s in sets)
    assert abs(sets[0].start_s - 2.0) <= 1.5 and abs(sets[1].end_s - 32.0) <= 1.5
    # without the move no change of position is found, and the 6 s pause alone parts the two sets
    assert not find_moves(t, body_motion(rec), body_tracks(rec))
    assert len(set_stretches(t, activity(rec), 0, len(t))) == 2


def test_legs_that_move_and_come_back_are_no_change_of_position():
    t = np.arange(0, 20, 1 / FPS)
    rec = make_recording(t, noise_px=0.3)
    swing = _ramp(t, 6.0, 7.5, -120.0) - _ramp(t, 7.5, 9.0, -120.0)  # up and back, like a knee swing
    moved = _shift_body(rec, np.stack([0.5 * swing, swing], axis=1))
    tracks = body_tracks(moved)
    motion = body_motion(moved, tracks)
    assert find_moves(t, motion, tracks) == []
    back = find_moves(t, motion, tracks, came_back=True)
    assert len(back) == 1 and 5.0 <= back[0].start_s <= 6.5 and 8.5 <= back[0].end_s <= 10.0


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


def test_a_routine_set_carries_its_number_in_the_recording_to_both_csvs():
    """Two sets of one exercise in one recording are told apart by ``recording_set`` in the
    per-rep and the per-set rows; a file analysed as one set is set 1."""
    from tracker.app.routine_cmd import numbered
    from tracker.counting.offline import analyze_recording
    from tracker.exercises import get_exercise
    from tracker.sinks.csvfile import REP_COLUMNS, SUMMARY_COLUMNS, rep_row, summary_row

    t = np.arange(0, 14, 1 / FPS)
    res = analyze_recording(make_recording(t, rep_profile(t, 3, 20.0)), get_exercise("dorsiflexion"), side="left")
    assert res.reps, "the synthetic set has reps"
    rep_col, sum_col = REP_COLUMNS.index("recording_set"), SUMMARY_COLUMNS.index("recording_set")
    assert rep_row(res.info, res.reps[0])[rep_col] == "1" and summary_row(res.summary)[sum_col] == "1"
    numbered(res, 2)
    assert res.info.recording_set == res.summary.info.recording_set == 2
    assert rep_row(res.info, res.reps[0])[rep_col] == "2" and summary_row(res.summary)[sum_col] == "2"
