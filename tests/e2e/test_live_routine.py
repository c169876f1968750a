"""``live --routine`` moves on by itself when the patient visibly starts another exercise: a
rendered whole session (tests/routine_corpus) played as the camera, its landmarks through the
live session exactly as a camera's would go (tracker.pose.replay)."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from tracker.app.live.session import LiveSession
from tracker.bench.routine import ROUTINE_CORPUS
from tracker.pose.recording import load_recording
from tracker.pose.replay import RecordingEstimator, replay_frames
from tracker.sinks.csvfile import RepCSVSink, SummaryCSVSink, read_rep_csv

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


def test_the_live_routine_goes_back_to_an_exercise_already_done(tmp_path):
    """r07: dorsiflexion (crossed), heel raises (standing), dorsiflexion again (crossed): the
    session goes back to dorsiflexion, says so, shows it, and counts each set under its own
    exercise in the per-rep and summary CSVs (before: the repeat was counted as heel raises)."""
    rec = load_recording(ROUTINE_CORPUS / "r07.npz")
    meta = json.loads((ROUTINE_CORPUS / "r07_meta.json").read_text())
    said, titles, steps = [], [], []

    class Speaker:
        def say(self, text):
            said.append(text)

    reps_csv, summary_csv = RepCSVSink(tmp_path / "reps.csv"), SummaryCSVSink(tmp_path / "sets.csv")
    sess = LiveSession(RecordingEstimator(rec), "dorsiflexion", routine=True, target=10, side=meta["side"],
                       source="routine clip", speaker=Speaker(), sinks=[reps_csv, summary_csv])
    repeat = meta["sets"][2]
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        view = sess.step(frame)
        if repeat["start_s"] <= frame.t <= repeat["end_s"]:
            titles.append(view.title)
            steps.append(view.step)
    sess.finish()
    reps_csv.release()
    summary_csv.release()
    assert set(titles) == {"Ankle dorsiflexion"}, set(titles)  # the overlay says which exercise
    assert steps[-1] == "exercise 1 of 5, 2 done", steps[-1]  # and keeps the progress (before: "exercise 1 of 5")
    assert said.count("Ankle dorsiflexion") == 2 and "Heel raises" in said  # the way back said as any change
    truth = [(s["exercise"], s["reps"]) for s in meta["sets"]]
    assert [(s.info.exercise, s.reps_counted) for s in sess.sets] == truth
    rows = [r for r in read_rep_csv(tmp_path / "reps.csv") if r["counted"]]
    assert [(r["exercise"], r["recording_set"]) for r in rows] == [("dorsiflexion", 1)] * 3 + [
        ("heel_raise", 2)] * 3 + [("dorsiflexion", 3)] * 3
    with open(tmp_path / "sets.csv", newline="") as f:
        assert [(r["exercise"], int(r["reps_counted"])) for r in csv.DictReader(f)] == truth


@pytest.mark.parametrize("clip", ["r01", "r07"])
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


def _spliced(rec, at: float, rests: list[tuple[float, str | None]]):
    """The recording's frames with the frame at ``at`` held still (the foot at rest between two
    reps) for each (seconds, posture) of ``rests`` in turn, the rest of the clip after them; the
    posture the body shows in each (None: as the landmarks show it). Yields (frame, posture)."""
    from tracker.pose.replay import Frame

    image = np.full((rec.height, rec.width, 3), 128, np.uint8)
    k = int(np.searchsorted(rec.t, at))
    dt, shift = float(rec.t[1] - rec.t[0]), 0.0
    for i in range(k):
        yield Frame(i, float(rec.t[i]), image), None
    for seconds, posture in rests:
        for _ in range(int(round(seconds / dt))):
            shift += dt
            yield Frame(k, float(rec.t[k]) + shift, image), posture
    for i in range(k, len(rec)):
        yield Frame(i, float(rec.t[i]) + shift + dt, image), None


def _play_with_rest(monkeypatch, clip: str, first: str, at: float, rests: list):
    """The clip played live from ``first``, a still rest in another position inserted at ``at``:
    the posture scripted there (the still landmarks do not show it); (exercise, counted) per row."""
    rec, sess, now = _scripted_session(monkeypatch, clip, first)
    seen = []
    for frame, posture in _spliced(rec, at, rests):
        now["posture"] = posture
        sess.step(frame)
        if not seen or seen[-1] != sess.exercise.key:
            seen.append(sess.exercise.key)
    sess.finish()
    return [(s.info.exercise, s.reps_counted, s.info.recording_set) for s in sess.sets], seen


@pytest.mark.parametrize("clip, first, at, rest", [
    ("r01", "dorsiflexion", 17.9, "crossed"),  # toe raises (side view): legs crossed 5 s after the 2nd rep
    ("r03", "abduction", 17.0, "standing"),  # eversion (front view): stands 5 s after the 2nd rep, sits again
])
def test_a_rest_in_another_position_does_not_split_the_set(monkeypatch, clip, first, at, rest):
    """A rest changes the position too: the set in progress resumes (one row, its count going
    on), the other exercise is not counted; only a counted rep makes a move real. Before: toe
    raises split in two rows (2 + 1), eversion left on heel raises for good."""
    plain, _ = _play_with_rest(monkeypatch, clip, first, at, [])
    rows, seen = _play_with_rest(monkeypatch, clip, first, at, [(5.0, rest), (3.5, "seated")])
    assert rows == plain, (rows, plain, seen)
    assert len(seen) > len({ex for ex, _, _ in plain})  # the rest did show another exercise for a while


def test_no_frame_is_in_two_sets_and_every_frame_is_tallied():
    """The frames given to a new set leave the set before's tally and time (r01 had about 22 of
    them per move in two summary rows), and go through the session's own step (what the gate
    showed tallied: ``shown``)."""
    from tracker.app.live.set_counter import SetCounter

    rec = load_recording(ROUTINE_CORPUS / "r01.npz")
    meta = json.loads((ROUTINE_CORPUS / "r01_meta.json").read_text())
    stepped, shown = {}, {}
    step, show = SetCounter.step, SetCounter.shown

    def counting_step(self, *a):
        stepped[id(self)] = stepped.get(id(self), 0) + 1
        return step(self, *a)

    def counting_shown(self, problem):
        shown[id(self)] = shown.get(id(self), 0) + 1
        return show(self, problem)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SetCounter, "step", counting_step)
        mp.setattr(SetCounter, "shown", counting_shown)
        sess = LiveSession(RecordingEstimator(rec), "dorsiflexion", routine=True, target=10, side=meta["side"],
                           source="x")
        for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
            sess.step(frame)
        sess.finish()
    assert stepped == shown
    assert len(sess.sets) == 3 and sum(s.frames for s in sess.sets) <= len(rec), [s.frames for s in sess.sets]
    assert sum(s.time_analysed_s for s in sess.sets) <= float(rec.t[-1] - rec.t[0])


def _scripted_session(monkeypatch, clip: str, first: str, **kw):
    """A live routine session over ``clip``; the posture each frame shows scriptable through the
    returned dict's "posture" (None: as the landmarks show it)."""
    from dataclasses import replace

    from tracker.app.live import position_watch

    rec = load_recording(ROUTINE_CORPUS / f"{clip}.npz")
    meta = json.loads((ROUTINE_CORPUS / f"{clip}_meta.json").read_text())
    real, now = position_watch.body_cues, {"posture": None}

    def cues(px):
        c, p = real(px), now["posture"]
        return c if p is None else replace(c, standing=float(p == "standing"), seated=float(p == "seated"),
                                           crossed=float(p == "crossed"))

    monkeypatch.setattr(position_watch, "body_cues", cues)
    sess = LiveSession(RecordingEstimator(rec), first, routine=True, target=10, side=meta["side"], source="x", **kw)
    return rec, sess, now


