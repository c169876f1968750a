"""Which box the live close-up keeps for the foot (``LiveFoot._look``), and what the live
counter does when the box moves (``CloseupSetCounter``): the cases a review found wrong —
a tall narrow kept blob that lost to an equal one, a kept box that stopped growing, a wrong
first box kept for many reps, and a counter that kept what it learned on the wrong box."""
from __future__ import annotations

import math
from collections import deque

import cv2
import numpy as np
import pytest
from closeup_scene import Scene, _texture, rep_angles

from tracker.closeup.online import KEEP_S, SWITCH_SCORE, LiveFoot, Sample


def _found_on(m: np.ndarray, moving: bool = True) -> LiveFoot:
    """A live foot found on the change map ``m``; its box's changed edges came and went lately
    (``moving``) or stayed the same."""
    foot = LiveFoot(320, 240)
    rest = np.full((240, 320), 60, np.uint8)
    cv2.rectangle(rest, (100, 150), (230, 180), 200, -1)  # something to align on (a usable rest frame)
    foot.push(0.0, rest)
    foot._persist.total, foot._persist.n = m.copy(), 1
    assert foot._look()
    foot._weights = deque([(0.0, 0.0 if moving else 100.0), (0.1, 100.0)])
    return foot


def _weight(rows: slice, cols: slice) -> float:
    """A blob's score per unit of changed share (``change_blobs``: weighted toward the bottom)."""
    return float((np.ones((240, 320))[rows, cols] * (0.5 + np.arange(240)[rows, None] / 240)).sum())


def test_a_tall_narrow_found_blob_keeps_the_foot_from_an_equal_squat_one():
    """The blobs' own scores are compared, not their boxes' (cut to height <= width from the
    bottom): a 12x45 kept blob and a squat one scoring 1 % more did move (box scores 2.5x apart)."""
    m = np.zeros((240, 320), np.float32)
    m[127:172, 60:72] = 0.3  # 12 wide, 45 high: its box keeps the bottom 12 rows
    foot = _found_on(m)
    kept = foot.box
    squat = slice(150, 172), slice(200, 225)
    m[squat] = 1.01 * 0.3 * _weight(slice(127, 172), slice(60, 72)) / _weight(*squat)
    foot._persist.total = m
    assert not foot._look() and foot.box == kept


def test_a_refused_move_still_grows_the_found_box_with_its_own_blob():
    """Later reps sweep more than the first (what the box grows for); another blob a little
    stronger elsewhere must not stop that (it covered 74 % of the foot's blob)."""
    m = np.zeros((240, 320), np.float32)
    m[156:172, 50:80] = 0.3
    foot = _found_on(m)
    m[150:172, 50:92] = 0.3  # the foot swept further
    m[150:172, 200:242] = 0.32  # another blob, 7 % stronger, not enough to move
    foot._persist.total = m
    assert not foot._look()
    x0, y0, x1, y1 = foot.box
    assert x0 <= 50 and x1 >= 92 and y1 >= 172 and x1 < 200


@pytest.mark.parametrize("moving, moves", [(True, False), (False, True)])
def test_a_found_box_gone_still_is_left_for_a_stronger_blob(moving, moves):
    """The change map sums since rest, so a wrong first box (the other foot moved once and left
    there, a hand that passed) keeps its score; while the found box still moves only a far
    stronger blob takes it, once it is still any stronger one does."""
    m = np.zeros((240, 320), np.float32)
    m[150:172, 50:80] = 0.3
    foot = _found_on(m, moving)
    m[150:172, 200:230] = 0.3 * 0.5 * (1 + SWITCH_SCORE)  # stronger, but short of SWITCH_SCORE
    foot._persist.total = m
    assert foot._look() is moves
    assert (foot.box[0] > 150) is moves


