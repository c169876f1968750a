"""The rendered front eversion of ../shared counted from the pose step's foot turn, offline and
live, and its angle read at about half the true one (the landmark signal: 0.17). Counting from
the turn is off by default (``Exercise.foot_turn``, see README): turned on here.

Landmarks come from the pose cache, as in test_clips.py; skips when ../shared is absent.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tracker.bench.accuracy import live_set, paired_angle_metrics, read_truth
from tracker.counting.offline import TURN_METHOD, analyze_recording
from tracker.exercises import EXERCISES
from tracker.pose.model_files import DEFAULT_MODEL

from conftest import shared_path

pytestmark = pytest.mark.slow


def test_the_shared_front_eversion_is_counted_from_the_foot_turn(monkeypatch):
    from tracker.pose.cache import cached_recording

    video = shared_path("rendered", "seated_eversion_front_casual.mp4")
    rec = cached_recording(video, DEFAULT_MODEL)
    assert rec.foot_turn is not None and np.isfinite(rec.foot_turn[:, 0]).mean() > 0.9  # left foot
    ex = replace(EXERCISES["eversion"], foot_turn=True)
    res = analyze_recording(rec, ex, side="left")
    assert res.info.method == TURN_METHOD
    assert res.summary.reps_counted == 10
    truth = read_truth(video.with_name("seated_eversion_front_casual_gt.csv"), "eversion_deg")
    m = paired_angle_metrics(*truth, res.t, res.direction * res.signal)
    assert 0.4 < m["gain"] < 0.8 and m["r"] > 0.95
    default = EXERCISES["eversion"]
    monkeypatch.setitem(EXERCISES, "eversion", ex)  # the live session looks the exercise up by name
    live = live_set(rec, ex, "left")
    assert live.reps_counted == 10 and live.info.method.endswith("+foot-turn")
    # by default (and without the turn) the landmark signal, as before (still 10, gain 0.17)
    old = analyze_recording(rec, default, side="left")
    assert old.info.method != TURN_METHOD and old.summary.reps_counted == 10
    assert paired_angle_metrics(*truth, old.t, old.direction * old.signal)["gain"] < 0.3
