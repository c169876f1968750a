"""The live session: a video file standing in for the camera through the same loop, keys,
guidance, Ctrl-C and camera loss (nothing counted is lost), and the real OpenCV window
under Xvfb with a screenshot checked for the right count.

Most tests drive ``LiveSession`` with synthetic landmarks (no model, milliseconds); the
clip tests run the real pose model once each (~15 s).
"""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from xdisplay import read_xwd

import tracker
from tracker.app.cli import main
from tracker.app.live import screen as live_screen
from tracker.app.live import session as live_session
from tracker.app.live.loop import run_session
from tracker.app.live.screen import Screen
from tracker.app.live.session import LiveSession
from tracker.app.live.speech import Speaker
from tracker.errors import RuntimeFailure
from tracker.exercises import EXERCISES, ROUTINE
from tracker.pose.replay import RecordingEstimator
from tracker.sinks.csvfile import RepCSVSink, SummaryCSVSink, read_rep_csv
from tracker.sinks.drawing import count_box
from tracker.sinks.overlay import OverlayView, draw_overlay
from tracker.sources.frames import Frame, FrameSource, SourceInfo

from synthlegs import duration_for, make_recording, rep_profile

PROJECT = Path(tracker.__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
FPS = 30.0


# ------------------------------------------------------------------ helpers

def clip_with_truth() -> tuple[Path, dict]:
    """A dorsiflexion clip with its truth: a sample video if rendered, else ../shared's."""
    for meta_path in sorted((PROJECT / "sample_videos").glob("*_meta.json")):
        meta = json.loads(meta_path.read_text())
        mp4 = meta_path.with_name(meta_path.name[: -len("_meta.json")] + ".mp4")
        if (mp4.exists() and meta.get("exercise") == "dorsiflexion" and meta.get("recommended_view", True)
                and "reps" in meta):
            return mp4, {"exercise": "dorsiflexion", "reps": int(meta["reps"]), "side": meta.get("side", "auto")}
    clip = SHARED / "rendered" / "crossed_dorsi_side_casual.mp4"
    if not clip.exists():
        pytest.skip(f"no sample clip with truth and {clip} is absent (../shared is only on developer machines)")
    return clip, {"exercise": "dorsiflexion", "reps": 10, "side": "left"}


class SynthSource(FrameSource):
    """Grey frames timed at FPS. As a "camera" it delivers them itself, ``speed`` times faster
    than real time (a camera is not paced by the reader); optionally Ctrl-C after N frames."""

    def __init__(self, n: int, kind: str = "video", interrupt_after: int | None = None, speed: float = 1.0):
        self.info = SourceInfo(kind, "synthetic" if kind == "video" else "camera:9", FPS, 640, 480,
                               n if kind == "video" else None)
        self.n, self.interrupt_after, self.speed = n, interrupt_after, speed
        self.image = np.full((480, 640, 3), 128, np.uint8)

    def __iter__(self):
        for i in range(self.n):
            if self.interrupt_after is not None and i >= self.interrupt_after:
                raise KeyboardInterrupt
            if self.info.kind == "camera":
                time.sleep(1.0 / (FPS * self.speed))
            yield Frame(i, i / FPS, self.image)


def synth(reps: int = 3, amp: float = 15.0, **kw):
    t = np.arange(0, duration_for(reps), 1 / FPS)
    return make_recording(t, dorsi=rep_profile(t, reps, amp), noise_px=0.3, **kw), len(t)


def session(rec, sinks=(), **kw) -> LiveSession:
    return LiveSession(RecordingEstimator(rec), "dorsiflexion", sinks=sinks, source="synthetic", **kw)


def feed(sess: LiveSession, n: int, start: int = 0, image=None, stop_on_quit=True) -> list[OverlayView]:
    img = np.full((480, 640, 3), 128, np.uint8) if image is None else image
    views = []
    for i in range(start, start + n):
        views.append(sess.step(Frame(i, i / FPS, img)))
        if stop_on_quit and sess.quit:
            break
    return views


# ------------------------------------------------------------------ the clip through the real loop

def test_clip_as_camera_headless_counts_truth_and_saves(tmp_path, capsys):
    clip, truth = clip_with_truth()
    reps_csv, summ_csv, video = tmp_path / "reps.csv", tmp_path / "summary.csv", tmp_path / "overlay.mp4"
    code = main(["live", "--camera", str(clip), "--fast", "--headless", "--csv", str(reps_csv),
                 "--summary", str(summ_csv), "--write-video", str(video), "--db", str(tmp_path / "h.sqlite3")])
    out = capsys.readouterr().out
    assert code == 0
    rows = read_rep_csv(reps_csv)
    counted = [r for r in rows if r["counted"]]
    assert len(counted) == truth["reps"], out
    assert [r["rep_index"] for r in counted] == list(range(1, truth["reps"] + 1))
    side = {"L": "left", "R": "right"}.get(truth["side"], truth["side"])
    if side in ("left", "right"):
        assert {r["side"] for r in rows} == {side}
    assert all(r["method"] == "live-hysteresis" for r in rows)
    with open(summ_csv, newline="") as f:
        summary = list(csv.DictReader(f))
    assert len(summary) == 1 and int(summary[0]["reps_counted"]) == truth["reps"]
    cap = cv2.VideoCapture(str(video))
    n_written = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    src = cv2.VideoCapture(str(clip))
    assert n_written == int(src.get(cv2.CAP_PROP_FRAME_COUNT)) > 0  # --fast: every frame, none dropped
    src.release()
    # the history got the set too, and offers it as the goal to beat next time
    from tracker.sinks.history import last_session

    last = last_session("default", "dorsiflexion", rows[0]["side"], db=tmp_path / "h.sqlite3")
    assert last is not None and last["reps_counted"] == truth["reps"]


# ------------------------------------------------------------------ session logic (no model)

def test_synthetic_set_counts_and_locks_the_moving_side(tmp_path):
    rec, n = synth(reps=3)
    sink = RepCSVSink(tmp_path / "r.csv")
    sess = session(rec, sinks=[sink], target=3)
    views = feed(sess, n)
    assert sess.count == 3 and sess.side == "left"
    assert views[0].stage == "calibrating" and "still" in views[0].message.lower()
    assert any(v.stage == "complete" for v in views)
    assert any(v.flash > 0 for v in views)
    sess.finish()
    sink.release()
    rows = read_rep_csv(tmp_path / "r.csv")
    assert [r["counted"] for r in rows] == [True] * 3
    assert all(abs(r["rom_deg"] - 15) < 4 for r in rows)


def test_keys_pause_reset_recalibrate_next_quit(tmp_path):
    rec, n = synth(reps=3)
    summ = SummaryCSVSink(tmp_path / "s.csv")
    sess = session(rec, sinks=[summ], side="left")
    feed(sess, 40)  # calibrated, before the first rep
    assert sess.counter().state.stage == "ready"
    sess.handle_key(" ")
    v = feed(sess, int(2.5 * FPS), start=40)  # the first rep happens while paused
    assert sess.paused and v[-1].stage == "paused" and "space" in v[-1].message
    assert sess.count == 0
    sess.handle_key(ord(" "))
    feed(sess, n - 40 - int(2.5 * FPS), start=40 + int(2.5 * FPS))
    assert sess.count == 2  # only the reps done after un-pausing
    sess.handle_key("c")
    assert sess.counter().state.stage == "calibrating"
    sess.handle_key("r")  # reset: the 2 reps are kept as their own set, the count restarts
    assert sess.count == 0 and len(sess.sets) == 1 and sess.sets[0].reps_counted == 2
    assert sess.exercise.key == "dorsiflexion"
    sess.handle_key("n")  # nothing counted in the reset set: no empty set is recorded
    assert sess.exercise.key == list(EXERCISES)[1] and len(sess.sets) == 1
    sess.handle_key(27)  # Esc
    assert sess.quit
    sess.finish()
    with open(tmp_path / "s.csv", newline="") as f:
        assert [int(r["reps_counted"]) for r in csv.DictReader(f)] == [2]


def test_quit_key_and_unknown_keys():
    rec, _ = synth()
    sess = session(rec)
    for k in (-1, None, "", "x", 0xFF00 | ord("z")):
        sess.handle_key(k)
    assert not sess.quit
    sess.handle_key("q")
    assert sess.quit


def test_routine_moves_on_at_target_and_ends(tmp_path):
    rec, n = synth(reps=2)
    sess = session(rec, routine=True, target=2, side="left")
    assert sess.exercise.key == ROUTINE[0]
    views = feed(sess, n + int(live_session.ROUTINE_NEXT_S * FPS) + 5)
    assert sess.exercise.key == ROUTINE[1], "moves on after the set-complete banner"
    assert views[-1].step == f"exercise 2 of {len(ROUTINE)}, 1 done"  # the progress kept (issue 16: going back)
    assert len(sess.sets) == 1 and sess.sets[0].reps_counted == 2
    for _ in ROUTINE[1:]:
        sess.handle_key("n")
    assert sess.quit and sess.routine_done


def test_default_exercise_says_how_to_choose_another():
    rec, _ = synth()
    v = feed(LiveSession(RecordingEstimator(rec), chose_exercise=False), 1)[0]
    assert v.title == EXERCISES["dorsiflexion"].title
    assert "--exercise" in v.hint and "n" in v.hint


def _message_after(sess, n, image=None):
    return feed(sess, n, image=image)[-1]


def test_guidance_messages_pause_counting():
    rec, n = synth(reps=3)
    # too dark
    v = _message_after(session(rec), 30, image=np.full((480, 640, 3), 10, np.uint8))
    assert "dark" in v.message.lower()
    # nobody there
    sess = LiveSession(RecordingEstimator(rec, missing=set(range(n))), "dorsiflexion")
    assert "camera can see you" in _message_after(sess, 30).message
    # too far: a tiny person
    small, _ = synth(reps=3, scale=0.15, offset=(250, 200))
    assert "closer" in _message_after(session(small), 30).message
    # feet out of the picture
    low, _ = synth(reps=3, offset=(0, 120))
    assert "out of the picture" in _message_after(session(low), 30).message
    # foot not clearly seen
    hidden, _ = synth(reps=3, visibility=0.3)
    assert "cannot see" in _message_after(session(hidden, side="left"), 30).message
    # wrong view for a side-view exercise: the foot looks short (seen from the front)
    t = np.arange(0, duration_for(3), 1 / FPS)
    front = make_recording(t, dorsi=rep_profile(t, 3, 15.0), noise_px=0.3)
    front.norm[:, 31, 0] = front.norm[:, 29, 0] + (front.norm[:, 31, 0] - front.norm[:, 29, 0]) * 0.2
    sess = session(front, side="left")
    views = feed(sess, len(t))
    assert any("sideways" in v.message for v in views)
    assert sess.count == 0, "counting pauses while the view is wrong"
    # messages do not flicker on: one bad frame shows nothing
    sess = session(rec, side="left")
    feed(sess, 20)
    v = sess.step(Frame(20, 20 / FPS, np.full((480, 640, 3), 5, np.uint8)))
    assert "dark" not in v.message.lower()


def test_lying_down_is_not_an_upright_exercise():
    t = np.arange(0, 3, 1 / FPS)
    rec = make_recording(t)
    # shoulders level with the hips: lying down
    rec.norm[:, 11, :2] = rec.norm[:, 23, :2] + np.array([0.3, 0.0], np.float32)
    rec.norm[:, 12, :2] = rec.norm[:, 24, :2] + np.array([0.3, 0.0], np.float32)
    assert "Sit up or stand" in _message_after(session(rec), 40).message


# ------------------------------------------------------------------ nothing counted is lost

@pytest.mark.parametrize("realtime", [False, True])
def test_ctrl_c_mid_set_keeps_the_reps(tmp_path, realtime):
    rec, n = synth(reps=3)
    cut = int((2.0 + 2 * 3.0 + 0.5) * FPS)  # after the second rep
    reps_csv, summ_csv = tmp_path / "r.csv", tmp_path / "s.csv"
    sinks = [RepCSVSink(reps_csv), SummaryCSVSink(summ_csv)]
    sess = session(rec, sinks=sinks)
    src = SynthSource(n, kind="camera" if realtime else "video", interrupt_after=cut, speed=4.0)
    with pytest.raises(KeyboardInterrupt):
        run_session(sess, src, Screen(), realtime=realtime)
    sinks[0].release()
    rows = read_rep_csv(reps_csv)
    assert sum(r["counted"] for r in rows) == 2
    with open(summ_csv, newline="") as f:
        assert int(next(csv.DictReader(f))["reps_counted"]) == 2


def test_ctrl_c_marks_the_history_set_interrupted(tmp_path):
    history = pytest.importorskip("tracker.sinks.history")
    rec, n = synth(reps=3)
    db = tmp_path / "h.sqlite3"
    sess = session(rec, sinks=[history.HistorySink(db)])
    with pytest.raises(KeyboardInterrupt):
        run_session(sess, SynthSource(n, interrupt_after=int(8.5 * FPS)), Screen(), realtime=False)
    conn = history.connect(db)
    sessions = history.list_sessions(conn)
    assert len(sessions) == 1 and sessions[0]["reps_counted"] == 2
    assert sessions[0]["status"] == "interrupted"


def test_camera_loss_saves_and_says_so(tmp_path):
    rec, n = synth(reps=3)
    sink = RepCSVSink(tmp_path / "r.csv")
    sess = session(rec, sinks=[sink])
    with pytest.raises(RuntimeFailure, match="camera stopped"):
        run_session(sess, SynthSource(int(9 * FPS), kind="camera", speed=8.0), Screen(), realtime=True)
    sink.release()
    assert sum(r["counted"] for r in read_rep_csv(tmp_path / "r.csv")) == 2


def test_end_of_file_ends_normally_and_drawing_crash_loses_nothing(tmp_path, monkeypatch):
    def broken(img, view):
        raise RuntimeError("boom")

    monkeypatch.setattr(live_screen, "draw_overlay", broken)
    monkeypatch.setattr(live_screen, "_draw_failed", False)
    rec, n = synth(reps=3)
    sink = RepCSVSink(tmp_path / "r.csv")
    sess = session(rec, sinks=[sink])
    seen = []
    assert run_session(sess, SynthSource(n), Screen(), realtime=False, on_frame=lambda f, t: seen.append(t)) == "ended"
    sink.release()
    assert len(seen) == n and {"pose_s", "count_s", "sinks_s", "draw_s"} <= set(seen[0])
    assert sum(r["counted"] for r in read_rep_csv(tmp_path / "r.csv")) == 3


def test_a_file_in_realtime_is_paced_like_a_camera():
    t = np.arange(0, 1.5, 1 / FPS)
    sess = session(make_recording(t))
    seen = []
    c0 = time.perf_counter()
    assert run_session(sess, SynthSource(len(t)), Screen(), realtime=True,
                       on_frame=lambda f, tm: seen.append(f.index)) == "ended"
    assert time.perf_counter() - c0 >= 1.4  # played at its own speed, not as fast as possible
    assert seen == sorted(seen) and len(seen) > 0.5 * len(t)  # newest frames, in order
    assert len(sess.sets) == 1


def test_a_session_without_reps_still_writes_its_summary(tmp_path):
    t = np.arange(0, 2, 1 / FPS)
    sess = session(make_recording(t), sinks=[SummaryCSVSink(tmp_path / "s.csv")])
    assert run_session(sess, SynthSource(len(t)), Screen(), realtime=False) == "ended"
    with open(tmp_path / "s.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["reps_counted"] == "0"


def test_goal_to_beat_is_shown_once_the_side_is_known():
    rec, n = synth(reps=3)
    asked = []

    def lookup(profile, exercise, side):
        asked.append((profile, exercise, side))
        return {"reps_counted": 9, "best_rom_deg": 24.4}

    sess = session(rec, goal_lookup=lookup)
    assert feed(sess, 5)[-1].goal is None  # side not known yet
    views = feed(sess, n, start=5)
    assert views[-1].goal == "Goal to beat: 9 reps, best 24°"
    assert asked == [("default", "dorsiflexion", "left")]
    broken = session(rec, side="left", goal_lookup=lambda *a: 1 / 0)
    assert feed(broken, 2)[-1].goal is None


def test_goal_comes_from_the_previous_session_not_the_current_one(tmp_path):
    history = pytest.importorskip("tracker.sinks.history")
    db = tmp_path / "h.sqlite3"

    def lookup(profile, exercise, side):
        return history.last_session(profile, exercise, side, db=db)

    rec, n = synth(reps=3)
    first = session(rec, sinks=[history.HistorySink(db)], goal_lookup=lookup)
    assert run_session(first, SynthSource(n), Screen(), realtime=False) == "ended"
    rec2, n2 = synth(reps=2)
    second = session(rec2, sinks=[history.HistorySink(db)], goal_lookup=lookup)
    views = feed(second, n2)
    assert second.count == 2
    assert views[-1].goal.startswith("Goal to beat: 3 reps")


def test_speak_without_pyttsx3_is_one_clear_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyttsx3", None)
    lines = []
    assert Speaker.create(log=lines.append) is None
    assert len(lines) == 1 and "pyttsx3" in lines[0]


def test_speaker_says_counts_on_a_thread():
    said = []

    class Engine:
        def say(self, text):
            said.append(text)

        def runAndWait(self):
            pass

    sp = Speaker(Engine)
    rec, n = synth(reps=2)
    sess = session(rec, speaker=sp, target=2)
    feed(sess, n)
    sp.close()
    assert any(s.startswith("2") and "Set complete" in s for s in said), said


# ------------------------------------------------------------------ command line

def test_cli_errors_are_one_line(tmp_path, capsys, monkeypatch):
    assert main(["live", "--camera", str(tmp_path / "missing.mp4"), "--headless"]) == 3
    assert "no such file" in capsys.readouterr().err
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["live", "--camera", str(tmp_path / "missing.mp4")]) == 2
    assert "--headless" in capsys.readouterr().err
    assert main(["live", "--exercise", "dorsi-flex", "--headless"]) == 2
    assert main(["live", "--target", "0", "--headless"]) == 2
    (tmp_path / "r.csv").write_text("x")
    assert main(["live", "--csv", str(tmp_path / "r.csv"), "--headless"]) == 3
    assert "--force" in capsys.readouterr().err


# ------------------------------------------------------------------ the real window under Xvfb

def test_real_window_under_xvfb_shows_the_final_count(tmp_path, xvfb):
    clip, truth = clip_with_truth()
    video, shot = tmp_path / "shown.mp4", tmp_path / "screen.xwd"
    env = dict(os.environ, DISPLAY=xvfb, PYTHONUNBUFFERED="1", TRACKER_DB=str(tmp_path / "h.sqlite3"))
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "tracker", "live", "--camera", str(clip), "--fast", "--csv",
           str(tmp_path / "r.csv"), "--write-video", str(video), "--end-hold", "60",
           "--exercise", truth["exercise"], "--no-check"]  # the start screen and check: test_start_screen.py
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out = []
        for line in proc.stdout:  # "saved: ..." is printed once the set is saved, before the hold
            out.append(line)
            if line.startswith("saved:"):
                break
        else:
            pytest.fail(f"live ended without saving: {''.join(out)} {proc.stderr.read()[-2000:]}")
        shots = []  # a few, a second apart: a loaded machine may paint the window late
        for k in range(6):
            time.sleep(1.0)
            shots.append(shot.with_name(f"screen{k}.xwd"))
            subprocess.run(["xwd", "-root", "-silent", "-display", xvfb, "-out", str(shots[-1])], check=True,
                           timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    cap = cv2.VideoCapture(str(video))
    last = None
    while True:
        ok, img = cap.read()
        if not ok:
            break
        last = img
    cap.release()
    h, w = last.shape[:2]
    # where is the window? (the last overlay frame, as written to the video, located on screen)
    def located(path):
        screen = read_xwd(path)
        res = cv2.matchTemplate(cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY), cv2.cvtColor(last, cv2.COLOR_BGR2GRAY),
                                cv2.TM_CCOEFF_NORMED)
        _, score, _, xy = cv2.minMaxLoc(res)
        return score, xy, screen
    score, (x, y), screen = max((located(p) for p in shots), key=lambda r: r[0])
    assert score > 0.9, f"the overlay window is not on screen (match {score:.2f})"
    x0, y0, x1, y1 = count_box(h, w)
    shown = screen[y + y0:y + y1, x + x0:x + x1].astype(int)
    blank = np.zeros((h, w, 3), np.uint8)
    diffs = {}
    for n in range(0, truth["reps"] + 3):
        for flash in (0.0, 0.5, 1.0):
            ref = draw_overlay(blank, OverlayView(count=n, target=10, flash=flash))[y0:y1, x0:x1].astype(int)
            diffs[(n, flash)] = float(np.abs(shown - ref).mean())
    best = min(diffs, key=diffs.get)
    closest = sorted(diffs.items(), key=lambda kv: kv[1])[:3]
    assert best[0] == truth["reps"], f"screen shows {best[0]}, not {truth['reps']} ({closest})"
    assert diffs[best] < 2.0, diffs[best]  # pixel-exact apart from nothing: the window shows our frame
    cv2.imwrite(str(tmp_path / "screen.png"), screen)