class _MovedFoot:
    """Stands in for ``LiveFoot``: per-frame foot angles on a first box, then at ``move_t`` the
    foot found elsewhere: every frame so far measured again (``second``), as ``LiveFoot`` does."""

    found = False  # (a scout's foot, already found, would be replayed at the first frame)

    def __init__(self, t: np.ndarray, first: np.ndarray, second: np.ndarray, move_t: float):
        self.t, self.first, self.second, self.move_t = t, first, second, move_t
        self.moved = False

    def push(self, t: float, image) -> list[Sample]:
        i = int(np.searchsorted(self.t, t))
        self.moved = self.t[i - 1] < self.move_t <= t if i else False
        if self.moved:
            return [Sample(x, a, 0.0, 1.0, 1000) for x, a in zip(self.t[:i + 1], self.second[:i + 1])]
        return [Sample(t, (self.second if t >= self.move_t else self.first)[i], 0.0, 1.0, 1000)]

    def anchor_px(self) -> np.ndarray:
        return np.array([160.0, 120.0])

    def foot_size_px(self) -> float:
        return 80.0


class _KeptFoot(_MovedFoot):
    """As ``LiveFoot``: a move measures again only the frames kept (``KEEP_S``)."""

    def push(self, t: float, image) -> list[Sample]:
        out = super().push(t, image)
        return [s for s in out if t - s.t <= KEEP_S] if self.moved else out


def _live_run(first, second, t, move_t, paused=lambda tk: False):
    """Every rep emitted (saved and spoken), and the counter (what the screen reads)."""
    from tracker.app.live.closeup_counter import CloseupSetCounter
    from tracker.app.live.session import CALIB_S
    from tracker.exercises import get_exercise

    live = CloseupSetCounter(get_exercise("toe_raise"), "unknown", CALIB_S, foot=_KeptFoot(t, first, second, move_t))
    reps = [r for tk in t for r in live.step(tk, None, None, paused(tk))[2]] + live.finish()
    return [r for _, r in reps], live


def _live_count(first: np.ndarray, second: np.ndarray, t: np.ndarray, move_t: float) -> list:
    return [r for r in _live_run(first, second, t, move_t)[0] if r.counted]


def _hand(t: np.ndarray, *starts: float) -> np.ndarray:
    """A hand's 50° swing of 1.4 s from each start, on the first box."""
    return sum(50 * np.clip(np.sin(np.pi * (t - a) / 1.4), 0, None) * ((t > a) & (t < a + 1.4)) for a in starts)


def _shown_is_saved(reps: list, live) -> None:
    st = live.counters["unknown"].state
    assert (st.count, st.low_confidence) == (sum(r.counted for r in reps), sum(not r.counted for r in reps))


def test_the_count_shown_after_a_move_is_the_count_saved():
    """A review: the screen read the fresh counter's own count, not the reps saved and spoken —
    the hand scene saved 7 and showed 6; 14 reps with a move at 30 s (15 s kept) showed 7."""
    t = np.arange(0, 16, 1 / 30)
    reps, live = _live_run(_hand(t, 0.3), rep_angles(t, 6, -20.0, start_s=3.0), t, 9.0)
    assert sum(r.counted for r in reps) == 7
    _shown_is_saved(reps, live)
    t = np.arange(0, 40, 1 / 30)
    foot = rep_angles(t, 14, 20.0, start_s=1.0)
    reps, live = _live_run(0.8 * foot, foot, t, 30.0)
    assert sum(r.counted for r in reps) == 14
    _shown_is_saved(reps, live)


def test_frames_measured_again_keep_the_pause_they_were_filmed_in():
    """A review: paused at 3-6.5 s, the box moved at 9 s, and the replay counted the reps made
    while paused (peaks 3.8 and 5.8 s)."""
    t = np.arange(0, 16, 1 / 30)
    reps, live = _live_run(_hand(t, 0.3), rep_angles(t, 6, -20.0, start_s=3.0), t, 9.0,
                           paused=lambda tk: 3.0 <= tk < 6.5)
    counted = [r.peak_t for r in reps if r.counted]
    assert not any(3.0 <= p < 6.5 for p in counted), counted
    assert sum(p > 6.5 for p in counted) == 4, counted
    _shown_is_saved(reps, live)


