"""Faults a patient or therapist can run into: clear outcome, exit code, nothing lost."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tracker.app.cli import main
from tracker.counting.offline import analyze_recording
from tracker.errors import EXIT_INPUT, EXIT_RUNTIME
from tracker.exercises import get_exercise
from tracker.sinks.csvfile import read_rep_csv
from tracker.sources.capture import VideoFileSource

from synthlegs import drop_frames, duration_for, make_recording, rep_profile

DORSI = get_exercise("dorsiflexion")


def test_a_failing_sink_does_not_stop_the_others(tmp_path):
    from tracker.sinks.recorder import Recorder

    class Broken:
        def open(self, info): pass
        def add(self, rep): raise OSError(28, "No space left on device")
        def close(self, summary): pass

    class Keeper:
        def __init__(self): self.reps, self.closed = [], False
        def open(self, info): pass
        def add(self, rep): self.reps.append(rep)
        def close(self, summary): self.closed = True

    t = np.arange(0, duration_for(3), 1 / 30)
    res = analyze_recording(make_recording(t, dorsi=rep_profile(t, 3, 15.0)), DORSI, side="left")
    keeper = Keeper()
    with pytest.raises(OSError):
        Recorder([Broken(), keeper]).record(res.info, res.reps, res.summary)
    assert len(keeper.reps) == 3 and keeper.closed

    # live: the same recorder, so the history still gets the rep that the CSV could not take
    from tracker.app.live.session import LiveSession
    from tracker.pose.replay import RecordingEstimator, replay_frames

    rec = make_recording(t, dorsi=rep_profile(t, 3, 15.0))
    keeper = Keeper()
    sess = LiveSession(RecordingEstimator(rec), "dorsiflexion", side="left", sinks=[Broken(), keeper])
    with pytest.raises(OSError):
        for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
            sess.step(frame)
    assert len(keeper.reps) == 1  # the first rep reached the other sink before the error ended the set
    sess.finish(interrupted=True)  # what run_session does when the loop raises
    assert keeper.closed and sess.sets[-1].reps_counted == len(keeper.reps)  # the summary agrees with the rows


def test_absurd_fps_metadata_falls_back_to_nominal_timing(tmp_path):
    path = tmp_path / "fast.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 1000.0, (160, 120))
    for i in range(10):
        w.write(np.full((120, 160, 3), i * 20, np.uint8))
    w.release()
    with VideoFileSource(path) as src:
        assert not src.info.fps_reliable and src.info.fps == 30.0
        t = np.array([f.t for f in src])
    assert np.allclose(np.diff(t), 1 / 30.0)


def test_disk_full_while_writing_is_a_clear_runtime_error(tmp_path, capsys):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    t = np.arange(0, duration_for(3), 1 / 30)
    rec = make_recording(t, dorsi=rep_profile(t, 3, 15.0)).save(tmp_path / "r.npz")
    rc = main(["analyze", str(rec), "-e", "dorsiflexion", "--csv", "/dev/full", "--force", "--no-history"])
    err = capsys.readouterr().err
    assert rc == EXIT_RUNTIME and "disk full" in err and "Traceback" not in err


def test_read_only_file_system_even_as_root(tmp_path, capsys):
    target = Path("/proc/footdrop_reps.csv")
    t = np.arange(0, duration_for(2), 1 / 30)
    rec = make_recording(t, dorsi=rep_profile(t, 2, 15.0)).save(tmp_path / "r.npz")
    rc = main(["analyze", str(rec), "-e", "dorsiflexion", "--csv", str(target), "--no-history"])
    assert rc == EXIT_INPUT and "cannot write" in capsys.readouterr().err


def test_person_leaves_and_comes_back():
    t = np.arange(0, 30, 1 / 30)
    a = rep_profile(t, 3, 15.0, start_s=2.0) + rep_profile(t, 3, 15.0, start_s=19.0)
    rec = make_recording(t, dorsi=a, noise_px=0.3)
    away = (t > 11.5) & (t < 18.0)
    res = analyze_recording(drop_frames(rec, away), DORSI, side="left")
    assert res.summary.reps_counted == 6
    assert res.summary.frames_without_person == int(away.sum())
    assert not any(r.start_t < 18.0 < r.end_t or r.start_t < 11.5 < r.end_t for r in res.reps)


def test_nobody_at_all_counts_zero_and_says_so():
    t = np.arange(0, 10, 1 / 30)
    rec = drop_frames(make_recording(t), np.ones(len(t), bool))
    res = analyze_recording(rec, DORSI)
    assert res.summary.reps_counted == 0 and any("no person" in w for w in res.warnings)


def test_dark_video_analyses_to_zero_with_warning(tmp_path, capsys):
    path = tmp_path / "dark.mp4"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (320, 240))
    for _ in range(30):
        w.write(np.full((240, 320, 3), 3, np.uint8))
    w.release()
    assert main(["analyze", str(path), "-e", "heel_raise", "--no-history", "--model", "lite"]) == 0
    out = capsys.readouterr().out
    assert "0/10 reps" in out and "no person was found" in out


def test_parallel_jobs_match_sequential(tmp_path, capsys):
    """Also after mediapipe has run in this process: forked workers would inherit its
    threads' locks held and hang; spawned workers must not."""
    from tracker.pose.estimator import PoseEstimator
    from tracker.sources.frames import Frame

    with PoseEstimator("lite") as est:
        est.process(Frame(0, 0.0, np.zeros((240, 320, 3), np.uint8)))
        _run_parallel_vs_sequential(tmp_path)


