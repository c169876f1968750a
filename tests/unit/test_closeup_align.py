"""The close-up's alignment to the rest frame (tracker/closeup/edgetrack.RestAligner): when
the legs fill the picture, the largest set of corners moving together may be the leg's, and
a fit to it is not the camera's motion. Measured on the real ankle pumps (a still phone): from
5.7 s the homography moved the picture's corners 14-250 px in a 320-px frame, every edge in the
foot's box changed and the turn read ±60° noise, counted as reps (6 for 4)."""
from __future__ import annotations

import numpy as np

from tracker.closeup.edgetrack import RestAligner


def _texture(shape, seed: int) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(0, 255, shape).astype(np.uint8), (0, 0), 1.5)


def _scene(leg_dx: int) -> np.ndarray:
    """A still textured background (the right quarter) and a textured 'leg' filling the rest
    of the picture, shifted ``leg_dx`` pixels."""
    bg, leg = _texture((240, 320), 1), _texture((240, 400), 2)
    img = bg.copy()
    img[:, :240] = leg[:, 40 - leg_dx:280 - leg_dx]
    return img


def test_a_leg_that_fills_the_picture_does_not_move_the_camera():
    rest = _scene(0)
    al = RestAligner(rest)
    assert al.usable and len(al.p0) >= 50
    # most corners are on the leg: its 24-px move is the largest agreeing set
    assert (al.p0[:, 0, 0] < 240).mean() > 0.6
    for _ in range(5):  # the leg swings 24 px and stays there; the phone does not move
        out = al.align(_scene(24))
        background = np.abs(out[20:-20, 260:-10].astype(int) - rest[20:-20, 260:-10].astype(int)).mean()
        assert background < 3.0  # still aligned (without the check: warped by the leg's 24 px, ~40 grey levels)


def test_a_shaking_phone_is_still_followed():
    import cv2

    rest = _scene(0)
    al = RestAligner(rest)
    for dx in (1, 2, 3, 2, 1, 3):  # the whole picture moves a few pixels a frame (hand-held)
        m = np.float32([[1, 0, dx], [0, 1, -dx]])
        out = al.align(cv2.warpAffine(rest, m, (320, 240), borderMode=cv2.BORDER_REPLICATE))
    assert np.abs(out[20:-20, 20:-20].astype(int) - rest[20:-20, 20:-20].astype(int)).mean() < 3.0