def test_a_rep_between_the_old_box_reps_is_not_dropped():
    """A review: the hand on the first box again at 7-8.4 s; the foot's reps at 3.8 and 5.8 s,
    long before that rep, were dropped on the move at 9 s (5 saved, the foot's box alone: 6)."""
    t = np.arange(0, 16, 1 / 30)
    reps, live = _live_run(_hand(t, 0.3, 7.0), rep_angles(t, 6, -20.0, start_s=3.0), t, 9.0)
    counted = sorted(round(r.peak_t, 1) for r in reps if r.counted)
    assert {3.8, 5.8, 9.8, 11.8, 13.8} <= set(counted), counted
    assert len(counted) == 7, counted  # + the hand's two; the foot's 7.8 s rep peaks inside the hand's
    assert sorted(r.index for r in reps) == list(range(1, len(reps) + 1))
    _shown_is_saved(reps, live)


def test_a_moved_box_starts_a_fresh_counter_on_its_frames_measured_again():
    """The first box was a hand (a 50° swing in the first 2 s): the counter learned its sign and
    never counted the foot's -20° reps. The box moved at 9 s: the foot's reps since 3 s, measured
    again, are counted, the hand's rep already shown stays shown."""
    t = np.arange(0, 16, 1 / 30)
    hand = 50 * np.clip(np.sin(np.pi * (t - 0.3) / 1.4), 0, None) * ((t > 0.3) & (t < 1.7))
    foot = rep_angles(t, 6, -20.0, start_s=3.0)
    counted = _live_count(hand, foot, t, 9.0)
    assert sum(r.peak_t > 3.0 for r in counted) == 6, [(r.peak_t, r.rom_deg) for r in counted]
    assert [r.index for r in counted] == list(range(1, len(counted) + 1))


def test_a_moved_box_does_not_count_a_rep_again():
    """The first box was part of the same foot (a front view's two blobs): the reps it counted
    before the move are not counted again from the frames measured again."""
    t = np.arange(0, 12, 1 / 30)
    foot = rep_angles(t, 5, 20.0, start_s=1.0)
    counted = _live_count(0.8 * foot, foot, t, 6.0)
    assert len(counted) == 5, [(r.peak_t, r.rom_deg) for r in counted]


def _other_foot_moved_once(seconds: float, reps: int):
    """The foot pumping from 3 s (the scene's), and the other foot, lower right, shifted 40 px at
    0.5-1.0 s and left there: it changed first, so the foot is first found on it."""
    sc = Scene(seconds=seconds, seed=3)
    t = sc.times()
    truth = rep_angles(t, reps, -20.0, start_s=3.0, rep_s=1.2, gap_s=0.8)
    tex = _texture(np.random.default_rng(7), 360, 640, 190, blur=3)
    for fr in sc.render(truth):
        g = cv2.cvtColor(fr.image, cv2.COLOR_BGR2GRAY)
        mask = np.zeros(g.shape, np.uint8)
        cv2.ellipse(mask, (int(540 - 40 * np.clip((fr.t - 0.5) / 0.5, 0, 1)), 310), (80, 35), 0, 0, 360, 255, -1)
        g[mask > 0] = tex[mask > 0]
        yield fr.t, cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)


def test_live_leaves_the_other_foot_moved_once_and_counts_every_rep():
    """A review's scene: the box stayed on the other foot until 16.5 s (its changed share stays
    for good, the foot's had to reach 1.5x it) and the counter kept the wrong box's state: 0 of 8."""
    from tracker.app.live.closeup_counter import CloseupSetCounter
    from tracker.app.live.session import CALIB_S
    from tracker.exercises import get_exercise

    live = CloseupSetCounter(get_exercise("toe_raise"), "unknown", CALIB_S)
    reps = [r for t, im in _other_foot_moved_once(12.0, 4) for r in live.step(t, im, None, False)[2]]
    reps += live.finish()
    assert live.foot.box[2] / live.foot.scale < 400  # on the foot (left), not the other one (x > 450)
    assert sum(r.counted for _, r in reps) == 4, [(r.peak_t, r.rom_deg) for _, r in reps]
    assert not math.isnan(live.foot.anchor_px()[0])
