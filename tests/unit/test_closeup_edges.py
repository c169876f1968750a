"""The close-up's edge measurement (tracker/closeup/edges.py, edgetrack.py): the turn of a
plain, textureless shape from its edge-direction histogram, still edges left out."""
from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from closeup_scene import Scene, rep_angles

from tracker.closeup.edges import (
    box_turn,
    foot_box,
    gradients,
    histogram_rotation,
    orientation_histogram,
    rest_index,
    tolerant_change,
)
from tracker.closeup.edgetrack import edge_track, same_exposure
from tracker.counting.closeup import analyze_track
from tracker.exercises import get_exercise


def _foot(angle_deg: float, size=(240, 320)) -> np.ndarray:
    """A plain light 'foot' (a long rounded polygon, no texture) on a dark floor, turned by
    ``angle_deg`` about its heel end (counter-clockwise on screen for positive angles)."""
    img = np.full(size, 60, np.uint8)
    pts = np.array([[100, 150], [230, 140], [250, 155], [235, 172], [100, 180], [88, 165]], np.float32)
    m = cv2.getRotationMatrix2D((100.0, 165.0), angle_deg, 1.0)
    cv2.fillPoly(img, [np.round(pts @ m[:, :2].T + m[:, 2]).astype(np.int32)], 200, lineType=cv2.LINE_AA)
    return img


def _turn(a: np.ndarray, b: np.ndarray) -> float:
    ga, gb = gradients(a), gradients(b)
    w = lambda g: np.hypot(*g)  # noqa: E731
    return histogram_rotation(orientation_histogram(*ga, w(ga)), orientation_histogram(*gb, w(gb)))


@pytest.mark.parametrize("angle", [-20.0, -7.0, 3.0, 12.0, 25.0])
def test_the_histogram_rotation_recovers_the_turn_of_a_plain_shape(angle):
    # cv2's positive angle turns counter-clockwise on screen, which is -angle in image axes (y down)
    assert histogram_rotation(np.ones(360), np.ones(360)) == pytest.approx(0.0)
    assert -_turn(_foot(0.0), _foot(angle)) == pytest.approx(angle, abs=1.5)


def test_still_edges_in_the_box_do_not_dilute_the_turn():
    still = np.zeros((240, 320), np.uint8)
    cv2.line(still, (60, 60), (300, 90), 140, 3)  # a floor line crossing the box, never moving
    cv2.rectangle(still, (70, 120), (110, 200), 120, 2)  # a chair leg
    rest, cur = np.maximum(_foot(0.0), still), np.maximum(_foot(15.0), still)
    ref_g, cur_g = gradients(rest), gradients(cur)
    changed = np.hypot(cur_g[0] - ref_g[0], cur_g[1] - ref_g[1]) > 0.3 * np.percentile(np.hypot(*ref_g), 95)
    e = box_turn(ref_g, cur_g, changed, (0, 0, 320, 240))
    assert -e.angle_deg == pytest.approx(15.0, abs=2.0) and e.weight > 0
    assert box_turn(ref_g, ref_g, np.zeros_like(changed), (0, 0, 320, 240)).weight == 0.0


def test_of_two_near_equal_peaks_the_turn_is_the_one_away_from_zero():
    # tune k008: background the foot uncovers and covers matches at 0 as strongly as the foot at
    # its turn; the highest peak alone flipped between the two on consecutive frames
    bump = lambda at, h: h * np.exp(-0.5 * ((np.arange(360) - at) / 3.0) ** 2)  # noqa: E731
    ref = bump(90, 1.0) + bump(180, 1.0)  # a sole and a floor line, parallel at rest
    cur = bump(74, 1.0) + bump(180, 1.05)  # the sole turned 16 deg, the floor line still (a bit stronger)
    assert histogram_rotation(ref, cur) == pytest.approx(-16.0, abs=0.5)
    assert histogram_rotation(ref, bump(74, 1.0) + bump(180, 2.0)) == pytest.approx(0.0, abs=0.5)  # far weaker: 0
    assert histogram_rotation(ref, bump(80, 1.05) + bump(150, 1.0)) == pytest.approx(-10.0, abs=0.5)  # not at 0: kept


