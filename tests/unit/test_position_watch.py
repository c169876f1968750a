"""``live --routine`` follows the patient from position to position (position_watch.py), back to
an exercise already done too: synthetic body cues (the position and the camera view the body
shows) fed frame by frame, as ``recognise.body_cues`` would read them from a camera."""
from __future__ import annotations

import json
from dataclasses import replace
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
    def row(ex: str):
        return SimpleNamespace(info=SimpleNamespace(exercise=ex), reps_counted=2, reps_low_confidence=0)

    flagged = ("heel_raise", replace(rep(16.0), counted=False))
    rows = [row("dorsiflexion"), row("heel_raise")]
    forward_only = score(meta, [(0.0, "dorsiflexion"), (8.0, "heel_raise")], [*reps, flagged], rows, 0.5)
    assert [(s["exercise_ok"], s["count_ok"]) for s in forward_only["sets"]] == [(True, True), (True, True),
                                                                                  (False, False)]
    assert forward_only["sets"][2]["counted_as_other"] == 2 and forward_only["reps_in_transitions"] == [
        ("heel_raise", 24.0)]
    # a flagged rep between sets is reported apart, and a row beyond one per truth set (a wrong move's)
    assert forward_only["flagged_in_transitions"] == [("heel_raise", 16.0)] and forward_only["extra_rows"] == 0
    back = [(e if r.peak_t < 20 else "dorsiflexion", r) for e, r in reps]
    went_back = score(meta, [(0.0, "dorsiflexion"), (8.0, "heel_raise"), (19.0, "dorsiflexion")], back[:-1],
                      [row("toe_raise"), *rows, row("dorsiflexion")], 0.5)
    assert all(s["count_ok"] for s in went_back["sets"]) and went_back["reps_in_transitions"] == []
    assert went_back["extra_rows"] == 1


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


def test_the_position_alone_never_moves_the_first_set(monkeypatch):
    """Started on dorsiflexion (the leg crossed), the body standing or seated feet down and still:
    no move (before: 2 s in the position moved it; most sessions start by settling, standing at
    the camera or seated before the leg is crossed). A rep there moves it (``StartCandidate``)."""
    assert _follow_provisional(monkeypatch, [(8, "standing")], SIDE, "dorsiflexion") == ["dorsiflexion"]
    assert _follow_provisional(monkeypatch, [(8, "seated")], SIDE, "dorsiflexion") == ["dorsiflexion"]
    went = _follow_provisional(monkeypatch, [(3, "standing"), (10, "crossed")], SIDE, "dorsiflexion")
    assert went == ["dorsiflexion"], went


def test_a_set_begun_by_n_is_not_taken_back_while_the_patient_gets_there(monkeypatch):
    """Only the session's first set moves on from a position it never showed: after ``n`` (or the
    target) the body is still in the position of the set before while the patient gets there."""
    shoulders, foot = SIDE
    monkeypatch.setattr(position_watch, "body_cues", lambda px: _cues("crossed", shoulders))
    monkeypatch.setattr(position_watch, "foot_ratio", lambda px, side: foot)
    session = SimpleNamespace(routine=Routine("dorsiflexion", True), lock=SimpleNamespace(side="left"))
    watch, r = PositionWatch(session, 1.0), session.routine
    pose = SimpleNamespace(detected=True, pixels=np.zeros((33, 3)), visibility=np.ones(33))
    moves = []
    for i in range(int(20 * FPS)):
        t = i / FPS
        if t >= 5 and r.current == "dorsiflexion":
            r.advance()  # n: ab/adduction, still crossed (seen at once); then n again: toe raises
            r.advance()
        moves.append(watch.decide(t, pose, r.order, r.pos))
    assert r.current == "toe_raise" and not any(moves), [m for m in moves if m]


def _first_moves(clip: str, session, until: float = 60.0) -> list:
    """``clip`` through a first set's watch (dorsiflexion, ``--routine``): the moves decided."""
    from tracker.bench.routine import ROUTINE_CORPUS
    from tracker.pose.recording import load_recording

    if not (ROUTINE_CORPUS / f"{clip}.npz").exists():
        pytest.skip("tests/routine_corpus is absent")
    rec = load_recording(ROUTINE_CORPUS / f"{clip}.npz")
    image = np.full((rec.height, rec.width, 3), 128, np.uint8)
    watch, order, moves = PositionWatch(session, 1.0), list(ROUTINE), []
    for t, pose in zip(rec.t, rec.frames()):
        if t > until:
            break
        move = watch.decide(float(t), pose, order, 0, image=image)
        move is not None and moves.append((float(t), move))
    return moves


def _lock(side):
    return SimpleNamespace(side=side, candidates=[side] if side else ["left", "right"], _pending={})