def _flag_every_rep_of(monkeypatch, exercise: str) -> None:
    """Every rep of ``exercise`` flagged (not counted), as the shank doing the work would be."""
    from dataclasses import replace

    from tracker.app.live.set_counter import SetCounter

    step, finish = SetCounter.step, SetCounter.finish

    def flag(self, found):
        return [(s, replace(r, counted=False, note="flagged")) if self.ex.key == exercise else (s, r)
                for s, r in found]

    monkeypatch.setattr(SetCounter, "step", lambda self, *a: _flagged_step(step, flag, self, *a))
    monkeypatch.setattr(SetCounter, "finish", lambda self: flag(self, finish(self)))


def _flagged_step(step, flag, self, *a):
    problem, leg_problems, found = step(self, *a)
    return problem, leg_problems, flag(self, found)


def test_a_new_exercise_whose_reps_are_all_flagged_is_written(monkeypatch, tmp_path):
    """r01 with every heel-raise rep flagged: they are the patient doing heel raises, so they
    make the move real; their rows and a 0-counted heel-raise row are written (before: held
    back for a counted rep that never came, and dropped at the end)."""
    _flag_every_rep_of(monkeypatch, "heel_raise")
    reps_csv = RepCSVSink(tmp_path / "reps.csv")
    rec, sess, _ = _scripted_session(monkeypatch, "r01", "dorsiflexion", sinks=[reps_csv])
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        sess.step(frame)
    sess.finish()
    reps_csv.release()
    rows = [(s.info.exercise, s.reps_counted, s.reps_low_confidence > 0) for s in sess.sets]
    assert rows == [("dorsiflexion", 3, False), ("toe_raise", 3, False), ("heel_raise", 0, True)], rows
    assert sum(r["exercise"] == "heel_raise" for r in read_rep_csv(tmp_path / "reps.csv")) >= 3


