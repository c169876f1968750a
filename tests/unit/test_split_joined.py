"""Cutting a stretch that joins two sets in one position (tracker/counting/routine.py,
``_quiet_cuts`` and ``split_joined``): where it may cut, what it accepts, and that each part
is counted over the frames it was recognised on. Synthetic activity and recordings; the
recogniser is replaced by one that answers from the part's time."""
from __future__ import annotations

import numpy as np

from tracker.counting import routine
from tracker.counting.recognise import BodyCues, ExerciseFit, Recognition
from tracker.counting.routine import SPLIT_WINDOW_S, _quiet_cuts, _with_margin, split_joined
from tracker.counting.segment import MIN_SET_S, Stretch, activity

from synthlegs import make_recording, rep_profile

FPS = 15.0
CUES = BodyCues(0.0, 1.0, 0.0, float("nan"), float("nan"), 0.6)


def _answer(exercise: str, verdict: str = "recognised") -> Recognition:
    fit = ExerciseFit(exercise, "left", 1.0, 1.0, 3, 0.4)
    return Recognition(exercise if verdict == "recognised" else None, 0.9, verdict, (fit,), CUES)


def _by_time(part, **_k) -> Recognition:
    """Dorsiflexion before the pause (16-17 s), ab/adduction after it, unsure across it."""
    if part.t[-1] < 17.5:
        return _answer("dorsiflexion")
    return _answer("abduction") if part.t[0] > 16.0 else _answer("dorsiflexion", "unsure")


def _whole(t: np.ndarray) -> Stretch:
    return Stretch(0, len(t), 0.0, float(t[-1]))


def test_a_cut_leaves_a_whole_set_on_either_side_of_its_quiet_window():
    """r12: a quiet moment 3.2 s into a stretch was cut, leaving a 1.8 s part (its first rep),
    counted 0. A cut must leave ``MIN_SET_S`` on each side once the window is left out."""
    t = np.arange(450) / FPS  # 30 s
    act = np.full(450, 3.0)
    act[40:56] = 0.2  # 2.7-3.7 s: the quietest, but too near the start
    act[225:240] = 0.6  # 15-16 s: the pause
    cuts = _quiet_cuts(t, act, _whole(t))
    room = MIN_SET_S + SPLIT_WINDOW_S / 2
    assert cuts and all(t[c] >= room and t[-1] - t[c] >= room for c in cuts)
    assert 225 <= cuts[0] < 240


def test_a_flat_stretch_is_one_moment_to_try_not_three():
    """Unseen frames read as still (activity 0): a 3 s flat stretch gave all three tries
    within 0.15 s of each other, and the real pause was never tried."""
    t = np.arange(450) / FPS
    act = 2.0 + np.random.default_rng(0).random(450)
    act[90:135] = 0.0  # 6-9 s: the foot unseen
    act[300:330] = 0.5  # 20-22 s: the real pause
    cuts = _quiet_cuts(t, act, _whole(t))[:3]
    assert any(20.0 <= t[c] <= 22.0 for c in cuts)
    assert all(abs(t[a] - t[b]) >= SPLIT_WINDOW_S for i, a in enumerate(cuts) for b in cuts[i + 1:])
    assert len(_quiet_cuts(t, np.zeros(450), _whole(t))) <= int(t[-1] / SPLIT_WINDOW_S) + 1  # all flat: not 400


def _two_sets():
    """Five dorsiflexions, a 1 s pause (activity bridges it), five more: one stretch."""
    t = np.arange(0, 36, 1 / FPS)
    angle = rep_profile(t, 5, 12.0, start_s=2.0) + rep_profile(t, 5, 12.0, start_s=18.0)
    return make_recording(t, dorsi=angle, noise_px=0.3)


def test_a_cut_needs_both_sides_recognised(monkeypatch):
    """One side recognised and the other unsure was enough: the unsure side then went
    uncounted with reps in it (r12). Now both must be recognised, as different exercises."""
    rec = _two_sets()
    t, act = rec.t, activity(rec)

    def unsure_after(part, **_k):
        return _answer("dorsiflexion") if part.t[-1] < 17.0 else _answer("abduction", "unsure")

    monkeypatch.setattr(routine, "recognise", unsure_after)
    assert len(split_joined(rec, act, _whole(t), 0, len(t))) == 1

    monkeypatch.setattr(routine, "recognise", _by_time)
    parts = split_joined(rec, act, _whole(t), 0, len(t))
    assert [p.recognition.exercise for p in parts] == ["dorsiflexion", "abduction"]


def test_each_part_is_counted_over_the_frames_it_was_recognised_on(monkeypatch):
    """Counting took each part's rest margin up to the region's edges, recognition only up to
    the cut: with a 1 s window the two counted windows overlapped (the same frames counted in
    two sets). The parts' own bounds now serve both."""
    rec = _two_sets()
    monkeypatch.setattr(routine, "SPLIT_WINDOW_S", 1.0)
    monkeypatch.setattr(routine, "recognise", _by_time)
    counted = []
    real = routine.analyze_recording

    def logged(part, *a, **k):
        counted.append((float(part.t[0]), float(part.t[-1])))
        return real(part, *a, **k)

    monkeypatch.setattr(routine, "analyze_recording", logged)
    sets = routine.analyse_routine(rec).sets
    assert [s.exercise for s in sets] == ["dorsiflexion", "abduction"]
    assert len(counted) == 2 and counted[0][1] < counted[1][0], counted


def test_parts_keep_the_bounds_their_margin_may_take(monkeypatch):
    rec = _two_sets()
    t = rec.t
    monkeypatch.setattr(routine, "recognise", _by_time)
    a, b = split_joined(rec, activity(rec), _whole(t), 0, len(t))
    assert a.lo == 0 and b.hi == len(t) and a.hi == b.lo
    wa, wb = _with_margin(t, a.stretch, a.lo, a.hi), _with_margin(t, b.stretch, b.lo, b.hi)
    assert wa.end <= wb.start
