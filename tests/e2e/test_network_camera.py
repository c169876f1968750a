"""A phone as the camera: a clip served as MJPEG on 127.0.0.1 is counted live; when the
stream drops mid-set the session says so, reconnects by itself and neither loses nor
doubles a rep; a stream that never comes back ends the session with everything saved.
Also: no camera at all is one line naming how to choose one, and URLs never show a password.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mjpeg_server import MjpegServer, jpeg_frames

import tracker
from tracker.sinks.csvfile import read_rep_csv
from tracker.sources.camera import is_stream, list_cameras, redact

PROJECT = Path(tracker.__file__).resolve().parents[1]
CLIP = PROJECT / "sample_videos" / "dorsiflexion_side_left.mp4"


def _env(tmp_path) -> dict:
    return dict(os.environ, PYTHONUNBUFFERED="1", TRACKER_DB=str(tmp_path / "h.sqlite3"))


def test_urls_are_streams_and_are_shown_without_credentials():
    assert is_stream("http://192.168.1.20:8080/video") and is_stream("RTSP://cam/live")
    assert not is_stream("0") and not is_stream("clip.mp4") and not is_stream("file://clip.mp4")
    assert redact("rtsp://ann:s3cret@192.168.1.20:8554/live?token=abc") == "rtsp://192.168.1.20:8554/live"
    assert redact("http://[fe80::1]:8080/video") == "http://[fe80::1]:8080/video"


def test_stream_dropped_mid_set_reconnects_and_keeps_every_rep(tmp_path):
    if not CLIP.exists():
        pytest.skip(f"{CLIP} is not rendered")
    meta = json.loads(CLIP.with_name("dorsiflexion_side_left_meta.json").read_text())
    frames, fps = jpeg_frames(CLIP)
    (_, end2), (start3, _) = meta["rep_bounds_s"][1], meta["rep_bounds_s"][2]
    server = MjpegServer(frames, fps)
    server.drop_at = int((end2 + start3) / 2 * fps)  # at rest between the 2nd and 3rd rep
    server.drop_s = 3.0
    server.start()
    reps_csv = tmp_path / "reps.csv"
    url = f"http://ann:s3cret@127.0.0.1:{server.port}/video?token=abc"
    cmd = [sys.executable, "-m", "tracker", "live", "--camera", url, "--headless", "--exercise", "dorsiflexion",
           "--side", meta["side"], "--csv", str(reps_csv), "--reconnect-for", "3"]
    proc = subprocess.Popen(cmd, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while not server.finished and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)
        server.stop()  # the phone goes away for good
        out, err = proc.communicate(timeout=60)
    finally:
        server.stop()
        if proc.poll() is None:
            proc.kill()
    assert server.drops == 1 and server.finished
    assert "stream dropped" in err and "stream is back" in err, err
    assert "did not come back" in err and proc.returncode == 4, err  # ended by the lost stream, saved
    assert "s3cret" not in out + err and "token" not in out + err
    reps = [r for r in read_rep_csv(reps_csv) if r["counted"]]
    assert len(reps) == meta["reps"], f"{len(reps)} reps counted for {meta['reps']}\n{out}\n{err}"
    assert all("s3cret" not in line for line in reps_csv.read_text().splitlines())


def test_live_without_a_camera_says_how_to_name_one(tmp_path):
    if list_cameras(2):
        pytest.skip("this machine has a camera")
    run = subprocess.run([sys.executable, "-m", "tracker", "live", "--headless"], env=_env(tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 3
    lines = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1 and "--camera N" in lines[0] and "--camera URL" in lines[0], lines
    run = subprocess.run([sys.executable, "-m", "tracker", "cameras"], env=_env(tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 3 and "no camera found" in run.stderr