def test_a_long_rest_in_another_position_writes_the_set_left(monkeypatch, tmp_path):
    """Killed during a long rest in another position, the set left is on disk: the move is
    made real after PROVISIONAL_MAX_S in the new position (before: the toe-raise row waited
    for a rep or a return that never came, and was lost with the process)."""
    from tracker.app.live.provisional import PROVISIONAL_MAX_S

    rec, sess, now = _scripted_session(monkeypatch, "r01", "dorsiflexion", sinks=[SummaryCSVSink(tmp_path / "s.csv")])
    at = 17.9
    for frame, posture in _spliced(rec, at, [(PROVISIONAL_MAX_S + 8.0, "crossed")]):
        now["posture"] = posture
        sess.step(frame)
        if frame.t >= at + PROVISIONAL_MAX_S + 6.0:
            break  # killed: no finish()
    with open(tmp_path / "s.csv", newline="") as f:
        rows = [(r["exercise"], r["reps_counted"]) for r in csv.DictReader(f)]
    assert rows == [("dorsiflexion", "3"), ("toe_raise", "2")], rows


@pytest.mark.parametrize("key", ["r", "n"])
def test_keys_act_on_the_exercise_on_screen_while_a_move_is_provisional(monkeypatch, key):
    """r01, legs crossed 12 s during toe raises: dorsiflexion is on screen (provisional) when the
    key is pressed. ``r`` starts dorsiflexion over, ``n`` goes to the exercise after it; the
    toe-raise set left is written (before: ``r`` restarted toe raises while the legs were
    crossed and stayed on them, ``n`` went to the exercise after toe raises)."""
    rec, sess, now = _scripted_session(monkeypatch, "r01", "dorsiflexion")
    pressed = None
    for frame, posture in _spliced(rec, 17.9, [(12.0, "crossed"), (3.5, "seated")]):
        now["posture"] = posture
        sess.step(frame)
        if pressed is None and frame.t >= 21.5:
            assert sess.provisional.held is not None and sess.exercise.key == "dorsiflexion"
            order = sess.routine.order
            sess.handle_key(key)
            pressed = sess.exercise.key
            break
    assert sess.provisional.held is None
    assert [(s.info.exercise, s.reps_counted) for s in sess.sets] == [("dorsiflexion", 3), ("toe_raise", 2)]
    assert pressed == ("dorsiflexion" if key == "r" else order[1])  # order[1]: the one after dorsiflexion


def test_a_resumed_set_does_not_count_the_time_it_was_set_aside(monkeypatch):
    """r01, legs crossed 5 s during toe raises then seated again: the toe-raise set resumes, and
    its time analysed is that of its frames (before: the 5 s set aside as well, 21.9 s for
    252 frames at 15 fps)."""
    rec, sess, now = _scripted_session(monkeypatch, "r01", "dorsiflexion")
    for frame, posture in _spliced(rec, 17.9, [(5.0, "crossed"), (3.5, "seated")]):
        now["posture"] = posture
        sess.step(frame)
    sess.finish()
    toe = [s for s in sess.sets if s.info.exercise == "toe_raise"]
    fps = 1.0 / float(rec.t[1] - rec.t[0])
    assert len(toe) == 1 and abs(toe[0].time_analysed_s - toe[0].frames / fps) < 1.0, (toe, fps)


