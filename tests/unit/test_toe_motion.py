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
    """A still toe with 1 px of jitter, isotropic or 1.4x stronger up the picture: not judged
    (NaN). Measured from the rest level, it read 0.28-0.69, on both sides of the 0.6 limit."""
    for seed in range(20):
        rec, px = _recording(0.0, 0.0, seed)
        assert math.isnan(toe_vertical_share(rec, px, "left")), seed
        more = px.copy()
        more[:, LEG["left"]["toe"], 1] += np.random.default_rng(100 + seed).normal(0.0, 1.0, len(px))
        assert math.isnan(toe_vertical_share(rec, more, "left")), seed


def test_a_small_movement_over_the_jitter_is_still_judged():
    """4 px of movement over the same 1 px of jitter keeps its way."""
    for seed in range(5):
        assert toe_vertical_share(*_recording(0.0, 4.0, seed), "left") > 0.7
        assert toe_vertical_share(*_recording(4.0, 0.0, seed), "left") < 0.3


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


def _fits(monkeypatch, fits):
    """``recognise`` with the entries' fits given (exercise, posture, view, motion, reps)."""
    from tracker.counting import recognise as rg

    made = {f[0]: rg.ExerciseFit(f[0], "left", f[1], f[2], f[4], 0.2, f[3], needs)
            for f, needs in fits}
    monkeypatch.setattr(rg, "fit_exercise", lambda rec, px, ex, *a, **k: made[ex.key])
    return rg.recognise(_recording(0.0, 12.0)[0], [EXERCISES[k] for k in made])


SIDE_UP, FRONT_ACROSS, STAND_UP = ("seated", "side", "up"), ("seated", "front", "across"), ("standing", "side", "up")


def test_a_refusal_says_what_moved_and_why(monkeypatch):
    """The front-view toe raise sample: the seated heel raise fits best but counts nothing; the
    toe raise and the eversion each counted 5, refused for the view and for the toe's way. It
    blamed the heel raise ("found no repetition"); it says what moved and why, in one line."""
    r = _fits(monkeypatch, [(("heel_raise", 0.3, 1.0, 0.9, 0), STAND_UP),
                            (("eversion", 1.0, 0.99, 0.1, 5), FRONT_ACROSS),
                            (("toe_raise", 1.0, 0.01, 0.9, 5), SIDE_UP)])
    line = r.describe()
    assert r.verdict == "none" and "\n" not in line
    assert "toe_raise counted 5 but fits a side view (film from the side)" in line
    assert "eversion counted 5 but the toe moved up and down, not sideways" in line
    assert line.index("toe_raise") < line.index("eversion")  # the body's fit apart from the camera first
    assert "heel_raise" not in line


def test_a_better_fit_that_counted_nothing_makes_it_unsure(monkeypatch):
    """A crossed leg filmed from the front: ab/adduction fits best, its counter missed the
    small movement, dorsiflexion's counted 3. Not "no exercise" (the foot moved), and not
    dorsiflexion (ab/adduction fits better): it asks, naming both."""
    crossed_front, crossed_side = ("crossed", "front", "across"), ("crossed", "side", "up")
    r = _fits(monkeypatch, [(("abduction", 1.0, 0.6, 1.0, 0), crossed_front),
                            (("dorsiflexion", 1.0, 0.4, 1.0, 3), crossed_side)])
    assert (r.verdict, r.exercise) == ("unsure", None)
    assert "dorsiflexion or abduction" in r.describe()


def test_a_worse_fit_that_counted_nothing_is_no_rival(monkeypatch):
    r = _fits(monkeypatch, [(("toe_raise", 1.0, 0.9, 1.0, 4), SIDE_UP), (("heel_raise", 0.3, 1.0, 1.0, 0), STAND_UP)])
    assert (r.verdict, r.exercise) == ("recognised", "toe_raise")


def test_the_toes_way_is_measured_once_per_side(monkeypatch):
    from tracker.counting import recognise as rg

    calls = []
    real = rg.toe_vertical_share
    monkeypatch.setattr(rg, "toe_vertical_share", lambda rec, px, side: calls.append(side) or real(rec, px, side))
    rg.recognise(_recording(0.0, 12.0)[0], side="left")
    assert calls == ["left"]


def test_a_signal_without_a_toe_motion_is_named_as_such(monkeypatch):
    """A new signal with no TOE_MOTION: the import check said the exercise entries name
    unknown signals, and listed the new one among the known."""
    import pytest

    from tracker.signals import features

    monkeypatch.setitem(features.SIGNALS, "ankle_roll", features.SIGNALS["foot_sideways"])
    with pytest.raises(ImportError) as err:
        features._check_exercise_signals()
    msg = str(err.value)
    assert "ankle_roll" in msg and "TOE_MOTION" in msg and "unknown signals" not in msg


def test_a_posture_refusal_never_names_the_same_position_twice():
    """c105 (a report-half eversion, posture seen half seated, half crossed or standing) said
    "toe_raise counted 1 but is done seated with both feet down, not seated with both feet
    down": when the entry's position is the main one, it says how little it was seen."""
    from tracker.counting import recognise as rg

    cues = rg.BodyCues(0.30, 0.40, 0.30, float("nan"), 0.5, 0.5)
    fit = rg.ExerciseFit("toe_raise", "left", 0.40, 0.9, 1, 0.5, 1.0, ("seated", "side", "up"))
    line = fit.refusal(cues)
    assert line == "is done seated with both feet down, which the body showed in only 40 % of the frames"
    other = rg.ExerciseFit("heel_raise", "left", 0.30, 0.9, 1, 0.5, 1.0, ("standing", "side", "up"))
    assert other.refusal(cues) == "is done standing, not seated with both feet down"
