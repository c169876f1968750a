"""The close-up method on the three real close-ups in ../shared (skipped when absent).

These clips are what the method was tuned on, so a pass here is tuning, not evidence; the
algorithm itself is tested with exact truth in tests/unit/test_closeup_synthetic.py.
Measured (the edge measurement against the rest frame): bent-knee heel raises 3 of 3 but
not at the right times (the first frame is a true rest, heels down, per labels.csv and the
frames; the raised heel reads a noisy -20 to -46 degrees, so the first rep's peak lands at
the end of its plateau, 1.53 s for 0.85 s, and the heels-down phase at 3.3-4.0 s reads -11
to -23 degrees and makes a false third rep while the real third, still up when the clip
ends, is not counted), band ab/adduction 2 of 2, ankle pumps 6 of 4 (seen from a diagonal, the pumping foot mostly
foreshortens rather than turns in the picture; the first plantarflexion reads 42°, the
others a few degrees, and noise of that size is counted). Since the alignment check
(``RestAligner``) the pumps counted 4, only one of them at a labelled pump (a coincidence),
and 5 since wild fits are skipped.
Exact counts at the right times are the issue's bar; the pumps are marked as an expected
failure until met.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_path

pytestmark = pytest.mark.slow

CLIPS = [  # file, exercise, true reps (labels.csv)
    ("terapi_ankle_pumps_seated.mp4", "dorsiflexion", 4),
    ("sweet_abduction_band_left.mp4", "abduction", 2),
    ("tornozelo_bent_knee_calf_raise.mp4", "heel_raise", 3),
]


def _analyse(name: str, exercise: str):
    from tracker.app.closeup import analyze_closeup_video

    return analyze_closeup_video(Path(shared_path("clips", name)), exercise)


@pytest.mark.parametrize("name,exercise,true", CLIPS[1:], ids=["sweet", "tornozelo"])
def test_a_real_closeup_is_counted_exactly(name, exercise, true):
    res = _analyse(name, exercise)
    assert res.info.method == "closeup-motion"
    assert res.summary.reps_counted == true
    assert "no moving foot" not in " ".join(res.warnings)  # a moving foot was found


@pytest.mark.xfail(reason="3 counted, not at their times: a noisy raised plateau and a false 3rd rep in the "
                          "last rest (see the module docstring)", strict=True)
def test_bent_knee_heel_raises_are_counted_exactly_at_their_times():
    res = _analyse("tornozelo_bent_knee_calf_raise.mp4", "heel_raise")
    assert res.summary.reps_counted == 3
    peaks = sorted(r.peak_t for r in res.reps if r.counted)
    assert abs(peaks[0] - 0.85) < 0.4 and abs(peaks[1] - 2.6) < 0.4  # labels.csv rep times


@pytest.mark.xfail(reason="issue 14's bar, not met yet: 5 counted (4 after the alignment check, only one at a "
                          "labelled pump), noise, see the module docstring", strict=True)
def test_the_diagonal_ankle_pumps_are_counted_exactly_at_their_times():
    """The count alone passed by coincidence (4 for 4) after the alignment check: the reps must be the pumps."""
    res = _analyse(*CLIPS[0][:2])
    assert res.summary.reps_counted == CLIPS[0][2]
    peaks = sorted(r.peak_t for r in res.reps if r.counted)
    assert all(abs(p - q) < 0.4 for p, q in zip(peaks, (5.6, 7.65, 9.6, 11.45)))  # labels.csv rep times


@pytest.mark.parametrize("name,closeup", [("physioplus_bridging.mp4", False),
                                          ("tornozelo_bent_knee_calf_raise.mp4", True)], ids=["bridge", "tornozelo"])
def test_auto_tells_a_lying_person_from_a_closeup(name, closeup):
    """Both look like a lying body to the pose model; only the close-up's moving region is
    on the detected feet (the bridge's is the hips): the bridge keeps the full-body 0."""
    from tracker.app.analyze import analyze_path

    res = analyze_path(Path(shared_path("clips", name)), "heel_raise", view="auto")
    assert (res.info.method == "closeup-motion") == closeup
    if not closeup:
        assert res.summary.reps_counted == 0
        assert any("what moves is not its feet" in w for w in res.warnings)