def _play_from(clip, first: str, key_at: float | None = None, side: str | None = None, key: str = "n"):
    """``clip`` (a name, or a recording and its side) played live from ``first``; ``key`` pressed at
    ``key_at``: the session, (t, exercise) at each change, what was said, the screen's messages."""
    if isinstance(clip, str):
        rec = load_recording(ROUTINE_CORPUS / f"{clip}.npz")
        clip_side = json.loads((ROUTINE_CORPUS / f"{clip}_meta.json").read_text())["side"]
    else:
        rec, clip_side = clip
    said, seen, messages = [], [], set()

    class Speaker:
        def say(self, text):
            said.append(text)

    sess = LiveSession(RecordingEstimator(rec), first, routine=True, target=10, side=side or clip_side, source="x",
                       speaker=Speaker())
    for frame in replay_frames(rec, np.full((rec.height, rec.width, 3), 128, np.uint8)):
        messages.add(sess.step(frame).message)
        if key_at is not None and frame.t >= key_at:
            sess.handle_key(key)
            key_at = None
        if not seen or seen[-1][1] != sess.exercise.key:
            seen.append((float(frame.t), sess.exercise.key))
    sess.finish()
    return sess, seen, said, messages


def _pieces(clip: str, segs):
    """``clip``'s pieces [(t0, t1)] one after the other, time continuous (t1 < t0: played backwards),
    and its side: a start the rendered sessions do not have (still frames played back and forth)."""
    rec = load_recording(ROUTINE_CORPUS / f"{clip}.npz")
    idx = []
    for a, b in segs:
        k = np.where((rec.t >= min(a, b)) & (rec.t < max(a, b)))[0]
        idx += list(k if a < b else k[::-1])
    out = rec.take(np.array(idx))
    out.t = np.arange(len(idx)) * float(np.median(np.diff(rec.t)))
    out.index = np.arange(len(idx), dtype=np.int32)
    return out, json.loads((ROUTINE_CORPUS / f"{clip}_meta.json").read_text())["side"]


def _rows(sess):
    return [(s.info.exercise, s.reps_counted) for s in sess.sets]


def test_a_session_started_standing_follows_the_patient_to_heel_raises():
    """r02 from dorsiflexion, as ``tracker live --routine`` starts: the patient stands for heel
    raises from the first frame. The session goes to heel raises once the first heel raise is
    counted there (before its second ends), says why on screen, counts all 3 and leaves no
    dorsiflexion row (before the rule: it stayed on dorsiflexion, 0 heel raises); so with
    ``--side auto``, as a user starts it."""
    bounds = json.loads((ROUTINE_CORPUS / "r02_meta.json").read_text())["sets"][0]["rep_bounds_s"]
    for side in (None, "auto"):
        sess, seen, said, messages = _play_from("r02", "dorsiflexion", side=side)
        assert seen[1][1] == "heel_raise" and bounds[0][1] < seen[1][0] < bounds[1][1], seen
        assert "You are standing: Heel raises. Press n for the next exercise" in messages, messages
        assert "Heel raises" in said
        # what the session will do, not the first exercise's "Sit down" (the patient obeying it was never followed)
        assert "Standing: start your heel raises, or sit down for ankle dorsiflexion" in said, said
        assert not any(text.startswith("Sit down") for text in said + list(messages)), (said, messages)
        rows = _rows(sess)
        assert rows[0] == ("heel_raise", 3) and "dorsiflexion" not in [ex for ex, _ in rows[:-1]], rows


def test_n_still_works_after_a_move_from_the_first_exercise():
    """r02: ``n`` pressed after the move to heel raises acts on the exercise on screen: no
    dorsiflexion row for the set the session started on, and the session goes to the exercise
    after heel raises."""
    sess, seen, _, _ = _play_from("r02", "dorsiflexion", key_at=6.0)
    order = sess.routine.order
    assert [ex for _, ex in seen[:3]] == ["dorsiflexion", "heel_raise", order[order.index("heel_raise") + 1]], seen
    assert seen[1][0] < 6.0 and seen[2][0] == pytest.approx(6.0, abs=0.1), seen
    rows = _rows(sess)
    assert rows[0][0] == "heel_raise" and rows[0][1] >= 2 and all(ex != "toe_raise" for ex, _ in rows), rows


