"""A landmark recording played back as if the pose model were running.

``RecordingEstimator.process(frame)`` returns the recording's landmarks for that frame, so
the live session can be driven from a recording (the benchmark's live column, tests)
through exactly the code it runs behind a camera, only without the model.
"""
from __future__ import annotations

from tracker.pose.estimator import PoseFrame
from tracker.pose.recording import PoseRecording
from tracker.sources.frames import Frame


class RecordingEstimator:
    def __init__(self, rec: PoseRecording, missing: frozenset[int] = frozenset()):
        self.frames = list(rec.frames())
        self.missing = missing

    def process(self, frame: Frame) -> PoseFrame:
        k = min(frame.index, len(self.frames) - 1)
        pf = self.frames[k]
        if frame.index in self.missing:
            return PoseFrame.empty(frame.index, frame.t, pf.width, pf.height)
        return PoseFrame(frame.index, frame.t, pf.width, pf.height, pf.norm, pf.visibility, pf.presence, pf.world,
                         pf.people, foot_turn=pf.foot_turn, foot_moved=pf.foot_moved)

    def close(self) -> None:
        pass


def replay_frames(rec: PoseRecording, image):
    """Frames timed as in the recording, all showing ``image`` (the gate's brightness check
    needs a picture; the landmarks come from the recording)."""
    for i in range(len(rec)):
        yield Frame(i, float(rec.t[i]), image)
