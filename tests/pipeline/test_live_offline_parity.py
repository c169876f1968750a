"""Live and offline are one rep engine: the same landmark sequences give the same reps with
the same flags through ``tracker analyze``'s path and through ``LiveSession`` (the path
patients use), for every exercise, including the checks that only a shared measurement
makes agree (anchor travel in an ankle circle, the other foot under the toes).

The table is built from ``EXERCISES``: a new exercise entry gets its rows by itself (a new
*signal* needs a generator in ``MOVES``).
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from tracker.app.live.session import LiveSession
from tracker.counting.offline import analyze_recording
from tracker.exercises import EXERCISES
from tracker.pose.replay import RecordingEstimator, replay_frames

from synthlegs import duration_for, make_recording, rep_profile

FPS = 30.0
REPS = 5


def _profile(amp: float, reps: int = REPS, **kw):
    t = np.arange(0, duration_for(reps, **kw), 1 / FPS)
    return t, rep_profile(t, reps, amp, **kw)


def _side_dorsi(ex, amp=15.0, **kw):
    t, a = _profile(amp, **kw)
    return make_recording(t, dorsi=a, noise_px=0.3, **_extra(kw))


def _side_heel(ex, amp=15.0, **kw):
    t, a = _profile(amp, **kw)
    return make_recording(t, heel_lift=a, noise_px=0.3)


def _front_sideways(ex, amp=15.0, **kw):
    t, a = _profile(amp, **kw)
    sign = ex.rep_direction("left") or 1
    return make_recording(t, view="front", sideways=sign * a, noise_px=0.3)


def _extra(kw):
    return {}


# How each signal is made to move (synthetic, exactly known); the view it is seen in.
MOVES = {
    "ankle_dorsiflexion": (_side_dorsi, "side"),
    "forefoot_lift": (_side_dorsi, "side"),
    "heel_lift": (_side_heel, "side"),
    "foot_sideways": (_front_sideways, "front"),
}


def _flags(reps) -> list[tuple]:
    """What a therapist reads of each rep; numbers in notes are filtered values, not flags."""
    return [(r.counted, r.assisted, r.compensation, re.sub(r"[0-9.]+", "#", r.note)) for r in reps]


def _live(rec, ex, side="left"):
    reps = []

    class Keep:
        def open(self, info):
            pass

        def add(self, rep):
            reps.append(rep)

        def close(self, summary):
            pass

    sess = LiveSession(RecordingEstimator(rec), ex.key, side=side, sinks=[Keep()], source="synthetic")
    image = np.full((rec.height, rec.width, 3), 128, np.uint8)
    views = [sess.step(f) for f in replay_frames(rec, image)]
    summary = sess.finish()[-1]
    return reps, summary, views


def _both(rec, ex, side="left"):
    off = analyze_recording(rec, ex, side=side)
    live_reps, live_summary, views = _live(rec, ex, side)
    return off, live_reps, live_summary, views


@pytest.mark.parametrize("key", list(EXERCISES))
def test_every_exercise_counts_the_same_reps_live_and_offline(key):
    ex = EXERCISES[key]
    make, _view = MOVES[ex.signal]
    off, live_reps, live_summary, _ = _both(make(ex), ex)
    assert off.summary.reps_counted == live_summary.reps_counted == REPS
    assert _flags(live_reps) == _flags(off.reps)
    for a, b in zip(off.reps, live_reps):
        assert abs(a.peak_t - b.peak_t) < 0.5 and abs(a.rom_deg - b.rom_deg) < 0.3 * a.rom_deg


@pytest.mark.parametrize("key", list(EXERCISES))
def test_every_exercise_warns_about_the_wrong_view_in_both_paths(key):
    """Each exercise is played in both synthetic views; a view the entry rejects must be
    warned (offline and live, same words) and shown live with the entry's own advice."""
    ex = EXERCISES[key]
    make, _ = MOVES[ex.signal]
    for view in ("side", "front"):
        rec = make(ex) if MOVES[ex.signal][1] == view else _other_view(ex, view)
        off, _, live_summary, views = _both(rec, ex)
        px = rec.norm[:, :, :2] * np.array([rec.width, rec.height])
        ratio = float(np.median(np.linalg.norm(px[:, 31] - px[:, 29], axis=1) /
                                np.linalg.norm(px[:, 25] - px[:, 27], axis=1)))
        wrong = not ex.camera.ok(ratio)
        assert (ex.wrong_view_warning() in off.warnings) == wrong, (view, off.warnings)
        assert (ex.wrong_view_warning() in live_summary.warnings) == wrong, (view, live_summary.warnings)
        assert any(v.message == ex.wrong_view_message() for v in views) == wrong
        if wrong:
            assert off.summary.reps_counted == live_summary.reps_counted == 0


