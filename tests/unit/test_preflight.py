"""The start screen and the placement check as logic, without a window: a number or a click
chooses, the check names what is wrong (dark, nobody, the wrong view) and becomes ready only
after every item has held green, Enter skips it, the chooser returns after a completed set,
and nothing is counted while either is up."""
from __future__ import annotations

import numpy as np

from tracker.app.live.placement import READY_S, PlacementCheck
from tracker.app.live.preflight import Preflight
from tracker.app.live.session import COMPLETE_BANNER_S, LiveSession
from tracker.exercises import EXERCISES
from tracker.pose.replay import RecordingEstimator
from tracker.sources.frames import Frame

from synthlegs import make_recording

FPS = 30.0
GREY = np.full((480, 640, 3), 120, np.uint8)


def _session(rec, exercise="dorsiflexion", **kw) -> LiveSession:
    return LiveSession(RecordingEstimator(rec), exercise, source="synthetic", chose_exercise=False, **kw)


def _frames(n: int, image=GREY):
    return [Frame(i, i / FPS, image) for i in range(n)]


def test_a_number_or_a_click_chooses_and_the_check_follows_for_the_first_set():
    t = np.arange(0, 3, 1 / FPS)
    sess = _session(make_recording(t))
    pf = Preflight(sess, choose=True, check=True)
    frame = _frames(1)[0]
    pf.step(frame)
    assert pf.stage == "choose" and len(pf.rects) == len(EXERCISES)
    pf.handle_key(ord("9"))  # no such tile
    assert pf.stage == "choose"
    x0, y0, x1, y1 = pf.rects[list(EXERCISES).index("toe_raise")]
    pf.click((x0 + x1) // 2, (y0 + y1) // 2)
    assert sess.exercise.key == "toe_raise" and pf.stage == "check"
    pf.handle_key(13)  # Enter skips the check
    assert not pf.active


def test_the_check_turns_ready_only_after_every_item_held_green():
    t = np.arange(0, 6, 1 / FPS)
    sess = _session(make_recording(t), exercise="dorsiflexion")
    pf = Preflight(sess, choose=False, check=True)
    closed_at = None
    for f in _frames(len(t)):
        pf.step(f)
        if not pf.active:
            closed_at = f.t
            break
    assert closed_at is not None, [(i.label, i.ok) for i in pf.items]
    assert closed_at >= READY_S  # never at once: every item must hold
    assert sess.count == 0 and sess.set.tally.frames == 0  # nothing was counted meanwhile


def test_the_check_names_what_is_wrong():
    t = np.arange(0, 2, 1 / FPS)
    side = make_recording(t)
    est = RecordingEstimator(side)
    for ex, image, expect_red in (("eversion", GREY, "Front view"),  # a side view for a front-view exercise
                                  ("dorsiflexion", np.full_like(GREY, 10), "Light")):
        check = PlacementCheck(EXERCISES[ex])
        for f in _frames(len(t), image):
            items = check.update(f.t, f.image, est.process(f))
        red = [it.label for it in items if not it.ok]
        assert red == [expect_red], red
        assert not check.ready
    nobody = PlacementCheck(EXERCISES["dorsiflexion"])
    est = RecordingEstimator(side, missing=frozenset(range(len(t))))
    for f in _frames(len(t)):
        items = nobody.update(f.t, f.image, est.process(f))
    assert {it.label for it in items if not it.ok} >= {"Person", "Feet in picture"}


def test_the_chooser_comes_back_after_a_completed_set():
    t = np.arange(0, 3, 1 / FPS)
    sess = _session(make_recording(t))
    pf = Preflight(sess, choose=True, check=False)
    pf.handle_key(ord("1"))
    assert not pf.active
    sess.record.complete_at = 1.0  # the target was reached at t = 1 s
    assert not pf.after_set(sess, 1.0 + COMPLETE_BANNER_S / 2)  # the banner is still up
    assert pf.after_set(sess, 1.0 + COMPLETE_BANNER_S) and pf.stage == "choose"
    pf.handle_key(ord("2"))
    assert sess.exercise.key == "abduction" and not pf.active
    assert not pf.after_set(sess, 99.0)  # a new set: nothing completed yet


def test_c_opens_the_placement_check_only_where_there_is_one():
    """`--view closeup` has no body check (no pose model): `c` there recalibrates through the
    session instead of opening a check that would ask the missing model for landmarks (it
    crashed: a review found it)."""
    from tracker.app.live.loop import _on_key

    class _Pre:
        def __init__(self, enabled):
            self.check_enabled, self.opened = enabled, 0

        def open_check(self):
            self.opened += 1

    class _Session:
        keys: list = []

        def handle_key(self, key):
            self.keys.append(key)

    for enabled, opened, handled in ((True, 1, 0), (False, 0, 1)):
        pre, sess = _Pre(enabled), _Session()
        sess.keys = []
        _on_key(ord("c"), sess, screen=None, preflight=pre)
        assert (pre.opened, len(sess.keys)) == (opened, handled)