def _run_parallel_vs_sequential(tmp_path):
    paths = []
    for k, n in enumerate((2, 4)):
        t = np.arange(0, duration_for(n), 1 / 30)
        paths.append(str(make_recording(t, dorsi=rep_profile(t, n, 12.0), seed=k).save(tmp_path / f"r{k}.npz")))
    assert main(["analyze", *paths, "-e", "dorsiflexion", "--jobs", "2", "--csv", str(tmp_path / "p.csv"),
                 "--no-history"]) == 0
    assert main(["analyze", *paths, "-e", "dorsiflexion", "--csv", str(tmp_path / "s.csv"), "--no-history"]) == 0
    par, seq = read_rep_csv(tmp_path / "p.csv"), read_rep_csv(tmp_path / "s.csv")
    assert len(par) == len(seq) == 6
    assert [(r["source_file"], r["rep_index"], r["rom_deg"]) for r in par] == \
           [(r["source_file"], r["rep_index"], r["rom_deg"]) for r in seq]


def test_sigterm_during_analysis_saves_and_exits_cleanly(tmp_path):
    from conftest import shared_path

    clip = shared_path("rendered", "heel_raise_side_casual.mp4")
    out = tmp_path / "reps.csv"
    summary = tmp_path / "sets.csv"
    p = subprocess.Popen([sys.executable, "-m", "tracker", "analyze", str(clip), "-e", "heel_raise",
                          "--csv", str(out), "--summary", str(summary), "--no-history", "--model", "lite"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(8.0)
    p.send_signal(signal.SIGTERM)
    _o, err = p.communicate(timeout=60)
    assert p.returncode == 130, err.decode()[-400:]
    assert b"Traceback" not in err
    rows = read_rep_csv(out)
    assert summary.exists()  # the set seen so far is summarised
    assert all(r["exercise"] == "heel_raise" for r in rows)


def test_a_missing_directory_input_and_an_empty_directory(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["analyze", str(tmp_path / "empty"), "-e", "heel_raise"]) == EXIT_INPUT
    assert "holds no videos" in capsys.readouterr().err
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "broken.mp4").write_text("not a video")
    t = np.arange(0, duration_for(2), 1 / 30)
    make_recording(t, dorsi=rep_profile(t, 2, 15.0)).save(folder / "ok.npz")
    # the bad file is skipped, the good one analysed, and the exit code says not all went well
    assert main(["analyze", str(folder), "-e", "dorsiflexion", "--no-history"]) == EXIT_INPUT
    io = capsys.readouterr()
    assert "broken.mp4" in io.err and "skipped" in io.err and "2/10 reps" in io.out
    assert "1 of 2 files could not be analysed" in io.err