def _other_view(ex, view):
    t, a = _profile(15.0)
    if view == "front":
        return make_recording(t, view="front", sideways=a, noise_px=0.3)
    return make_recording(t, dorsi=a, noise_px=0.3)


def test_an_ankle_circle_is_not_a_clean_rep_in_either_path():
    """The foot circles in the air while it dorsiflexes: the anchor (ankle) travels half a
    shank length. Before the one engine, live counted this as a clean rep."""
    ex = EXERCISES["dorsiflexion"]
    t, a = _profile(15.0)
    phase = np.clip(a / 15.0, 0, 1)  # 0 at rest, 1 at the top: one loop per rep
    travel = 0.5 * 120 * np.stack([np.sin(np.pi * phase), 1 - np.cos(np.pi * phase)], axis=1) / 2
    rec = make_recording(t, dorsi=a, leg_travel=travel, noise_px=0.3)
    off, live_reps, live_summary, _ = _both(rec, ex)
    assert off.summary.reps_counted == live_summary.reps_counted == 0
    assert len(off.reps) == len(live_reps) == REPS
    assert _flags(live_reps) == _flags(off.reps)
    assert all("ankle moved too" in r.note for r in live_reps)


def test_the_other_foot_helping_a_toe_raise_is_flagged_in_both_paths():
    """The right foot comes under the left toes once each rise is under way and lifts with
    them: each rep counts and is marked assisted, live as offline."""
    ex = EXERCISES["toe_raise"]
    t, a = _profile(15.0)
    rec = make_recording(t, dorsi=a, other_foot_under=a > 0.4 * 15.0, noise_px=0.3)
    off, live_reps, live_summary, _ = _both(rec, ex)
    assert off.summary.reps_counted == live_summary.reps_counted == REPS
    assert _flags(live_reps) == _flags(off.reps)
    assert all(r.assisted and "other foot under the toes" in r.note for r in live_reps)


def test_a_knee_swing_is_never_a_rep_in_either_path():
    """The lower leg swings 20° from the knee with the ankle fixed: no rep, live or offline."""
    ex = EXERCISES["dorsiflexion"]
    t, a = _profile(20.0)
    off, live_reps, live_summary, _ = _both(make_recording(t, leg_swing=a, noise_px=0.3), ex)
    assert off.summary.reps_counted == live_summary.reps_counted == 0


def test_a_leg_that_moves_more_than_the_ankle_is_compensation_in_both_paths():
    """The ankle moves 10° while the whole lower leg swings 15°: each rep is found, and
    flagged (start the movement from the ankle) the same way live and offline."""
    ex = EXERCISES["dorsiflexion"]
    t, a = _profile(10.0)
    rec = make_recording(t, dorsi=a, leg_swing=1.5 * a, noise_px=0.3)
    off, live_reps, _, _ = _both(rec, ex)
    assert len(off.reps) == len(live_reps) == REPS
    assert _flags(live_reps) == _flags(off.reps)
    assert all(r.compensation and "start the movement from the ankle" in r.note for r in live_reps)


def test_a_hand_at_the_foot_is_assistance_in_both_paths():
    ex = EXERCISES["dorsiflexion"]
    t, a = _profile(15.0)
    rec = make_recording(t, dorsi=a, hand_at_foot=a > 1.0, noise_px=0.3)
    off, live_reps, _, _ = _both(rec, ex)
    assert _flags(live_reps) == _flags(off.reps)
    assert len(live_reps) == REPS and all(r.assisted and "hand at the foot" in r.note for r in live_reps)
