"""The camera-view check, both ways: a front-view exercise filmed from the side and a side-view
one filmed from the front are each caught, offline and live, with the turn to make; the body
(shoulder width) settles what the foot's length alone cannot."""
from __future__ import annotations

import math

import numpy as np

from tracker.bench.accuracy import live_set
from tracker.counting.offline import analyze_recording
from tracker.exercises import EXERCISES, VIEWS
from tracker.pose.landmarks import LEFT_SHOULDER, RIGHT_SHOULDER

from synthlegs import W, duration_for, make_recording, rep_profile

FPS = 30.0


def _sideways_reps(ex, view_shoulders_px: float | None = None):
    """Five 15° sideways reps of the left foot, foot pointing at the camera (short in the
    picture); ``view_shoulders_px``: the shoulders' gap instead (a few px: seen from the side)."""
    t = np.arange(0, duration_for(5), 1 / FPS)
    rec = make_recording(t, view="front", sideways=(ex.rep_direction("left") or 1) * rep_profile(t, 5, 15.0),
                         noise_px=0.3)
    if view_shoulders_px is not None:
        mid = 0.5 * (rec.norm[:, LEFT_SHOULDER, 0] + rec.norm[:, RIGHT_SHOULDER, 0])
        rec.norm[:, LEFT_SHOULDER, 0] = mid + 0.5 * view_shoulders_px / W
        rec.norm[:, RIGHT_SHOULDER, 0] = mid - 0.5 * view_shoulders_px / W
    return rec


def test_narrow_shoulders_make_a_front_view_wrong_whatever_the_foot_shows():
    front, side = VIEWS["front"], VIEWS["side"]
    # a foot pointing at the camera looks short (0.30): the foot alone says "front"
    assert front.ok(0.30) and not side.ok(0.30)
    # ... but shoulders 0.1 shank lengths wide are a body seen from the side
    assert not front.ok(0.30, 0.10)
    # a side view is judged by the foot: one seen end-on hides a movement in its plane
    assert not side.ok(0.30, 0.10) and side.ok(0.50, 0.10)
    # wide shoulders are a front or an oblique view: the foot decides, as without them
    for ratio in (0.30, 0.50):
        assert front.ok(ratio, 0.80) == front.ok(ratio)
        assert side.ok(ratio, 0.80) == side.ok(ratio)
    assert front.ok(math.nan, math.nan) and side.ok(math.nan, 0.9)


def test_front_view_exercise_filmed_from_the_side_is_caught_offline_and_live():
    """Ab/adduction and eversion with the body side-on to the camera and the foot turned
    toward it: the foot looks as short as from the front, the shoulders say side view."""
    for key in ("abduction", "eversion"):
        ex = EXERCISES[key]
        assert ex.view == "front"
        rec = _sideways_reps(ex, view_shoulders_px=8.0)
        off = analyze_recording(rec, ex, side="left")
        live = live_set(rec, ex, "left")
        for warnings in (off.warnings, live.warnings):
            assert ex.wrong_view_warning() in warnings, (key, warnings)
            assert "(face the camera)" in ex.wrong_view_warning()
        assert off.summary.reps_counted == 0 and live.reps_counted == 0


def test_front_view_exercise_filmed_from_the_front_is_counted():
    for key in ("abduction", "eversion"):
        ex = EXERCISES[key]
        rec = _sideways_reps(ex)
        off = analyze_recording(rec, ex, side="left")
        live = live_set(rec, ex, "left")
        assert ex.wrong_view_warning() not in off.warnings + live.warnings
        assert off.summary.reps_counted == 5 and live.reps_counted == 5


def test_side_view_exercise_filmed_from_the_front_is_caught_with_the_turn_to_make():
    ex = EXERCISES["toe_raise"]
    rec = _sideways_reps(ex)  # a body facing the camera, the foot foreshortened
    off = analyze_recording(rec, ex, side="left")
    live = live_set(rec, ex, "left")
    for warnings in (off.warnings, live.warnings):
        assert ex.wrong_view_warning() in warnings
    assert "(turn sideways to the camera)" in ex.wrong_view_warning()
