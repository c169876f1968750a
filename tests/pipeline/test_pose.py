"""The pose stage on composed frames: small people are found, a second person is ignored."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tracker.pose.estimator import PoseEstimator, PoseFrame
from tracker.pose.landmarks import LEFT_HIP, RIGHT_HIP
from tracker.sources.capture import open_source
from tracker.sources.frames import Frame

from conftest import shared_path

pytestmark = pytest.mark.slow


def _frames(name: str, n: int):
    with open_source(shared_path("rendered", name)) as src:
        return [f for _, f in zip(range(n), src)]


def test_small_person_found_by_tile_search_and_roi():
    """A person ~250 px tall in a 1280x960 frame: invisible to the full-frame detector,
    found by the tile search and then followed with a crop."""
    frames = _frames("heel_raise_side_casual.mp4", 60)

    def feet_found(roi: bool) -> int:
        n = 0
        with PoseEstimator("full", roi=roi) as est:
            for f in frames:
                canvas = np.full((960, 1280, 3), 200, np.uint8)
                canvas[600:900, 850:1250] = cv2.resize(f.image, (400, 300))
                pf = est.process(Frame(f.index, f.t, canvas))
                n += bool(pf.detected and np.isfinite(pf.norm[27:33, 0]).all())
        return n

    with_roi, without = feet_found(True), feet_found(False)
    assert with_roi >= 0.6 * len(frames)
    assert with_roi > without + 20


def test_second_person_does_not_steal_the_track():
    """The patient is tracked; a helper who steps in later (bigger, beside them) is ignored."""
    frames = _frames("crossed_dorsi_side_casual.mp4", 60)
    hips = []
    with PoseEstimator("full") as est:
        for f in frames:
            patient = cv2.resize(f.image, (512, 384))
            canvas = np.full((480, 1280, 3), 190, np.uint8)
            canvas[96:480, 0:512] = patient
            if f.index >= 20:
                canvas[:, 640:1280] = cv2.flip(f.image, 1)  # a larger second person appears
            pf = est.process(Frame(f.index, f.t, canvas))
            if pf.detected:
                hips.append(float(np.mean(pf.pixels[[LEFT_HIP, RIGHT_HIP], 0])))
    assert len(hips) >= 50
    assert max(hips) < 640  # never jumped to the helper on the right


def test_empty_frames_give_no_person():
    with PoseEstimator("lite") as est:
        pf = est.process(Frame(0, 0.0, np.zeros((240, 320, 3), np.uint8)))
    assert isinstance(pf, PoseFrame) and not pf.detected and pf.people == 0
    assert np.isnan(pf.norm).all()
