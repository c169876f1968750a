"""The recogniser's toe-motion cue (tracker/counting/recognise.py): which way the toe moves
against the ankle, and how much that weighs for an exercise entry."""
from __future__ import annotations

import math

import numpy as np

from tracker.counting.recognise import ExerciseFit, motion_fit, runner_up, toe_vertical_share
from tracker.exercises import EXERCISES
from tracker.pose.landmarks import LEG
from tracker.pose.recording import PoseRecording


def _recording(dx: float, dy: float, seed: int = 0) -> tuple[PoseRecording, np.ndarray]:
    """A still body whose left toe swings by (dx, dy) pixels at 0.5 Hz, with 1 px jitter."""
    fps, n = 15.0, 150
    t = np.arange(n) / fps
    rng = np.random.default_rng(seed)
    px = np.zeros((n, 33, 2), np.float32) + np.array([100.0, 100.0], np.float32)
    leg = LEG["left"]
    px[:, leg["knee"]] = [100.0, 100.0]
    px[:, leg["ankle"]] = [100.0, 200.0]
    px[:, leg["heel"]] = [90.0, 205.0]
    wave = 0.5 - 0.5 * np.cos(2 * np.pi * 0.5 * t)
    px[:, leg["toe"], 0] = 160.0 + dx * wave
    px[:, leg["toe"], 1] = 205.0 - dy * wave
    px += rng.normal(0.0, 1.0, px.shape).astype(np.float32)
    w, h = 640, 480
    norm = np.concatenate([px / np.array([w, h], np.float32), np.zeros((n, 33, 1), np.float32)], axis=2)
    vis = np.ones((n, 33), np.float32)
    rec = PoseRecording(t, norm, vis, vis.copy(), np.zeros((n, 33, 3), np.float32), np.ones(n, np.int32),
                        np.arange(n), w, h, {})
    return rec, px


def test_the_toe_moving_up_reads_up_and_moving_across_reads_across():
    up = toe_vertical_share(*_recording(0.0, 12.0), "left")
    across = toe_vertical_share(*_recording(12.0, 0.0), "left")
    assert up > 0.9 and across < 0.1


def test_jitter_alone_is_not_a_way_of_moving():
    """1 px of frame-to-frame jitter on a still toe: the lagged correlation leaves next to no
    movement either way, so the share is not pushed to 'up' or 'across' by the noise."""
    rec, px = _recording(0.0, 0.0)
    share = toe_vertical_share(rec, px, "left")
    assert math.isnan(share) or 0.05 < share < 0.95


def test_motion_fit_follows_the_entry_signal_and_the_seated_share():
    toe, ever = EXERCISES["toe_raise"], EXERCISES["eversion"]
    assert motion_fit(toe, 0.9, 1.0) > 0.99 and motion_fit(ever, 0.9, 1.0) < 0.01
    assert motion_fit(ever, 0.1, 1.0) > 0.99 and motion_fit(toe, 0.1, 1.0) < 0.01
    assert motion_fit(ever, 0.9, 0.0) == 1.0  # not seated (a crossed, hanging foot): not judged
    assert motion_fit(toe, float("nan"), 1.0) == 1.0


def test_runner_up_skips_fits_that_found_no_rep():
    fits = [ExerciseFit("a", "left", 1, 1, 3, 0.5), ExerciseFit("b", "left", 1, 0.9, 0, 0.5),
            ExerciseFit("c", "left", 1, 0.5, 2, 0.5)]
    assert runner_up(fits).exercise == "c"
    assert runner_up(fits[:2]) is None


def test_quiet_cuts_are_local_lows_away_from_the_ends():
    from tracker.counting.routine import _quiet_cuts
    from tracker.counting.segment import Stretch

    t = np.arange(300) / 15.0  # 20 s
    act = np.full(300, 3.0)
    act[140:160] = 0.5  # a quiet second in the middle
    act[5:15] = 0.1  # quieter, but too near the start to leave a set before it
    cuts = _quiet_cuts(t, act, Stretch(0, 300, 0.0, float(t[-1])))
    assert cuts and 140 <= cuts[0] < 160
    assert all(t[c] >= 2.5 and t[-1] - t[c] >= 2.5 for c in cuts)