def test_a_near_tie_on_a_broad_histogram_is_not_taken_for_a_turn():
    # MIN_CONTRAST (a review: setting it to 0 failed no test). The same near-tie as above, a line at
    # 0 and one at 16° nearly as strong, is the turn on a plain box, but not on a broad histogram (a
    # knit sock, carpet: 70 % of the edge weight in every direction, floor/top 0.68): the highest peak
    # is read. With 54 % (floor/top 0.42) the top still stands out and the rival is taken.
    bump = lambda at, h: h * np.exp(-0.5 * ((np.arange(360) - at) / 3.0) ** 2)  # noqa: E731
    ref = bump(90, 1.0) + bump(270, 1.0)
    cur = bump(90, 1.05) + bump(270, 1.05) + bump(106, 1.0) + bump(286, 1.0)
    assert histogram_rotation(ref, cur) == pytest.approx(16.0, abs=0.5)
    assert histogram_rotation(0.1 + ref, 0.1 + cur) == pytest.approx(16.0, abs=0.5)
    assert histogram_rotation(0.2 + ref, 0.2 + cur) == pytest.approx(0.0, abs=0.5)


def _hist_of(angles_deg: np.ndarray, weight: np.ndarray) -> np.ndarray:
    r = np.radians(angles_deg)
    return orientation_histogram(np.cos(r) * weight, np.sin(r) * weight, weight)


@pytest.mark.parametrize("seed", range(5))
def test_a_still_broad_texture_reads_no_turn(seed):
    # carpet, a knit sock: gradients in every direction, the same ones in both frames plus a little
    # sensor noise. The correlation sits on a floor near its top (0.99); with raw heights every ripple
    # was a rival of the peak at 0 (19-55° on these seeds; the highest peak alone < 1°). With more
    # noise (6 grey levels against 20) the texture no longer matches itself and even the highest peak
    # wanders (up to 42°): no rule on one correlation can find a turn that is not in it.
    rng = np.random.default_rng(seed)
    gx, gy = rng.normal(0, 20, 3000), rng.normal(0, 20, 3000)
    nx, ny = gx + rng.normal(0, 2, 3000), gy + rng.normal(0, 2, 3000)
    ref = orientation_histogram(gx, gy, np.hypot(gx, gy))
    assert abs(histogram_rotation(ref, orientation_histogram(nx, ny, np.hypot(nx, ny)))) <= 2.0


@pytest.mark.parametrize("seed", range(3))
def test_a_still_periodic_lattice_reads_no_turn(seed):
    # tiles with diagonals: edges every 45°, the correlation as high at ±45° as at 0 (read 45°)
    rng = np.random.default_rng(seed)
    ang = np.repeat(np.arange(0, 360, 45), 300) + rng.normal(0, 3, 2400)
    w = np.where(np.repeat(np.arange(8) % 2 == 0, 300), 1.0, 0.75)
    cur = _hist_of(ang + rng.normal(0, 2, len(ang)), w)
    assert abs(histogram_rotation(_hist_of(ang, w), cur)) <= 2.0


def test_a_small_shift_is_no_change_but_a_moved_foot_is():
    rest = _foot(0.0)
    shifted = np.roll(rest, (1, 2), axis=(0, 1))  # residual shake / parallax: a pixel or two
    assert tolerant_change(shifted, rest).max() <= 5
    assert tolerant_change(_foot(20.0), rest).max() > 100


def test_the_foot_box_is_the_persistently_changed_blob():
    persist = np.zeros((240, 320), np.float32)
    persist[150:190, 100:240] = 0.4  # the foot, often changed
    persist[20:22, :] = 0.9  # a thin line (a flicker at the top): opened away
    box, strength = foot_box(persist)
    x0, y0, x1, y1 = box
    assert x0 <= 100 and x1 >= 240 and y0 <= 150 and y1 >= 190 and y0 > 30
    assert strength == pytest.approx(0.4)
    assert foot_box(np.zeros((240, 320), np.float32)) is None


