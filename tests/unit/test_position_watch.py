"""``live --routine`` follows the patient from position to position (position_watch.py), back to
an exercise already done too: synthetic body cues (the position and the camera view the body
shows) fed frame by frame, as ``recognise.body_cues`` would read them from a camera."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tracker.app.live import position_watch
from tracker.app.live.position_watch import PositionWatch, which_exercise
from tracker.app.live.routine import Routine
from tracker.counting.recognise import BodyCues
from tracker.exercises import ROUTINE

FPS = 15.0
# what a side view shows (shoulders narrow, the foot long against the shank) and a front view
SIDE, FRONT = (0.15, 0.5), (0.7, 0.28)


def _cues(posture: str, shoulders: float) -> BodyCues:
    shares = {p: float(p == posture) for p in ("standing", "seated", "crossed")}
    return BodyCues(shares["standing"], shares["seated"], shares["crossed"], float("nan"), 0.5, shoulders)


def _follow(monkeypatch, script: list[tuple[float, str]], view: tuple[float, float]) -> list[str]:
    """Play ``script`` (until when, posture) through a watch of a ``--routine`` session started
    on dorsiflexion; the exercise at each change, as the session would go."""
    shoulders, foot = view
    now = {"posture": script[0][1]}
    monkeypatch.setattr(position_watch, "body_cues", lambda px: _cues(now["posture"], shoulders))
    monkeypatch.setattr(position_watch, "foot_ratio", lambda px, side: foot)
    session = SimpleNamespace(routine=Routine("dorsiflexion", True), lock=SimpleNamespace(side="left"))
    watch = PositionWatch(session, 1.0)
    pose = SimpleNamespace(detected=True, pixels=np.zeros((33, 3)))
    went = [session.routine.current]
    t = 0.0
    for until, posture in script:
        now["posture"] = posture
        while t < until:
            r = session.routine
            k = watch.later(t, pose, r.order, r.pos)
            if k is not None:
                r.pos = k
                went.append(r.current)
            t += 1 / FPS
    return went


def test_the_patient_goes_back_to_an_exercise_already_done(monkeypatch):
    # crossed (dorsiflexion), stands up (heel raises), crosses the leg again: dorsiflexion again,
    # not ab/adduction (a front-view exercise of that position) and not left on heel raises
    went = _follow(monkeypatch, [(8, "crossed"), (16, "standing"), (24, "crossed")], SIDE)
    assert went == ["dorsiflexion", "heel_raise", "dorsiflexion"], went


def test_the_view_picks_the_exercise_of_a_position_and_a_skipped_one_is_taken_up(monkeypatch):
    # filmed from the front: uncrossing goes to eversion (front), not toe raises (side, next in
    # the order); crossing again takes up ab/adduction, skipped, not dorsiflexion (side)
    went = _follow(monkeypatch, [(8, "crossed"), (16, "seated"), (24, "crossed")], FRONT)
    assert went == ["dorsiflexion", "eversion", "abduction"], went


def test_a_view_that_tells_nothing_leaves_the_routine_order():
    order = list(ROUTINE)
    heel = order.index("heel_raise")
    even = {k: 0.6 for k in order}  # a 45° view: every exercise fits alike
    # from heel raises the order goes round: dorsiflexion comes before ab/adduction
    assert order[which_exercise(order, heel, "crossed", even.get)] == "dorsiflexion"
    # the next exercise of a position first, as before (from dorsiflexion: toe raises)
    assert order[which_exercise(order, 0, "seated", even.get)] == "toe_raise"
    # a clear view decides against the order; the current exercise is never chosen
    side = {k: (1.0 if k in ("dorsiflexion", "toe_raise") else 0.05) for k in order}
    assert order[which_exercise(order, heel, "seated", side.get)] == "toe_raise"
    assert which_exercise(order, heel, "standing", even.get) is None


def test_the_live_routine_bench_scores_a_set_counted_under_the_wrong_exercise():
    """The bench's live score (tracker/bench/routine_live.py): a repeated set counted under the
    exercise before it is neither right nor exact, and a rep between sets is in a transition."""
    from tracker.bench.routine_live import score
    from tracker.records import Rep

    def rep(peak: float) -> Rep:
        return Rep(1, peak - 0.5, peak, peak + 0.5, 0.0, 10.0, 10.0, 1.0, False, False, 1.0, True)

    meta = {"sets": [{"exercise": "dorsiflexion", "motion": "", "start_s": 1.0, "end_s": 4.0, "reps": 2},
                     {"exercise": "heel_raise", "motion": "", "start_s": 10.0, "end_s": 13.0, "reps": 2},
                     {"exercise": "dorsiflexion", "motion": "", "start_s": 20.0, "end_s": 23.0, "reps": 2}]}
    reps = [("dorsiflexion", rep(2.0)), ("dorsiflexion", rep(3.5)), ("heel_raise", rep(11.0)),
            ("heel_raise", rep(12.5)), ("heel_raise", rep(21.0)), ("heel_raise", rep(22.5)), ("heel_raise", rep(24.0))]
    forward_only = score(meta, [(0.0, "dorsiflexion"), (8.0, "heel_raise")], reps, 0.5)
    assert [(s["exercise_ok"], s["count_ok"]) for s in forward_only["sets"]] == [(True, True), (True, True),
                                                                                  (False, False)]
    assert forward_only["sets"][2]["counted_as_other"] == 2 and forward_only["reps_in_transitions"] == [
        ("heel_raise", 24.0)]
    back = [(e if r.peak_t < 20 else "dorsiflexion", r) for e, r in reps]
    went_back = score(meta, [(0.0, "dorsiflexion"), (8.0, "heel_raise"), (19.0, "dorsiflexion")], back[:-1], 0.5)
    assert all(s["count_ok"] for s in went_back["sets"]) and went_back["reps_in_transitions"] == []


def _follow_provisional(monkeypatch, script, view, start: str) -> list[str]:
    """As ``_follow``, the watch's decisions (``decide``) taken as ``LiveSession.move_to`` takes
    them (provisional.py): a move holds the set it left until a rep counts (none here: the
    body only rests), and ``back`` resumes it."""
    shoulders, foot = view
    now = {"posture": script[0][1]}
    monkeypatch.setattr(position_watch, "body_cues", lambda px: _cues(now["posture"], shoulders))
    monkeypatch.setattr(position_watch, "foot_ratio", lambda px, side: foot)
    session = SimpleNamespace(routine=Routine("dorsiflexion", True), lock=SimpleNamespace(side="left"))
    session.routine.go_to(session.routine.order.index(start))
    watch, held = PositionWatch(session, 1.0), None
    pose = SimpleNamespace(detected=True, pixels=np.zeros((33, 3)), visibility=np.ones(33))
    went, t = [session.routine.current], 0.0
    for until, posture in script:
        now["posture"] = posture
        while t < until:
            r = session.routine
            move = watch.decide(t, pose, r.order, r.pos, held)
            if move is not None:
                held = None if move.back else (held or (r.pos, move.left))
                r.go_to(move.k)
                went.append(r.current)
            t += 1 / FPS
    return went


OBLIQUE = (0.42, 0.39)  # a 45° view: the view tells neither exercise of a position


def test_a_rest_in_another_position_goes_back_to_the_set_left(monkeypatch):
    rest = [(8, "seated"), (12, "crossed"), (20, "seated")]
    # toe raises, legs crossed 4 s: dorsiflexion for a while (provisional), then toe raises again
    assert _follow_provisional(monkeypatch, rest, SIDE, "toe_raise") == ["toe_raise", "dorsiflexion", "toe_raise"]
    # eversion, a crossed rest in a view that tells nothing: back to eversion (the order said toe raises)
    assert _follow_provisional(monkeypatch, rest, OBLIQUE, "eversion") == ["eversion", "dorsiflexion", "eversion"]
    # eversion from the front, stands 4 s, sits again: eversion (seated is a heel raise's position too)
    stand = [(8, "seated"), (12, "standing"), (20, "seated")]
    assert _follow_provisional(monkeypatch, stand, FRONT, "eversion") == ["eversion", "heel_raise", "eversion"]


def test_the_routine_remembers_what_was_done_after_going_back():
    """r07: dorsiflexion, heel raises, dorsiflexion again (went back): the overlay keeps the
    progress, and the target reached moves on to an exercise not done yet."""
    r = Routine("dorsiflexion", True)
    r.mark_done()
    r.go_to(r.order.index("heel_raise"))
    r.mark_done()
    r.go_to(0)
    assert r.step_text == "exercise 1 of 5, 2 done"
    order = []
    while r.advance():
        order.append(r.current)
    assert order == ["abduction", "toe_raise", "eversion"] and r.done  # heel raises not again


def test_the_new_set_starts_where_the_foot_became_still():
    """r01: the leg uncrossed 9.6-11.8 s, still until the first toe raise at 13.07 s: the new set
    is given the still foot, not the end of the move, and still when the first rep has begun."""
    from tracker.bench.routine import ROUTINE_CORPUS
    from tracker.exercises import EXERCISES
    from tracker.pose.recording import load_recording

    if not (ROUTINE_CORPUS / "r01.npz").exists():
        pytest.skip("tests/routine_corpus is absent")
    rec = load_recording(ROUTINE_CORPUS / "r01.npz")
    frames = [(float(t), p) for t, p in zip(rec.t, rec.frames())]
    since = position_watch.still_since([f for f in frames if 9.0 <= f[0] <= 13.8], EXERCISES["toe_raise"],
                                       ("left",), 1.0)
    assert since is not None and 11.5 <= since <= 13.07 - 0.9, since
    assert position_watch.still_since([f for f in frames if 9.6 <= f[0] <= 11.0], EXERCISES["toe_raise"],
                                      ("left",), 1.0) is None  # moving all along
