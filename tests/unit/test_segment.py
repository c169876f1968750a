"""A long recording cut into sets (tracker/counting/segment.py): synthetic landmark
sequences with known set boundaries, and corpus recordings of three exercises played one
after the other with still pauses between them. (No rendered routine clip exists yet.)"""
from __future__ import annotations

import numpy as np
import pytest

from tracker.bench.corpus import CORPUS, subsample
from tracker.counting.offline import analyze_recording
from tracker.counting.segment import active_stretches, activity, cut, recognise_sets
from tracker.exercises import EXERCISES
from tracker.pose.recording import PoseRecording, load_recording

from synthlegs import make_recording, rep_profile

FPS = 15.0


def _two_sets():
    """Still 4 s, 5 reps, still 6 s, 6 reps, still 1 s."""
    t = np.arange(0, 42, 1 / FPS)
    a = rep_profile(t, 5, 12.0, start_s=4.0)  # reps 4.0-19.0 (3 s each, the last rest still)
    b = rep_profile(t, 6, 12.0, start_s=24.0)  # reps 24.0-42.0
    return t, make_recording(t, dorsi=a + b, noise_px=0.3), [(4.0, 18.0), (24.0, 41.0)]


def test_sets_are_cut_at_the_pauses_and_counted_on_their_own():
    t, rec, truth = _two_sets()
    sets = active_stretches(rec.t, activity(rec))
    assert len(sets) == 2
    for s, (a, b) in zip(sets, truth):
        assert abs(s.start_s - a) <= 1.5 and abs(s.end_s - b) <= 1.5
    counts = [analyze_recording(cut(rec, s), EXERCISES["dorsiflexion"], side="left").summary.reps_counted
              for s in sets]
    assert counts == [5, 6]


def test_a_still_recording_has_no_set_and_a_hold_does_not_split_one():
    t = np.arange(0, 20, 1 / FPS)
    assert active_stretches(t, activity(make_recording(t, noise_px=0.3))) == []
    held = make_recording(t, dorsi=rep_profile(t, 4, 12.0, start_s=2.0, hold_s=2.5), noise_px=0.3)
    assert len(active_stretches(t, activity(held))) == 1


def _still(rec: PoseRecording, seconds: float, t0: float, frame: int) -> PoseRecording:
    """One frame held still for ``seconds`` (a pause), timed from ``t0``."""
    n = int(seconds * FPS)
    rep = lambda a: np.repeat(a[frame:frame + 1] if frame >= 0 else a[-1:], n, axis=0)  # noqa: E731
    return PoseRecording(t0 + np.arange(n) / FPS, rep(rec.norm), rep(rec.visibility), rep(rec.presence),
                         rep(rec.world), rep(rec.people), rep(rec.index), rec.width, rec.height, dict(rec.meta))


def _join(parts: list[PoseRecording]) -> PoseRecording:
    out, t0 = [], 0.0
    for p in parts:
        t = p.t - p.t[0] + t0
        out.append(PoseRecording(t, p.norm, p.visibility, p.presence, p.world, p.people, p.index, p.width, p.height,
                                 p.meta))
        t0 = t[-1] + 1 / FPS
    cat = lambda k: np.concatenate([getattr(p, k) for p in out])  # noqa: E731
    return PoseRecording(cat("t"), cat("norm"), cat("visibility"), cat("presence"), cat("world"), cat("people"),
                         np.arange(sum(len(p) for p in out), dtype=np.int32), out[0].width, out[0].height,
                         dict(out[0].meta, source={"fps": FPS}))


@pytest.mark.skipif(not (CORPUS / "c030_heel_raise.npz").exists(), reason="tests/corpus is absent")
def test_each_set_of_a_joined_routine_is_recognised():
    clips = ["c030_heel_raise", "c074_toe_raise", "c034_dorsiflexion"]  # 480x360, 15 fps each
    parts, truth, t0 = [], [], 0.0
    for c in clips:
        rec = subsample(load_recording(CORPUS / f"{c}.npz"), FPS)
        parts += [_still(rec, 4.0, 0.0, 0), rec, _still(rec, 4.0, 0.0, -1)]  # the clips' own first/last frames
        truth.append((t0 + 4.0, t0 + 4.0 + len(rec) / FPS))
        t0 += 8.0 + len(rec) / FPS
    found = recognise_sets(_join(parts))  # the jump from one body to the next is not a set
    assert [f.recognition.exercise for f in found] == ["heel_raise", "toe_raise", "dorsiflexion"]
    for f, (a, b) in zip(found, truth):
        assert abs(f.stretch.start_s - a) <= 1.5 and abs(f.stretch.end_s - b) <= 1.5


def test_the_view_is_judged_once_by_the_fit_not_again_by_the_counter():
    """Dorsiflexion filmed from the front: its counter refuses every rep for the view, but the
    recogniser's movement evidence still sees the reps (the view is its own, soft factor), so
    a wrong view lowers the fit instead of hiding that the foot moved."""
    from tracker.counting.recognise import body_cues, fit_exercise, to_pixels

    t = np.arange(0, 14, 1 / 15)
    ex = EXERCISES["dorsiflexion"]
    for view in ("side", "front"):
        rec = make_recording(t, rep_profile(t, 3, 20.0), view=view, noise_px=0.3)
        px = to_pixels(rec)
        fit = fit_exercise(rec, px, ex, body_cues(px), side="left")
        counted = analyze_recording(rec, ex, side="left").summary.reps_counted
        assert fit.reps >= 2, view
        assert (counted >= 2, fit.view > 0.5) == ((True, True) if view == "side" else (False, False)), view
