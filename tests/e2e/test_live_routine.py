"""``live --routine`` moves on by itself when the patient visibly starts a later exercise: a
rendered whole session (tests/routine_corpus) played as the camera, its landmarks through the
live session exactly as a camera's would go (tracker.pose.replay)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tracker.app.live.session import LiveSession
from tracker.bench.routine import ROUTINE_CORPUS
from tracker.pose.recording import load_recording
from tracker.pose.replay import RecordingEstimator, replay_frames

CLIP = "r01"  # dorsiflexion (leg crossed), toe raises (uncrossed), heel raises (standing up)
pytestmark = pytest.mark.skipif(not (ROUTINE_CORPUS / f"{CLIP}.npz").exists(), reason="tests/routine_corpus is absent")


def test_the_live_routine_follows_the_patient_from_position_to_position():
    rec = load_recording(ROUTINE_CORPUS / f"{CLIP}.npz")
    meta = json.loads((ROUTINE_CORPUS / f"{CLIP}_meta.json").read_text())
    said = []

    class Speaker:
        def say(self, text):
            said.append(text)

    sess = LiveSession(RecordingEstimator(rec), "dorsiflexion", routine=True, target=10, side=meta["side"],
                       source="routine clip", speaker=Speaker())
    seen = []  # (time, exercise) at each change
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        sess.step(frame)
        if not seen or seen[-1][1] != sess.exercise.key:
            seen.append((frame.t, sess.exercise.key))
    # abduction is skipped (the patient never did it): from the crossed leg straight to toe raises
    assert [ex for _, ex in seen] == ["dorsiflexion", "toe_raise", "heel_raise"], seen
    sets = meta["sets"]
    for (t, ex), before, after in zip(seen[1:], sets, sets[1:]):
        assert before["end_s"] < t < after["start_s"] + 1.0, (ex, t, before["end_s"], after["start_s"])
    assert "Toe raises" in said and "Heel raises" in said  # each move on is said, as any new set
    sess.finish()
    counted = {s.info.exercise: s.reps_counted for s in sess.sets}
    assert counted == {s["exercise"]: s["reps"] for s in sets}  # every set kept, each counted exactly


R07_REPEAT = pytest.mark.xfail(strict=True, reason=(
    "live --routine cannot go back to an exercise already done (issue 16): r07's repeated dorsiflexion "
    "set (37.1-45.3 s) is counted by the heel-raise counter; since the live knee is read on the filter's "
    "clock (lagged_knee) its last movement, 45.0-47.1 s with the foot at rest in truth, passes the knee "
    "check (knee rise read 1.18 of a heel lift's from landmark wobble; raw 0.09) and counts 1 at 46.7 s"))


@pytest.mark.parametrize("clip", ["r01", pytest.param("r07", marks=R07_REPEAT)])
def test_no_rep_is_counted_while_the_patient_changes_position(clip):
    """Uncrossing the leg or standing up moves the foot too: when the session moves on, a
    movement still open is that change, never a last rep (r07 counted one at 12.1-14.6 s)."""
    rec = load_recording(ROUTINE_CORPUS / f"{clip}.npz")
    meta = json.loads((ROUTINE_CORPUS / f"{clip}_meta.json").read_text())
    spans = [(s["start_s"] - 0.5, s["end_s"] + 0.5) for s in meta["sets"] if s["exercise"]]
    stray = []

    def on_rep(_set, rep):
        if rep.counted and not any(a <= rep.peak_t <= b for a, b in spans):
            stray.append(round(rep.peak_t, 1))

    sess = LiveSession(RecordingEstimator(rec), "dorsiflexion", routine=True, target=10, side=meta["side"],
                       source="routine clip", on_rep=on_rep)
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        sess.step(frame)
    sess.finish()
    assert len(sess.sets) >= 2 and not stray, stray
