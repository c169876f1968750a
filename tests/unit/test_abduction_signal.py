"""The ab/adduction signal (``sig_foot_direction``): the foot's turn read as the direction of
the ankle→toe line against the shank, so a foot seen short from the front turns by its own
degrees instead of the toe's offset over a whole foot length (issue 13: on the corpus tuning
half's front clips that read gains of 0.07-0.33, under a rep's 2.5° on 3-8° movers)."""
from __future__ import annotations

import numpy as np
import pytest

from tracker.exercises import EXERCISES
from tracker.pose.landmarks import LEG
from tracker.signals.features import MIN_FOOT_DIRECTION, SIGNALS, TOE_MOTION

SHANK = 120.0
FRONT_FOOT = 0.35  # ankle→toe over shank length from the front (corpus tuning half: 0.33-0.46 per clip)


def _front_leg(side: str, out_deg: np.ndarray, foot: float = FRONT_FOOT) -> np.ndarray:
    """A crossed leg seen from the front, shank vertical, its foot turned ``out_deg`` outward.
    The person faces the camera: their left foot is on the image's right and turns out to it."""
    n = len(out_deg)
    px = np.full((n, 33, 2), np.nan)
    knee = np.array([300.0, 200.0])
    ankle = knee + [0.0, SHANK]
    outward = 1.0 if side == "left" else -1.0
    a = np.radians(out_deg)
    L = LEG[side]
    px[:, L["knee"]] = knee
    px[:, L["ankle"]] = ankle
    px[:, L["heel"]] = ankle + [0.0, 10.0]
    px[:, L["toe"]] = ankle + foot * SHANK * np.stack([outward * np.sin(a), np.cos(a)], axis=1)
    return px


def _signal(px: np.ndarray, side: str) -> np.ndarray:
    ex = EXERCISES["abduction"]
    return SIGNALS[ex.signal](px, side, np.full(len(px), SHANK))


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_foot_seen_short_from_the_front_reads_its_own_turn(side):
    """A 10° turn of a foot that looks 0.35 shank lengths long reads 10°; the toe's offset over
    a whole foot (0.62 shank lengths) read 5.6°."""
    turn = np.array([0.0, 10.0])
    sig = _signal(_front_leg(side, turn), side)
    assert abs(abs(sig[1] - sig[0]) - 10.0) < 0.5


@pytest.mark.parametrize("side", ["left", "right"])
def test_turning_out_is_the_exercise_rep_direction_for_each_foot(side):
    """Out is a rep, for each foot: the entry knows the way (not learned from the first
    movements, which live read backwards on the sample clip and counted 4 for 5)."""
    ex = EXERCISES["abduction"]
    sig = _signal(_front_leg(side, np.array([0.0, 12.0])), side)
    assert ex.rep_direction(side) * (sig[1] - sig[0]) > 10.0


def test_a_foot_line_too_short_to_have_a_direction_is_not_read():
    """A lower leg swung toward the camera shows the foot end-on (0.01 shank lengths in a
    knee-swing negative): its direction is noise, so the frame has no signal."""
    px = _front_leg("left", np.zeros(2), foot=0.5 * MIN_FOOT_DIRECTION)
    assert np.isnan(_signal(px, "left")).all()
    assert np.isfinite(_signal(_front_leg("left", np.zeros(2)), "left")).all()


def test_the_signal_is_named_as_a_sideways_turn_for_the_recogniser():
    assert TOE_MOTION[EXERCISES["abduction"].signal] == "across"
