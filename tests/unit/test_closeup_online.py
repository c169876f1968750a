"""LiveFoot (the close-up path frame by frame) on the synthetic close-up with exact truth:
the frames kept until the foot is found are measured then, and the angle matches the
offline path's accuracy (tests/unit/test_closeup_synthetic.py)."""
from __future__ import annotations

import numpy as np
from closeup_scene import Scene, rep_angles

from tracker.closeup.online import FIND_AFTER_S, LiveFoot


def _run(amp: float, shake: float = 0.0):
    sc = Scene(seconds=7.0, shake_px=shake, seed=1)
    t = sc.times()
    truth = rep_angles(t, 3, amp)
    foot, out, first = None, {}, None
    for fr in sc.render(truth):
        if foot is None:
            foot = LiveFoot(fr.image.shape[1], fr.image.shape[0])
        samples = foot.push(fr.t, fr.image)
        if samples and first is None:
            first = (fr.t, len(samples))
        out.update({s.t: s.foot_deg - s.shank_deg for s in samples})
    measured = np.array([out.get(x, np.nan) for x in t])
    return truth, measured, first, foot


def test_the_foot_is_found_live_and_every_kept_frame_is_measured():
    truth, measured, first, foot = _run(20.0)
    assert foot.found and first is not None
    t_found, n_burst = first
    assert FIND_AFTER_S <= t_found <= 4.0
    assert n_burst >= 0.9 * t_found * 30  # the frames before the find, measured at once
    ok = np.isfinite(measured)
    assert ok.mean() > 0.9
    gain = abs(np.polyfit(truth[ok], measured[ok], 1)[0])
    assert 0.8 <= gain <= 1.2, gain


def test_a_still_foot_is_never_found_live():
    _, measured, first, foot = _run(0.0, shake=6.0)
    assert not foot.found and first is None and not np.isfinite(measured).any()
