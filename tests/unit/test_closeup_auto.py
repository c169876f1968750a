"""``--view auto``: a lying body whose feet are not what moves keeps the full-body result.

On the real clips (measured, README "Close-ups of the feet"), the pose model puts a lying
body on the legs of a close-up, and a real bridge is lying too; what tells them apart is
where the close-up method's moving region is: on the detected feet in a close-up, on the
hips and thighs in a bridge.
"""
from __future__ import annotations

import numpy as np

from tracker.app.closeup import FEET_IN_MOTION, feet_in_motion


def _feet(xy: list[tuple[float, float]], frames: int = 10) -> np.ndarray:
    return np.tile(np.asarray(xy, float)[None], (frames, 1, 1))


def test_feet_inside_the_moving_region_count():
    feet = _feet([(120, 210), (110, 215), (140, 218)] * 2)
    assert feet_in_motion(feet, (100, 190, 160, 230)) == 1.0


def test_feet_far_from_the_moving_region_do_not():
    feet = _feet([(300, 210), (290, 215), (320, 218)] * 2)  # the moving region is the hips, 140 px away
    assert feet_in_motion(feet, (100, 150, 160, 200)) < FEET_IN_MOTION


def test_the_margin_takes_feet_just_outside_the_region():
    feet = _feet([(165, 200)] * 6)  # 5 px right of a 60 px wide region
    box = (100, 190, 160, 230)
    assert feet_in_motion(feet, box, margin=0.0) == 0.0
    assert feet_in_motion(feet, box, margin=0.25) == 1.0


def test_frames_without_a_body_are_left_out_and_none_at_all_is_zero():
    feet = _feet([(120, 210)] * 6, frames=4)
    feet[:2] = np.nan
    assert feet_in_motion(feet, (100, 190, 160, 230)) == 1.0
    assert feet_in_motion(np.full((3, 6, 2), np.nan), (100, 190, 160, 230)) == 0.0


def test_a_head_out_of_the_picture_is_no_real_lying_person():
    from tracker.app.closeup import HEAD_IN_VIEW, head_in_view

    norm = np.full((10, 33, 3), 0.5)
    assert head_in_view(norm) == 1.0
    norm[:8, 0, 1] = -0.2  # the "nose" above the picture, as on a close-up's imagined body
    assert head_in_view(norm) < HEAD_IN_VIEW
