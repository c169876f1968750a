"""`tracker live --view closeup`: a synthetic close-up video standing in for the camera,
through the same command, session and loop as every live test (no ../shared needed)."""
from __future__ import annotations

import math

import numpy as np
from closeup_scene import Scene, rep_angles
from closeup_scene import write_video as _video

from tracker.app.cli import main
from tracker.app.live.closeup_counter import NO_BODY_S, CloseupSwitch
from tracker.bench.closeup import live_closeup_count
from tracker.counting.closeup import METHOD, PLACE_CAMERA
from tracker.pose.estimator import PoseFrame
from tracker.sinks.csvfile import read_rep_csv


def test_live_closeup_counts_a_synthetic_closeup_and_names_the_method(tmp_path, capsys):
    clip = _video(tmp_path / "closeup.mp4", 20.0)
    reps = tmp_path / "reps.csv"
    code = main(["live", "--camera", clip, "--view", "closeup", "--fast", "--headless", "-e", "dorsiflexion",
                 "--csv", str(reps), "--no-history"])
    assert code == 0, capsys.readouterr()
    rows = read_rep_csv(reps)
    assert [r["counted"] for r in rows] == [True] * 3
    assert {r["method"] for r in rows} == {METHOD}
    assert {r["side"] for r in rows} == {"unknown"}  # a close-up does not show which leg it is


def test_live_closeup_of_a_still_foot_counts_nothing_and_says_how_to_place_the_camera(tmp_path):
    res = live_closeup_count(_video(tmp_path / "still.mp4", 0.0), "dorsiflexion")
    assert res["counted"] == 0
    assert PLACE_CAMERA in res["sets"][0].warnings


def test_auto_switches_to_the_closeup_when_no_body_is_seen_and_a_foot_moves():
    """--view auto: the pose model finds nobody; after NO_BODY_S the scout looks for a moving
    foot and the session switches to the close-up method, with the scout's frames."""
    sc = Scene(seconds=NO_BODY_S + 6.0)
    frames = list(sc.render(rep_angles(sc.times(), 3, 20.0, start_s=NO_BODY_S + 0.5)))
    switch = CloseupSwitch("auto")

    class NoBody:
        def process(self, frame):
            return PoseFrame.empty(frame.index, frame.t, 10, 10)

    at = []
    for f in frames:
        switch.pose(NoBody(), f, on_switch=lambda t=f.t: at.append(t))
    assert len(at) == 1 and NO_BODY_S <= at[0] <= NO_BODY_S + 4.0
    assert switch.active and "close-up" in switch.label("")
    still = CloseupSwitch("auto")
    assert not any(still.should_switch(f, PoseFrame.empty(f.index, f.t, 10, 10))
                   for f in Scene(seconds=NO_BODY_S + 3.0).render(np.zeros(int((NO_BODY_S + 3.0) * 30))))


def test_auto_in_the_live_command_counts_a_feet_only_video(tmp_path, capsys):
    clip = _video(tmp_path / "feet.mp4", 20.0, seconds=NO_BODY_S + 8.0, start_s=NO_BODY_S + 1.0)
    reps = tmp_path / "reps.csv"
    code = main(["live", "--camera", clip, "--view", "auto", "--fast", "--headless", "-e", "dorsiflexion",
                 "--csv", str(reps), "--no-history"])
    assert code == 0, capsys.readouterr()
    rows = read_rep_csv(reps)
    assert sum(r["counted"] for r in rows) == 3 and {r["method"] for r in rows} == {METHOD}


def test_auto_goes_back_to_the_body_when_a_person_is_seen_again():
    """--view auto switched to the close-up (legs walking in were taken for a moving foot):
    the pose model looks again once a second and a person seen at BODY_BACK_LOOKS looks in a
    row takes the session back to the body method; a person seen at one look only does not."""
    from tracker.app.live.closeup_counter import BODY_BACK_EVERY_S, BODY_BACK_LOOKS
    from tracker.pose.replay import RecordingEstimator

    from synthlegs import make_recording

    sc = Scene(seconds=NO_BODY_S + 6.0 + BODY_BACK_LOOKS * BODY_BACK_EVERY_S + 2.0)
    frames = list(sc.render(rep_angles(sc.times(), 3, 20.0, start_s=NO_BODY_S + 0.5)))
    body = RecordingEstimator(make_recording(sc.times()))
    back_at = NO_BODY_S + 6.0

    class Camera:
        """A person in view from ``t0`` to ``t1``, nobody before or after."""

        def __init__(self, t0: float, t1: float = math.inf):
            self.t0, self.t1, self.looks = t0, t1, []

        def process(self, frame):
            self.looks.append(frame.t)
            if self.t0 <= frame.t < self.t1:
                return body.process(frame)
            return PoseFrame.empty(frame.index, frame.t, 10, 10)

    def run(cam):
        switch, at = CloseupSwitch("auto"), []
        for f in frames:
            switch.pose(cam, f, on_switch=lambda t=f.t: at.append(t))
        return switch, at

    cam = Camera(back_at)
    switch, at = run(cam)
    assert len(at) == 2 and at[0] < back_at  # to the close-up, then back
    lo, hi = (back_at + (BODY_BACK_LOOKS + k) * BODY_BACK_EVERY_S for k in (-1, 1))
    assert lo <= at[1] <= hi
    assert not switch.active and switch.label("x") == "x"
    in_closeup = [t for t in cam.looks if at[0] < t < at[1]]  # the model ran once a second, not every frame
    assert len(in_closeup) <= (at[1] - at[0]) / BODY_BACK_EVERY_S + 1

    switch, at = run(Camera(back_at, back_at + 0.5 * BODY_BACK_EVERY_S))  # seen at one look only
    assert len(at) == 1 and switch.active


def test_live_counts_the_rendered_front_eversion_as_offline_does():
    """Tune k014 (front view, 5 eversions): the foot changes in two blobs of about equal score,
    and the live box flipped between them (2 of 5 counted live, 5 offline). It keeps one now."""
    from tracker.bench.closeup import CLOSEUP_CORPUS

    assert live_closeup_count(CLOSEUP_CORPUS / "k014_eversion_front.mp4", "eversion")["counted"] == 5