def test_edge_track_measures_the_synthetic_foot_against_rest():
    """The offline edge track on the synthetic close-up (tests/closeup_scene.py): the angle
    follows the truth with a gain near 1; a still foot under a shaking camera is not found."""
    sc = Scene(seconds=6.0, seed=2)
    t = sc.times()
    truth = rep_angles(t, 3, 20.0)
    track = edge_track(sc.render(truth), sc.size[1], sc.size[0])
    assert track.found
    ok = np.isfinite(track.foot_deg)
    gain = abs(np.polyfit(truth[ok], track.foot_deg[ok], 1)[0])
    assert 0.8 <= gain <= 1.2, gain
    still = Scene(seconds=4.0, shake_px=6.0, seed=2)
    assert not edge_track(still.render(rep_angles(still.times(), 2, 0.0)), still.size[1], still.size[0]).found


def _reps_from_top(t: np.ndarray, top_hold_s: float = 0.0) -> np.ndarray:
    """Turn from the first frame of a set filmed from the top of a rep: -20° at rest."""
    return rep_angles(t + 0.6, 4, 20.0, start_s=0.0, rep_s=1.2 + top_hold_s, gap_s=0.8) - 20.0


def test_a_video_that_starts_at_a_reps_top_is_measured_from_the_rest_it_returns_to():
    t = np.arange(0, 7.0, 1 / 30)
    a = _reps_from_top(t)
    k = rest_index(a, t)
    assert k > 0 and abs(a[k] + 20.0) < 2.0  # a frame at rest, not the first


def test_a_video_that_starts_at_rest_keeps_the_first_frame_even_with_long_holds_up():
    t = np.arange(0, 8.0, 1 / 30)
    assert rest_index(rep_angles(t, 3, 20.0, start_s=0.5), t) == 0
    held = np.where((t > 1.0) & (t < 7.0) & (np.sin(2 * np.pi * t / 2.5) > -0.8), 20.0, 0.0)  # up most of the time
    assert rest_index(held, t) == 0


def test_edge_track_of_a_video_started_mid_rep_reads_zero_at_rest():
    sc = Scene(seconds=6.0, seed=2)
    t = sc.times()
    truth = rep_angles(t + 0.6, 3, 20.0, start_s=0.0)  # the first frame is a rep's top
    track = edge_track(sc.render(truth), sc.size[1], sc.size[0])
    assert track.rest_t is not None and truth[np.searchsorted(t, track.rest_t)] < 2.0
    at_rest = (truth == 0) & np.isfinite(track.foot_deg)
    assert np.median(np.abs(track.foot_deg[at_rest])) < 3.0

def _pumps(first_gain) -> list[SimpleNamespace]:
    """9 s of the plain foot turning 20° four times from t=1 s; frame i's brightness is
    scaled by ``first_gain(i)`` (a camera starting black, a fade-in)."""
    t = np.arange(0, 9, 1 / 30)
    ang = 20 * np.clip(np.sin(np.pi * (t - 1)), 0, None) * (t > 1)
    return [SimpleNamespace(t=x, image=(_foot(a).astype(float) * first_gain(i)).astype(np.uint8))
            for i, (x, a) in enumerate(zip(t, ang))]


@pytest.mark.parametrize("first_gain", [lambda i: float(i >= 3), lambda i: min(1.0, (i + 1) / 15)],
                         ids=["black-start", "fade-in"])
def test_dark_first_frames_are_not_the_rest(first_gain):
    """A webcam delivers black frames while starting; a video may fade in. Taken as the rest
    frame, a black frame found no foot (the exposure gain against it was ~0)."""
    track = edge_track(_pumps(first_gain), 320, 240)
    assert track.found
    assert analyze_track(track, get_exercise("toe_raise")).summary.reps_counted == 4


def test_the_exposure_gain_is_bounded():
    frame = np.full((24, 32), 100, np.uint8)
    frame[::4] = 140
    assert 50 <= same_exposure(frame, 5.0).mean() <= 60  # a dark rest does not turn the frame black
    assert same_exposure(frame, 250.0).mean() <= 2.1 * frame.mean()


def test_a_size_change_starts_the_measurement_over():
    """Offline, frames before a change of frame size are dropped (the rest frame is taken
    again from the change): documented in ``edge_track``."""
    frames = _pumps(lambda i: 1.0)
    frames = frames[:120] + [SimpleNamespace(t=f.t, image=cv2.resize(f.image, (160, 100))) for f in frames[120:]]
    track = edge_track(frames, 320, 240)
    assert track.found and track.t[0] == pytest.approx(frames[120].t) and len(track.t) == len(frames) - 120
