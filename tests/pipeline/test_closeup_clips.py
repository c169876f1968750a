"""The close-up method on the three real close-ups in ../shared (skipped when absent).

These clips are what the method was tuned on, so a pass here is tuning, not evidence; the
algorithm itself is tested with exact truth in tests/unit/test_closeup_synthetic.py.
Measured (this commit): bent-knee heel raises 3 of 3 (the third is cut at the top by the
end of the clip; it dips back enough to end), ankle pumps 0 of 4 (seen from a diagonal, the
pumping foot mostly foreshortens rather than turns in the picture, and the fit finds no
rotation), band ab/adduction 0 of 2 (one long excursion, flagged as leg movement). Exact
counts are the issue's bar and are marked as expected failures until met.
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


@pytest.mark.parametrize("name,exercise,true", CLIPS, ids=[c[0].split("_")[0] for c in CLIPS])
def test_a_real_closeup_is_measured_without_overcounting(name, exercise, true):
    res = _analyse(name, exercise)
    assert res.info.method == "closeup-motion"
    assert res.summary.reps_counted <= true
    assert "no moving foot" not in " ".join(res.warnings)  # a moving foot was found


def test_bent_knee_heel_raises_are_counted_exactly_at_their_times():
    res = _analyse("tornozelo_bent_knee_calf_raise.mp4", "heel_raise")
    assert res.summary.reps_counted == 3
    peaks = sorted(r.peak_t for r in res.reps if r.counted)
    assert abs(peaks[0] - 0.85) < 0.4 and abs(peaks[1] - 2.6) < 0.4  # labels.csv rep times


@pytest.mark.xfail(reason="issue 14's bar, not met yet: see the module docstring", strict=True)
@pytest.mark.parametrize("name,exercise,true", CLIPS[:2], ids=["terapi", "sweet"])
def test_a_real_closeup_is_counted_exactly(name, exercise, true):
    assert _analyse(name, exercise).summary.reps_counted == true