def test_a_move_from_the_first_exercise_comes_with_a_counted_rep_done_there():
    """r10 starts seated for toe raises: the session moves there with the toe-raise counter that
    counted beside the first set, its first rep counted, the frames from the still start on
    (r10's first toe raise, 1.33 s, was once lost: 3 of 4); the position then judged once more."""
    from tracker.bench.routine import ROUTINE_CORPUS

    moves = _first_moves("r10", SimpleNamespace(lock=_lock("right")), until=12.0)
    t, move = moves[0]
    assert ROUTINE[move.k] == "toe_raise" and move.unseen and move.left == "crossed", move
    first = json.loads((ROUTINE_CORPUS / "r10_meta.json").read_text())["sets"][0]["rep_bounds_s"][0]
    reps = [r for _, r in move.found if r.counted]
    assert move.since <= 1.0 and reps and reps[0].start_t <= first[0] + 0.5, (move.since, move.found)
    assert t - reps[0].end_t >= position_watch.WINDOW_S, (t, reps)


def test_a_rep_of_the_first_exercise_found_keeps_it_in_any_set_at_its_position():
    """Any rep of the first exercise found (counted, flagged, waiting for the side), in any set at
    its position (``r`` writes one and starts another, empty), keeps the session there: the
    patient is doing it, the position misjudged (c002). r02 (standing, heel raises) moves only
    when none was found."""
    rep = SimpleNamespace(counted=False)
    for kw, moves in (({}, True), ({"record": SimpleNamespace(reps=[rep])}, False),
                      ({"sets": ["the row written before r"]}, False)):
        session = SimpleNamespace(lock=_lock("right"), **kw)
        assert bool(_first_moves("r02", session, until=10.0)) == moves, kw
    pending = _lock(None)
    pending._pending = {"left": [rep], "right": []}
    assert not _first_moves("r02", SimpleNamespace(lock=pending), until=10.0)


def test_the_counter_beside_the_first_set_is_the_sessions_mode_and_hold():
    """r02 (standing, heel raises) from dorsiflexion with ``--mode passive`` and a hold: the counter
    handed over is built as the session builds its sets (before: active, no hold; a carer-moved
    leg then flagged "leg moved" in the handed-over set)."""
    session = SimpleNamespace(lock=_lock("right"), mode="passive", routine=SimpleNamespace(hold_s=0.0))
    t, move = _first_moves("r02", session, until=10.0)[0]  # (a hold would keep r02's quick raises from counting)
    assert move.counter.counters["right"]._log.passive, move
    counter = position_watch.StartCandidate(3, "standing", position_watch.EXERCISES["heel_raise"], ["right"], 1.0,
                                            0.0, 0.0, 0.5, "passive").counter
    assert counter.counters["right"]._log.passive and counter.counters["right"].hold_s == 0.5


def test_the_counter_beside_the_first_set_catches_up_a_few_frames_a_frame(monkeypatch):
    """Created, it is given the frames since the foot became still (up to ``REPLAY_S``): counted
    ``CATCH_UP`` a frame, not all at once (before: 60 frames in one step at 15 fps, 120 at 30 fps:
    the window stalled 0.5-0.7 s); the move still comes with every rep (r02: after its first)."""
    from tracker.app.live.set_counter import SetCounter

    calls, step = [0], SetCounter.step

    def counting(self, *a, **k):
        calls[0] += 1
        return step(self, *a, **k)

    monkeypatch.setattr(SetCounter, "step", counting)
    session, most = SimpleNamespace(lock=_lock("right")), []
    real = PositionWatch.decide

    def decide(self, *a, **k):
        calls[0] = 0
        out = real(self, *a, **k)
        most.append((calls[0], out is not None))
        return out

    monkeypatch.setattr(PositionWatch, "decide", decide)
    moves = _first_moves("r02", session, until=10.0)
    # up to the first move (this session never makes it, so the watch would start again)
    steps = [n for n, _ in most[:[m for _, m in most].index(True) + 1]]
    assert moves and max(steps) <= position_watch.CATCH_UP, (steps, moves)
    assert [r.counted for _, r in moves[0][1].found][:1] == [True], moves


def test_reps_handed_over_on_one_frame_lock_the_side_that_moved_more():
    """``--side auto``: two heels lifting together end their reps on one frame; handed over (the
    found reps of ``StartCandidate``) they are offered as ``_take`` offers them, the larger first,
    so the lock goes to the foot that did the exercise (before: in the order found, left first)."""
    from tracker.app.live.position_watch import EXERCISES, Move
    from tracker.app.live.session import LiveSession
    from tracker.app.live.set_counter import SetCounter
    from tracker.records import Rep

    def rep(side: str, rom: float) -> Rep:
        return Rep(1, 2.0, 2.5, 3.0, 0.0, rom, rom, 1.0, False, False, 1.0, True, side)

    sess = LiveSession(SimpleNamespace(), "dorsiflexion", routine=True, side="auto", source="x")
    k = sess.routine.order.index("heel_raise")
    counter = SetCounter(EXERCISES["heel_raise"], ["left", "right"], 1.0)
    sess.move_to(Move(k, "crossed", unseen=True, counter=counter, found=(("left", rep("left", 6.0)),
                                                                        ("right", rep("right", 20.0))), since=1.0),
                 None, 3.5)
    assert sess.exercise.key == "heel_raise" and sess.lock.side == "right", sess.lock.side
