"""The foot box's turn (tracker/pose/foot_roi.py) on synthetic pictures: a textured foot
turned about the ankle in front of a still shank and floor, as an eversion looks from the front."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tracker.pose import foot_roi as fr

SIZE = 320
ANKLE = (160.0, 140.0)
FOOT_CENTRE = (160.0, 185.0)
BOX_PX = 150.0


def _texture(seed: int, blur: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = cv2.GaussianBlur(rng.uniform(0, 255, (SIZE, SIZE)).astype(np.float32), (0, 0), blur)
    return cv2.normalize(t, None, 0, 1, cv2.NORM_MINMAX)


def _scene(turn_deg: float = 0.0, squash: float = 1.0, shift=(0.0, 0.0)) -> np.ndarray:
    """Grey picture: planked floor, a still shank down to the ankle, a textured foot (sole
    ellipse and toes) turned by ``turn_deg`` about the ankle (cv2's sense: positive is
    counter-clockwise on screen) or squashed vertically by ``squash`` toward it (a toe raise
    from the front); ``shift`` moves the whole picture (the camera, or the person)."""
    y = np.arange(SIZE)[:, None]
    floor = 90 + 25 * (np.sin(y / 9.0) > 0) + 30 * _texture(1, 4.0)
    mask = np.zeros((SIZE, SIZE), np.float32)
    cv2.ellipse(mask, (160, 190), (34, 44), 0, 0, 360, 1.0, -1, cv2.LINE_AA)
    for i, x in enumerate(range(134, 190, 12)):
        cv2.circle(mask, (x, 232 - abs(i - 1) * 2), 7, 1.0, -1, cv2.LINE_AA)
    foot = 150 + 80 * _texture(2)
    m = cv2.getRotationMatrix2D(ANKLE, turn_deg, 1.0)
    m[:, :2] = np.diag([1.0, squash]) @ m[:, :2]
    m[1, 2] = ANKLE[1] - squash * ANKLE[1] + squash * m[1, 2]
    wm = cv2.warpAffine(mask, m, (SIZE, SIZE))
    wf = cv2.warpAffine(foot.astype(np.float32), m, (SIZE, SIZE))
    img = floor * (1 - wm) + wf * wm
    shank = 170 + 50 * _texture(3)
    img[:150, 140:181] = shank[:150, 140:181]  # the shank, still in an eversion
    img = np.clip(img, 0, 255).astype(np.uint8)
    if shift != (0.0, 0.0):
        img = cv2.warpAffine(img, np.float32([[1, 0, shift[0]], [0, 1, shift[1]]]), (SIZE, SIZE),
                             borderMode=cv2.BORDER_REPLICATE)
    return img


def _boxes(n: int, offsets=None) -> fr.FootBoxes:
    c = np.tile(np.array(FOOT_CENTRE), (n, 1))
    if offsets is not None:
        c = c + np.asarray(offsets, float)
    return fr.FootBoxes(c, BOX_PX)


@pytest.mark.parametrize("angle", [-20.0, -9.0, -4.0, 5.0, 12.0, 25.0])
def test_a_turned_foot_reads_its_turn_within_two_degrees(angle):
    turn, moved = fr.box_turns([_scene(), _scene(angle)], _boxes(2))
    # cv2's positive angle is counter-clockwise on screen: negative in image axes (y down)
    assert turn[0] == 0.0 and moved[1] >= fr.MIN_MOVED
    assert -turn[1] == pytest.approx(angle, abs=2.0)


def test_a_still_foot_reads_no_turn_under_sensor_noise():
    rng = np.random.default_rng(7)
    frames = [_scene()] + [np.clip(_scene() + rng.normal(0, 2.0, (SIZE, SIZE)), 0, 255).astype(np.uint8)
                           for _ in range(5)]
    turn, _ = fr.box_turns(frames, _boxes(len(frames)))
    assert np.all(np.abs(turn) < 0.5)


def test_a_squashed_foot_is_no_turn():
    # a toe raise seen from the front shortens the foot's picture: no rotation part
    turn, moved = fr.box_turns([_scene(), _scene(squash=0.85)], _boxes(2))
    assert moved[1] >= fr.MIN_MOVED and abs(turn[1]) < 2.0


@pytest.mark.parametrize("off", [(4.0, -3.0), (-3.0, 2.0)])
def test_the_top_band_shift_is_measured_and_undone(off):
    # the landmarks put the box a few px off (jitter): the picture in it moves the other way. A still
    # foot: in this scene the band reaches the foot's top, and a 10° turn pulls the estimate (up to 4 px)
    rest = fr.box_crop(_scene(), np.array(FOOT_CENTRE), BOX_PX)
    cur = fr.box_crop(_scene(), np.array(FOOT_CENTRE) + off, BOX_PX)
    s = fr.ROI_PX / BOX_PX
    assert fr.top_shift(rest, cur) == pytest.approx((-off[0] * s, -off[1] * s), abs=0.4)
    inner = (slice(4, int(fr.BAND * fr.ROI_PX) - 4), slice(4, -4))
    err = np.abs(fr.align_top(rest, cur)[inner].astype(float) - rest[inner]).mean()
    assert err < 0.25 * np.abs(cur[inner].astype(float) - rest[inner]).mean()


@pytest.mark.parametrize("angle", [0.0, 10.0])
def test_a_box_placed_a_few_pixels_off_is_realigned(angle):
    # unaligned, every corner "moves" 3 px: a still foot would rest on 100 moved corners (a pure shift,
    # so the angle alone cannot tell); aligned, nothing moves
    turn, moved = fr.box_turns([_scene(), _scene(angle)], _boxes(2, [[0, 0], [4, -3]]))
    assert -turn[1] == pytest.approx(angle, abs=2.0 if angle else 0.5)
    if not angle:
        assert moved[1] < fr.MIN_MOVED


def test_a_misplaced_box_where_the_foot_is_small_still_sees_the_turn():
    # a wide box (the foot a minority of its corners, ~22x28 working px) 4 px off: unaligned, every
    # still corner of the floor "moves" and the fit follows them (reads 0.0°); aligned, the turn is seen
    # (under-read at this scale: 15° reads ~12°)
    b = fr.FootBoxes(np.array([FOOT_CENTRE, (FOOT_CENTRE[0] + 4, FOOT_CENTRE[1] - 3)]), 300.0)
    turn, _ = fr.box_turns([_scene(), _scene(15.0)], b)
    assert -turn[1] > 7.5


def test_a_box_following_the_leg_measures_only_the_turn():
    # the whole leg moves 6 px left and 2 px down and the box follows it
    turn, _ = fr.box_turns([_scene(), _scene(8.0, shift=(-6.0, 2.0))], _boxes(2, [[0, 0], [-6, 2]]))
    assert -turn[1] == pytest.approx(8.0, abs=2.0)


def test_frames_without_landmarks_read_nan():
    turn, moved = fr.box_turns([_scene(), _scene(5.0)], _boxes(2, [[0, 0], [np.nan, np.nan]]))
    assert turn[0] == 0.0 and np.isnan(turn[1]) and moved[1] == 0


def test_a_first_frame_without_landmarks_does_not_become_the_rest_box():
    crops = fr.aligned_boxes([_scene(), _scene(), _scene(9.0)], _boxes(3, [[np.nan, np.nan], [0, 0], [0, 0]]))
    assert crops[0] is None and crops[1].std() > 10  # the rest box is the foot, not an empty picture
    turn, _ = fr.box_turns([_scene(), _scene(), _scene(9.0)], _boxes(3, [[np.nan, np.nan], [0, 0], [0, 0]]))
    assert np.isnan(turn[0]) and turn[1] == 0.0 and -turn[2] == pytest.approx(9.0, abs=2.0)


def test_a_box_too_plain_to_measure_reads_nan_not_still():
    flat = np.full((SIZE, SIZE), 120, np.uint8)
    turn, moved = fr.box_turns([flat, flat, _scene(10.0)], _boxes(3))
    assert np.isnan(turn).all() and not moved.any()


def test_lost_tracks_are_not_read_as_still(monkeypatch):
    rest = fr.RestBox(fr.box_crop(_scene(), np.array(FOOT_CENTRE), BOX_PX))
    box = fr.box_crop(_scene(), np.array(FOOT_CENTRE), BOX_PX)
    assert rest.turn(box) == fr.BoxTurn(0.0, 0)  # followed and not moved: still
    real = cv2.calcOpticalFlowPyrLK

    def lose(k):  # the tracker follows every corner to where it was but reports the first k lost
        def f(*args, **kw):
            p1, st, err = real(*args, **kw)
            st[:k] = 0
            return p1, st, err
        return f

    monkeypatch.setattr(cv2, "calcOpticalFlowPyrLK", lose(fr.MIN_MOVED - 1))
    assert rest.turn(box).angle_deg == 0.0  # too few lost to have been a moving foot
    monkeypatch.setattr(cv2, "calcOpticalFlowPyrLK", lose(len(rest.p0) // 2))
    assert np.isnan(rest.turn(box).angle_deg)


def test_a_wide_box_is_shrunk_without_aliasing():
    # a phone's box, 3x the working side, over 2 px stripes: their average is a flat grey; point
    # sampling (warpAffine ignores INTER_AREA) turns them into strong false texture
    stripes = np.tile(np.array([40, 215], np.uint8), (SIZE, SIZE // 2))
    assert fr.box_crop(stripes, np.array([150.3, 170.6]), 3.1 * fr.ROI_PX).std() < 3.0
    # and the box stays where it was: a smooth picture reads as the unblurred resampling does,
    # also where the box runs past the picture's edge
    smooth = (255 * _texture(4, 12.0)).astype(np.uint8)
    for c in ([150.3, 170.6], [20.0, 300.0]):
        s = fr.ROI_PX / 250.0
        m = np.float32([[s, 0, fr.ROI_PX / 2 - s * c[0]], [0, s, fr.ROI_PX / 2 - s * c[1]]])
        plain = cv2.warpAffine(smooth, m, (fr.ROI_PX, fr.ROI_PX), borderMode=cv2.BORDER_REPLICATE)
        assert np.abs(fr.box_crop(smooth, np.array(c), 250.0).astype(float) - plain).mean() < 1.0



def test_a_phone_sized_box_costs_a_pass_over_its_pixels_not_a_blur_as_wide_as_it(monkeypatch):
    # a box 10x the working side: blurring it at full size (a kernel as wide as 10 source pixels
    # per working one) cost the box's cube; it is halved first, so the blur sees ~2x ROI_PX
    big = cv2.resize((255 * _texture(4, 12.0)).astype(np.uint8), (1400, 1400))
    seen, blur = [], cv2.GaussianBlur
    monkeypatch.setattr(cv2, "GaussianBlur", lambda img, *a, **k: seen.append(img.shape) or blur(img, *a, **k))
    side = 10.0 * fr.ROI_PX
    got = fr.box_crop(cv2.cvtColor(big, cv2.COLOR_GRAY2BGR), np.array([700.4, 690.2]), side)
    assert max(max(sh[:2]) for sh in seen) <= 1.1 * fr.SHRINK_TO * fr.ROI_PX
    # and the box is where it was, as the plain resampling of the smooth picture reads it
    for c in ([700.4, 690.2], [150.0, 1300.0]):
        s = fr.ROI_PX / side
        m = np.float32([[s, 0, fr.ROI_PX / 2 - s * c[0]], [0, s, fr.ROI_PX / 2 - s * c[1]]])
        plain = cv2.warpAffine(big, m, (fr.ROI_PX, fr.ROI_PX), borderMode=cv2.BORDER_REPLICATE)
        got = fr.box_crop(big, np.array(c), side)
        assert np.abs(got.astype(float) - plain).mean() < 1.0
    stripes = np.tile(np.array([40, 215], np.uint8), (1400, 700))  # 2 px stripes average to a flat grey
    assert fr.box_crop(stripes, np.array([700.4, 690.2]), 9.3 * fr.ROI_PX).std() < 3.0


@pytest.mark.parametrize("centre, side", [([50.0, 50.0], float("inf")), ([50.0, 50.0], float("nan")),
                                          ([np.nan, 50.0], 100.0), ([1e6, 1e6], 100.0), ([50.0, 50.0], 1e6),
                                          ([50.0, 50.0], 4.0)])
def test_a_box_that_cannot_be_cut_is_refused_not_allocated(centre, side):
    # landmarks of ~1e6 px made a patch of petabytes (MemoryError); such a box reads NaN upstream
    assert not fr.box_fits(np.array(centre), side, (480, 640))
    with pytest.raises(ValueError):
        fr.box_crop(np.zeros((480, 640), np.uint8), np.array(centre), side)
    assert fr.box_fits(np.array([-40.0, 500.0]), 100.0, (480, 640))  # partly outside: cut, border replicated
    turns, _ = fr.box_turns([np.zeros((480, 640), np.uint8)] * 2, fr.FootBoxes(np.array([centre] * 2), side))
    assert np.isnan(turns).all()


def test_the_box_follows_the_ankle_not_the_toes():
    n = 9
    ankle = np.tile([300.0, 400.0], (n, 1))
    ankle[:, 0] += np.arange(n)  # the leg drifts right 1 px a frame
    foot = ankle + [0.0, 30.0]
    foot[4:7, 0] += 12.0  # the toes swing sideways (the eversion itself)
    ankle_spike = ankle.copy()
    ankle_spike[2, 1] += 25.0  # one frame's landmark jumps
    b = fr.foot_boxes(ankle_spike, foot, 120.0)
    assert b.side_px == pytest.approx(fr.ROI_SHANKS * 120.0)
    assert np.allclose(b.centre[:, 1], 430.0)  # the jump is gone (running median)
    assert np.allclose(b.centre[1:-1, 0], ankle[1:-1, 0], atol=1.0)  # the toes' swing is not followed


def test_rotation_part_of_an_affine_and_the_side_mirror():
    a = np.deg2rad(12.0)
    assert fr.affine_rotation_deg(np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])) == pytest.approx(12.0)
    assert fr.affine_rotation_deg(np.diag([1.0, 0.7])) == 0.0
    assert fr.affine_rotation_deg(np.array([[0.9, 0.0, 3.0], [0.0, 1.2, -4.0]])) == 0.0
    assert fr.eversion_sign("left") == -fr.eversion_sign("right")
