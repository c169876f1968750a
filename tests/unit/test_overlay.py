"""The overlay draws on any frame size, changes pixels, never touches the input frame, and
shows the count where ``count_box`` says (the live window test relies on that)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tracker.sinks.drawing import count_box
from tracker.sinks.overlay import ANNOTATORS, OverlayView, draw_overlay

STAGES = ("calibrating", "ready", "lift", "lower", "hold", "paused", "complete")


def _view(h: int, w: int, **kw) -> OverlayView:
    leg = {"hip": (0.6 * w, 0.6 * h), "knee": (0.45 * w, 0.57 * h), "ankle": (0.41 * w, 0.78 * h),
           "heel": (0.43 * w, 0.81 * h), "toe": (0.33 * w, 0.78 * h)}
    base = dict(title="Ankle dorsiflexion", cue="Pull your foot up toward your knee, then lower it", count=7,
                target=10, low_confidence=1, angle_deg=14.0, rest_deg=-17.0, best_deg=26.0, range_deg=24.0,
                stage="lift", mode="active", side="left", leg=leg, fps=29.7,
                last_rep_note="leg moved 7 deg: start the movement from the ankle",
                goal="Goal to beat: 9 reps, best 24°", hint="space pause | n next | q quit", flash=0.5)
    base.update(kw)
    return OverlayView(**base)


def _frame(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(h * w)
    return rng.integers(60, 200, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("h,w", [(240, 320), (480, 640), (720, 1280), (1080, 1920), (1920, 1080), (120, 160)])
def test_draws_on_any_size_and_changes_pixels(h, w):
    img = _frame(h, w)
    before = img.copy()
    out = draw_overlay(img, _view(h, w))
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(img, before), "the input frame must not be modified"
    changed = np.any(out != img, axis=2).mean()
    assert 0.05 < changed < 0.9, changed
    x0, y0, x1, y1 = count_box(h, w)
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("h,w", [(240, 320), (1080, 1920)])
def test_every_stage_and_message(stage, h, w):
    msg = "Turn sideways to the camera: ankle dorsiflexion needs a side view" if stage == "paused" else ""
    out = draw_overlay(_frame(h, w), _view(h, w, stage=stage, message=msg, count=10 if stage == "complete" else 3))
    assert out.shape == (h, w, 3)


def test_missing_values_and_long_text_do_not_crash():
    h, w = 240, 320
    v = _view(h, w, angle_deg=math.nan, range_deg=math.nan, rest_deg=math.nan, best_deg=0.0, fps=None,
               leg={"hip": None, "knee": (10.0, 10.0), "ankle": (math.nan, 5.0), "heel": None, "toe": None},
               title="A very long exercise title that will never fit in the header of a small frame",
               cue=" ".join(["word"] * 80), message=" ".join(["guidance"] * 60), goal=None, hint="",
               last_rep_low_confidence=True, last_rep_assisted=True, approximate=True, target=0, count=0,
               step="exercise 2 of 5")
    draw_overlay(_frame(h, w), v)
    draw_overlay(_frame(h, w), OverlayView())  # all defaults


def test_count_region_shows_the_count():
    h, w = 480, 640
    blank = np.zeros((h, w, 3), np.uint8)
    x0, y0, x1, y1 = count_box(h, w)
    crops = {n: draw_overlay(blank, _view(h, w, count=n, flash=0.0))[y0:y1, x0:x1] for n in (0, 1, 9, 10)}
    for a in crops:
        for b in crops:
            if a != b:
                assert np.abs(crops[a].astype(int) - crops[b].astype(int)).mean() > 1.0, (a, b)
    # the box is opaque: the same count reads the same on any background
    other = draw_overlay(_frame(h, w), _view(h, w, count=9, flash=0.0))[y0:y1, x0:x1]
    assert np.array_equal(other, crops[9])


def test_annotators_are_separable():
    h, w = 480, 640
    img = _frame(h, w)
    for a in ANNOTATORS:
        out = draw_overlay(img, _view(h, w, stage="complete", count=10, message=""), annotators=(a,))
        assert out.shape == img.shape


def test_rejects_non_bgr():
    with pytest.raises(ValueError):
        draw_overlay(np.zeros((10, 10), np.uint8), OverlayView())


def test_cached_count_box_is_identical_to_a_fresh_drawing():
    from tracker.sinks.overlay import CountAnnotator

    h, w = 720, 1280
    cached = CountAnnotator()
    for n in (3, 4, 3):
        for flash in (0.0, 0.37, 1.0):
            v = _view(h, w, count=n, flash=flash, stage="hold")
            img = _frame(h, w)
            a = draw_overlay(img, v, annotators=(cached,))
            b = draw_overlay(img, v, annotators=(CountAnnotator(),))
            assert np.array_equal(a, b)
