"""One rule, offline and live, for counting from the foot's pixel turn (``counts_from_turn``),
and the set's method named alike, even for a set of no rep (review of the foot turn, #1 and #4)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tracker.bench.accuracy import live_set
from tracker.counting.offline import TURN_METHOD, analyze_recording
from tracker.exercises import EXERCISES
from tracker.signals.features import counts_from_turn, foot_turn_of

from synthlegs import make_recording, rep_profile


def _rec(unmeasured: float):
    """A still front view whose pose step measured the left foot turning (4 reps of 10°) in
    only ``1 - unmeasured`` of the frames (1 s blocks), the right foot still."""
    t = np.arange(0, 16, 1 / 30)
    rec = make_recording(t, view="front", noise_px=0.3)
    turn = np.zeros((len(t), 2), np.float32)
    turn[:, 0] = -rep_profile(t, 4, 10.0)
    turn[(np.arange(len(t)) // 30) % 10 < round(10 * unmeasured), 0] = np.nan
    rec.foot_turn, rec.foot_moved = turn, np.full((len(t), 2), 20, np.int16)
    return rec


@pytest.fixture
def turn_on(monkeypatch):
    ex = replace(EXERCISES["eversion"], foot_turn=True)
    monkeypatch.setitem(EXERCISES, "eversion", ex)  # the live session looks the exercise up by name
    return ex


@pytest.mark.parametrize("unmeasured", [0.6, 1.0])
def test_offline_and_live_count_from_the_turn_by_the_same_rule(turn_on, unmeasured):
    # offline fell back to the landmarks when under half the frames had the turn, live did not:
    # one clip was counted from two signals (3 against 1 reps), and named so
    rec = _rec(unmeasured)
    assert counts_from_turn(turn_on, rec.foot_turn) and foot_turn_of(rec.foot_turn, "left", turn_on) is not None
    off = analyze_recording(rec, turn_on, side="left")
    live = live_set(rec, turn_on, "left")
    assert off.info.method == TURN_METHOD and live.info.method == "live-hysteresis+foot-turn"
    if unmeasured == 1.0:  # never measured: neither counts (the set has no rep, and still its method)
        assert off.summary.reps_counted == live.reps_counted == 0


def test_without_the_flag_or_the_arrays_both_count_from_the_landmarks(turn_on):
    rec = _rec(0.0)
    assert not counts_from_turn(EXERCISES["dorsiflexion"], rec.foot_turn)
    assert not counts_from_turn(turn_on, None)
    rec.foot_turn = rec.foot_moved = None
    assert analyze_recording(rec, turn_on, side="left").info.method != TURN_METHOD
    assert live_set(rec, turn_on, "left").info.method == "live-hysteresis"
