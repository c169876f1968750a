"""LiveFoot (the close-up path frame by frame) on the synthetic close-up with exact truth:
the frames kept until the foot is found are measured then, and the angle matches the
offline path's accuracy (tests/unit/test_closeup_synthetic.py)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from closeup_scene import Scene, rep_angles

from tracker.closeup.online import FIND_AFTER_S, KEEP_FRAMES, LiveFoot, Sample


def _run(amp: float, shake: float = 0.0):
    sc = Scene(seconds=7.0, shake_px=shake, seed=1)
    t = sc.times()
    truth = rep_angles(t, 3, amp)
    foot, out, first = None, {}, None
    for fr in sc.render(truth):
        if foot is None:
            foot = LiveFoot(fr.image.shape[1], fr.image.shape[0])
        samples = foot.push(fr.t, fr.image)
        if samples and first is None:
            first = (fr.t, len(samples))
        out.update({s.t: s.foot_deg - s.shank_deg for s in samples})
    measured = np.array([out.get(x, np.nan) for x in t])
    return truth, measured, first, foot


def test_the_foot_is_found_live_and_every_kept_frame_is_measured():
    truth, measured, first, foot = _run(20.0)
    assert foot.found and first is not None
    t_found, n_burst = first
    assert FIND_AFTER_S <= t_found <= 4.0
    assert n_burst >= 0.9 * t_found * 30  # the frames before the find, measured at once
    ok = np.isfinite(measured)
    assert ok.mean() > 0.9
    gain = abs(np.polyfit(truth[ok], measured[ok], 1)[0])
    assert 0.8 <= gain <= 1.2, gain


def test_a_still_foot_is_never_found_live():
    _, measured, first, foot = _run(0.0, shake=6.0)
    assert not foot.found and first is None and not np.isfinite(measured).any()


def _plain_foot(angle_deg: float) -> np.ndarray:
    img = np.full((240, 320), 60, np.uint8)
    pts = np.array([[100, 150], [230, 140], [250, 155], [235, 172], [100, 180], [88, 165]], np.float32)
    m = cv2.getRotationMatrix2D((100.0, 165.0), angle_deg, 1.0)
    cv2.fillPoly(img, [np.round(pts @ m[:, :2].T + m[:, 2]).astype(np.int32)], 200, lineType=cv2.LINE_AA)
    return img


def _pumps(seconds: float = 8.0):
    t = np.arange(0, seconds, 1 / 30)
    return t, [_plain_foot(a) for a in 20 * np.clip(np.sin(np.pi * (t - 1)), 0, None) * (t > 1)]


def test_black_start_frames_are_not_the_rest_live():
    t, frames = _pumps()
    foot, n = LiveFoot(320, 240), 0
    for i, (x, im) in enumerate(zip(t, frames)):
        n += len(foot.push(x, im * (i >= 5)))  # a webcam starting: black frames first
    assert foot.found and n >= len(t) - 5 - 1


def test_a_frame_size_change_starts_over_live():
    """The box, the measurement and the kept frames of the old size are dropped (they crashed
    the next measurement); the foot is found again in the new frames."""
    t, frames = _pumps()
    foot, after = LiveFoot(320, 240), []
    for i, (x, im) in enumerate(zip(t, frames)):
        s = foot.push(x, im if i < 120 else cv2.resize(im, (160, 100)))
        after += [p for p in s if p.t >= t[120]]
    assert foot.found and foot.box[2] <= 160 and foot.box[3] <= 100
    assert after and all(p.t >= t[120] for p in foot.replay())


def test_the_kept_frames_are_capped_when_time_stands_still():
    foot, im = LiveFoot(320, 240), _plain_foot(0.0)
    for _ in range(KEEP_FRAMES + 50):
        foot.push(0.0, im)
    assert len(foot._kept) == KEEP_FRAMES


class _Angles:
    """Stands in for ``LiveFoot``: hands the live counter given per-frame foot angles."""

    found = False

    def __init__(self, deg: dict[float, float]):
        self.deg = deg

    def push(self, t: float, image) -> list[Sample]:
        return [Sample(t, self.deg[t], 0.0, 1.0, 1000)]

    def anchor_px(self) -> np.ndarray:
        return np.array([160.0, 120.0])

    def foot_size_px(self) -> float:
        return 80.0


def _wrong_peaks(fps: float):
    """Three slow 20° rises from rest, and every 0.5 s the edge turn locked onto a wrong
    histogram peak (±55°) for a run as long as on the real clips (0.07 s: 2 frames at 30 fps)."""
    t = np.arange(0, 11, 1 / fps)
    clean = 20 * np.clip(np.sin(np.pi * (t - 1.5) / 1.5), 0, None) * ((t > 1.5) & (t < 9))
    x = clean.copy()
    for k, t0 in enumerate(np.arange(1.7, 10.5, 0.5)):
        x[(t >= t0) & (t < t0 + 0.066)] = 55.0 if k % 2 else -55.0
    return t, clean, x


@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_live_reads_what_offline_reads_through_runs_of_wrong_peaks(fps):
    """The live close-up counter's signal follows offline's (``smooth_offline``) frame by frame
    through runs of wrong histogram peaks, and counts what offline counts. With the other
    methods' 3-frame spike guard a 2-frame run passed: over 60° off offline's reading."""
    from tracker.app.live.closeup_counter import CloseupSetCounter
    from tracker.app.live.session import CALIB_S
    from tracker.exercises import get_exercise
    from tracker.signals.filters import smooth_offline

    t, clean, x = _wrong_peaks(fps)
    live = CloseupSetCounter(get_exercise("toe_raise"), "unknown", CALIB_S, foot=_Angles(dict(zip(t, x))))
    seen, reps = [], []
    for tk in t:
        reps += live.step(tk, None, None, False)[2]
        st = live.counters["unknown"].state
        seen.append(st.angle_deg if live.counters["unknown"].direction else np.nan)
    reps += live.finish()
    offline = smooth_offline(x, t)
    assert np.abs(offline - clean).max() < 4.0  # what offline reads: the rises, not the wrong peaks
    seen = np.asarray(seen)
    ok = np.isfinite(seen)
    assert ok.mean() > 0.8
    # a causal median over offline's window reads up to ~0.2 s late: the best lag
    err = min(np.abs(seen[lag:] - offline[:len(t) - lag])[ok[lag:]].max() for lag in range(1, int(0.3 * fps)))
    assert err < 6.0, err
    assert sum(r.counted for _, r in reps) == 3


def test_a_close_up_set_that_starts_moving_at_once_is_counted_live():
    """A close-up measures from its rest frame, so live rest is 0 from the first frame, as
    offline's (``REST_START_S``): a set whose foot starts moving at once and never stays
    still for a second (real clips) is counted. Learning rest from a second of stillness
    took it at the calibration timeout from the middle of the movement: 2 of 3 counted."""
    from tracker.app.live.closeup_counter import CloseupSetCounter
    from tracker.app.live.session import CALIB_S
    from tracker.exercises import get_exercise

    t = np.arange(0, 4.6, 1 / 30)
    phase = (t - 0.2) % 1.4  # three 1 s rises at 0.2, 1.6 and 3.0 s, 0.4 s at rest between them
    x = np.where((t > 0.2) & (t < 4.2) & (phase < 1.0), -25 * np.sin(np.pi * np.clip(phase, 0, 1)), 0.0)
    for recalibrated in (False, True):  # `c` (the placement check) recalibrates: rest stays the rest frame's
        live = CloseupSetCounter(get_exercise("heel_raise"), "unknown", CALIB_S, foot=_Angles(dict(zip(t, x))))
        if recalibrated:
            live.recalibrate()
        assert live.counters["unknown"].rest.value == 0.0
        reps = [r for tk in t for r in live.step(tk, None, None, False)[2]] + live.finish()
        assert sum(r.counted for _, r in reps) == 3, (recalibrated, [(r.peak_t, r.rom_deg) for _, r in reps])


def _two_blobs(share_a: float, share_b: float) -> np.ndarray:
    """A change map of two blobs of the foot's changes (a front view) at the same height."""
    m = np.zeros((240, 320), np.float32)
    m[150:172, 50:80], m[150:172, 200:230] = share_a, share_b
    return m


@pytest.mark.parametrize("share_b, moves", [(0.22, False), (0.6, True)])
def test_a_found_foot_moves_only_to_a_box_that_changed_far_more(share_b, moves):
    """A front view's foot changes in two blobs of about equal score; the live box flipped
    between them as their scores crossed (tune k014: 5 flips, 2 of 5 reps counted live).
    Another blob barely stronger keeps the foot while it moves; one that changed far more takes it
    (tests/unit/test_closeup_live_box.py: the blobs' own scores, a box gone still)."""
    from collections import deque

    foot = LiveFoot(320, 240)
    foot.push(0.0, _plain_foot(0.0))
    foot._persist.total, foot._persist.n = _two_blobs(0.2, 0.0), 1
    assert foot._look() and foot.box[0] < 100  # found on the left blob
    foot._weights = deque([(0.0, 0.0), (0.5, 500.0)])  # its changed edges came and went: it moves
    foot._persist.total = _two_blobs(0.2, share_b)  # the right one now slightly / far stronger
    assert foot._look() is moves
    assert (foot.box[0] > 150) is moves