@pytest.mark.parametrize("still", [0, 1])
def test_seated_feet_down_then_crossing_the_leg_stays_on_dorsiflexion(still):
    """The most common real start: seated, both feet down, 1.2 s (r10 from 11.6 s) or 2.4 s, then
    the leg crossed and 3 dorsiflexions. Before: the session went to toe raises, the crossing
    a toe-raise rep that confirmed it, and 0-2 of 3 dorsiflexions counted (``--side auto``: 0)."""
    rec = _pieces("r10", [(11.6, 12.8), (12.8, 11.6)] * still + [(11.6, 24.1)])
    for side in (None, "auto"):
        sess, seen, said, _ = _play_from(rec, "dorsiflexion", side=side)
        assert [ex for _, ex in seen] == ["dorsiflexion"] and "Toe raises" not in said, (side, seen, said)
        assert _rows(sess) == [("dorsiflexion", 3)], (side, sess.sets)


def test_standing_still_at_the_camera_then_sitting_for_dorsiflexion_does_not_move():
    """r09: standing still 3.7 s (setting up the camera), sitting down, crossing the leg,
    dorsiflexion: no heel-raise set (before: moved to heel raises, the sit-down a counted one)."""
    rec = _pieces("r09", [(0.0, 1.86), (1.86, 0.0), (10.0, 31.0)])
    for side in (None, "auto"):
        sess, seen, said, _ = _play_from(rec, "dorsiflexion", side=side)
        assert [ex for _, ex in seen] == ["dorsiflexion"] and "Heel raises" not in said, (side, seen)
        assert all(ex == "dorsiflexion" for ex, _ in _rows(sess)), sess.sets


def test_r_on_the_first_set_does_not_turn_its_guard_off():
    """c002 (dorsiflexion, its crossed leg read as seated feet down): ``r`` mid-set starts an
    empty set at the same position; the reps found before it still keep the session there
    (before: it moved to toe raises at 12.7 s and lost the rep after the reset)."""
    from pathlib import Path

    from tracker.pose.recording import load_recording as load

    path = Path(__file__).resolve().parents[1] / "corpus" / "c002_dorsiflexion.npz"
    if not path.exists():
        pytest.skip("tests/corpus is absent")
    sess, seen, said, _ = _play_from((load(path), "left"), "dorsiflexion", key_at=10.1, key="r")
    assert [ex for _, ex in seen] == ["dorsiflexion"] and "Toe raises" not in said, seen
    assert [ex for ex, _ in _rows(sess)] == ["dorsiflexion", "dorsiflexion"], sess.sets
    assert sum(n for _, n in _rows(sess)) == 6, sess.sets


@pytest.mark.parametrize("how", ["end", "ctrl-c", "n"])
def test_a_heel_raise_counted_beside_the_first_set_is_written_if_the_session_ends_first(how):
    """r02 from dorsiflexion stopped at 5.0 s (the clip's end, or Ctrl-C), or ``n`` pressed at 4.5 s,
    before the move (5.3 s: 1.5 s standing after a heel raise): the heel raises counted beside the
    first set are written as their own set (before: an empty dorsiflexion row, the heel raise in
    no row). ``n`` then goes on from heel raises, as after the move."""
    rec = _pieces("r02", [(0.0, 5.0 if how != "n" else 6.0)])
    if how == "ctrl-c":
        sess = LiveSession(RecordingEstimator(rec[0]), "dorsiflexion", routine=True, target=10, side=rec[1],
                           source="x")
        for frame in replay_frames(rec[0], np.full((rec[0].height, rec[0].width, 3), 128, np.uint8)):
            sess.step(frame)
        sess.finish(interrupted=True)
    else:
        sess, seen, _, _ = _play_from(rec, "dorsiflexion", key_at=4.5 if how == "n" else None)
        assert how != "n" or seen[1][1] == sess.routine.order[sess.routine.order.index("heel_raise") + 1], seen
    rows = _rows(sess)
    assert rows[0][0] == "heel_raise" and rows[0][1] >= 1 and "dorsiflexion" not in [ex for ex, _ in rows], rows
