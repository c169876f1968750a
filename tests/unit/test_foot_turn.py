"""The pose step's causal foot turn (tracker/pose/foot_turn.py) on a synthetic picture of a foot
turning about the ankle below a still shank, and its place in recordings."""
from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import pytest

from tracker.pose import foot_turn as ft
from tracker.pose.estimator import PoseFrame
from tracker.pose.landmarks import LEG
from tracker.pose.recording import PoseRecording, load_recording

SIZE = 320
KNEE, ANKLE, HEEL, TOE = (160.0, 20.0), (160.0, 140.0), (160.0, 150.0), (160.0, 230.0)
FPS = 30.0


def _texture(seed: int, blur: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = cv2.GaussianBlur(rng.uniform(0, 255, (SIZE, SIZE)).astype(np.float32), (0, 0), blur)
    return cv2.normalize(t, None, 0, 1, cv2.NORM_MINMAX)


FLOOR = 90 + 60 * _texture(1, 4.0)
FOOT = 150 + 80 * _texture(2, 2.0)
SHANK = 170 + 50 * _texture(3, 2.0)


@lru_cache(maxsize=None)
def _frame(turn_deg: float) -> np.ndarray:
    """BGR picture: a textured foot (an ellipse) turned ``turn_deg`` about the ankle (cv2's
    sense: positive is counter-clockwise on screen) on a textured floor, the shank still."""
    mask = np.zeros((SIZE, SIZE), np.float32)
    cv2.ellipse(mask, (160, 190), (34, 44), 0, 0, 360, 1.0, -1, cv2.LINE_AA)
    m = cv2.getRotationMatrix2D(ANKLE, turn_deg, 1.0)
    wm, wf = cv2.warpAffine(mask, m, (SIZE, SIZE)), cv2.warpAffine(FOOT.astype(np.float32), m, (SIZE, SIZE))
    img = FLOOR * (1 - wm) + wf * wm
    img[:150, 140:181] = SHANK[:150, 140:181]
    return cv2.cvtColor(np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def _landmarks(jitter: float = 0.0, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """(33, 2) pixels with the left leg's points (and the right leg's, 1000 px off the picture:
    not seen) and (33,) visibility."""
    px, vis = np.full((33, 2), np.nan, np.float32), np.zeros(33, np.float32)
    leg = LEG["left"]
    for k, p in zip(("knee", "ankle", "heel", "toe"), (KNEE, ANKLE, HEEL, TOE)):
        px[leg[k]] = np.array(p) + (rng.normal(0, jitter, 2) if jitter else 0.0)
        vis[leg[k]] = 0.95
    px[0] = (160.0, 5.0)  # a nose: the frame has a person
    return px, vis


def _run(angles, gaps=frozenset(), jitter: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    feet, rng = ft.FootTurns(), np.random.default_rng(5)
    out, moved = [], []
    for i, a in enumerate(angles):
        px, vis = _landmarks(jitter, rng)
        a_deg, m = feet.step(_frame(float(a)), i / FPS, None if i in gaps else px, vis)
        out.append(a_deg[0])
        moved.append(m[0])
        assert np.isnan(a_deg[1])  # the right foot was never seen
    return np.array(out), np.array(moved)


# still 0.7 s, then a turn to 12° over 0.5 s, held 0.3 s, and back, twice
RAMP = np.concatenate([np.linspace(0, 12, 15), np.full(9, 12.0), np.linspace(12, 0, 15), np.zeros(6)])
ANGLES = np.concatenate([np.zeros(21), RAMP, RAMP])


def test_the_turn_follows_a_rotating_foot_from_a_rest_box_taken_once_it_is_still():
    turn, moved = _run(ANGLES, jitter=0.4)
    first = int(np.argmax(np.isfinite(turn)))
    assert first / FPS == pytest.approx(ft.STILL_S, abs=0.1)  # no rest box before the foot was still
    assert np.isnan(turn[:first]).all() and np.isfinite(turn[first:]).mean() > 0.95
    err = -turn[first:] - ANGLES[first:]  # cv2's counter-clockwise is negative in image axes
    # the box centre's running median lags two frames; the turn is read from rest, never chained
    assert np.nanmax(np.abs(err)) < 2.5 and np.nanmean(np.abs(err)) < 1.0
    assert np.all(turn[first:21] == 0.0) and moved[ANGLES == 12.0].min() >= 6


def test_each_frame_is_read_from_the_frames_before_it_only():
    full, _ = _run(ANGLES)
    part, _ = _run(ANGLES[:40])
    np.testing.assert_array_equal(full[:40], part)


def test_the_rest_box_is_retaken_after_the_foot_was_lost():
    # the foot is unseen for 1.2 s, then comes back turned 8° and stays there: that is its new rest
    angles = np.concatenate([np.zeros(20), np.full(36, 8.0), np.full(30, 8.0)])
    turn, _ = _run(angles, gaps=frozenset(range(20, 56)))
    assert np.isnan(turn[20:56]).all()
    back = turn[56:]
    assert np.isnan(back[:int(ft.STILL_S * FPS) - 2]).all()  # still again before a new rest box
    assert np.nanmax(np.abs(back)) < 0.5 and np.isfinite(back[-10:]).all()



@pytest.mark.parametrize("scale", [1e6 / SIZE, 1e30])
def test_absurd_landmarks_read_nan_without_a_huge_allocation(scale):
    # landmarks a million pixels out made the box a 122 PiB patch (MemoryError)
    feet = ft.FootTurns()
    for i in range(int(ft.STILL_S * FPS) + 5):
        px, vis = _landmarks()
        turn, moved = feet.step(_frame(0.0), i / FPS, px * scale, vis)
        assert np.isnan(turn).all() and (moved == 0).all()


def _rec(n: int, turns: bool) -> PoseRecording:
    frames = []
    for i in range(n):
        px, vis = _landmarks()
        norm = np.zeros((33, 3), np.float32)
        norm[:, :2] = np.nan_to_num(px / SIZE)
        f = PoseFrame(i, i / FPS, SIZE, SIZE, norm, vis, vis.copy(), np.zeros((33, 3), np.float32), 1)
        if turns:
            f.foot_turn, f.foot_moved = np.array([i, np.nan], np.float32), np.array([7, 0], np.int16)
        frames.append(f)
    return PoseRecording.from_frames(frames, {"source": {"fps": FPS}})


def test_recordings_keep_the_turn_and_older_ones_load_without_it(tmp_path):
    back = load_recording(_rec(6, True).save(tmp_path / "a.npz"))
    np.testing.assert_array_equal(back.foot_turn[:, 0], np.arange(6))
    assert np.isnan(back.foot_turn[:, 1]).all() and (back.foot_moved[:, 0] == 7).all()
    cut = back.take(slice(2, 4))
    assert list(cut.foot_turn[:, 0]) == [2, 3] and [f.foot_turn[0] for f in cut.frames()] == [2, 3]
    old = load_recording(_rec(6, False).save(tmp_path / "b.npz"))
    assert old.foot_turn is None and old.foot_moved is None and next(old.frames()).foot_turn is None
