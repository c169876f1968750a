"""Ab/adduction counted on corpus recordings (tuning half) by the foot's direction signal
(``sig_foot_direction``): the toe's offset over a whole foot length counted c090 1 of 7 and
c058 1 of 3 offline, the foot's turn under the 2.5° a rep needs."""
from __future__ import annotations

import pytest

from tracker.app.analyze import DEFAULT_MAX_FPS
from tracker.bench.corpus import CORPUS, subsample
from tracker.counting.offline import analyze_recording
from tracker.exercises import EXERCISES
from tracker.pose.recording import load_recording


@pytest.mark.parametrize("clip,reps", [("c090_abduction", 7), ("c058_abduction", 3)])
def test_front_view_abductions_of_the_tuning_half_count_offline(clip, reps):
    path = CORPUS / f"{clip}.npz"
    if not path.exists():
        pytest.skip("corpus recording not present")
    rec = subsample(load_recording(path), DEFAULT_MAX_FPS)
    res = analyze_recording(rec, EXERCISES["abduction"], side="auto")
    assert res.summary.reps_counted == reps
