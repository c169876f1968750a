"""The first session in the real window (OpenCV under Xvfb, driven by XTEST key presses and
clicks): the start screen's tiles are big enough to read from 2 m and a click chooses; the
placement check shows a red item with its fix for a view the exercise cannot use, and turns
all green for one it can. ``TRACKER_UPDATE_DOCS=1`` also writes the screenshots to docs/.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from xdisplay import screenshot

import tracker
from tracker.app.live.preflight import tiles
from tracker.exercises import EXERCISES
from tracker.sinks.drawing import GREEN, RED
from tracker.sinks.menus import MIN_TEXT_SHARE, CheckItem, draw_checklist, draw_start_screen

PROJECT = Path(tracker.__file__).resolve().parents[1]
CLIP = PROJECT / "sample_videos" / "dorsiflexion_side_left.mp4"  # a side view, seated, leg crossed
NUMBER_BLUE = (150, 90, 20)


@pytest.mark.parametrize("h, w", [(480, 640), (720, 1280), (1080, 1920), (1280, 720)])
def test_every_line_on_the_screens_is_readable_from_two_metres(h, w):
    img = np.full((h, w, 3), 90, np.uint8)
    start = draw_start_screen(img, tiles(list(EXERCISES)))
    assert len(start.rects) == len(EXERCISES)
    assert min(start.text_px) >= MIN_TEXT_SHARE * h - 1, (min(start.text_px), h)
    for (_, y0, _, y1), (_, n0, _, _) in zip(start.rects, start.rects[1:]):
        assert y1 <= n0 and y1 - y0 >= 0.1 * h  # rows apart, each a big target
    items = [CheckItem("Light", True), CheckItem("Front view", False, EXERCISES["eversion"].
                                                wrong_view_message())]
    check = draw_checklist(img, "Camera check: ankle eversion", items, False, "Enter: skip")
    assert min(check.text_px) >= MIN_TEXT_SHARE * h - 1


def _blobs(img: np.ndarray, color, min_area: int) -> int:
    """Marks of one colour (a mark drawn across a disc splits it: pieces close to each other
    are one mark)."""
    mask = (np.abs(img.astype(int) - np.array(color)).max(axis=2) < 12).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return int(sum(stats[1:, cv2.CC_STAT_AREA] >= min_area))


def _window(img: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(img.max(axis=2) > 0)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _wait_for(display, path, pred, proc, timeout=60.0) -> np.ndarray:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"live ended early: {proc.stderr.read()[-2000:]}")
        img = screenshot(display, path)
        if img.max() > 0:
            x0, y0, x1, y1 = _window(img)
            crop = img[y0:y1, x0:x1]
            if pred(crop):
                return crop
        time.sleep(0.3)
    pytest.fail(f"the window never showed what was expected; last screen kept in {path}")


def _keep(name: str, img: np.ndarray, tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / name), img)
    if os.environ.get("TRACKER_UPDATE_DOCS"):
        cv2.imwrite(str(PROJECT / "docs" / name), img)


def _looped(clip: Path, out: Path, times: int = 3) -> Path:
    """The clip played ``times`` over: a camera that does not run out while a slow machine
    opens the window (the sample alone is 22 s)."""
    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 15.0
    frames = []
    while (ok_img := cap.read())[0]:
        frames.append(ok_img[1])
    cap.release()
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for _ in range(times):
        for f in frames:
            writer.write(f)
    writer.release()
    return out


def test_start_screen_click_and_placement_check_in_the_real_window(tmp_path, xvfb):
    from xinput import XInput

    if not CLIP.exists():
        pytest.skip(f"{CLIP} is not rendered")
    camera = _looped(CLIP, tmp_path / "camera.avi")
    env = dict(os.environ, DISPLAY=xvfb, PYTHONUNBUFFERED="1", TRACKER_DB=str(tmp_path / "h.sqlite3"))
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "tracker", "live", "--camera", str(camera), "--csv", str(tmp_path / "r.csv")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    shot = tmp_path / "screen.xwd"
    try:
        xi = XInput(xvfb)
        start = _wait_for(xvfb, shot, lambda im: _blobs(im, NUMBER_BLUE, 400) == len(EXERCISES), proc)
        _keep("start_screen.png", start, tmp_path)
        img = screenshot(xvfb, shot)
        x0, y0, _, _ = _window(img)
        rects = draw_start_screen(np.zeros_like(start), tiles(list(EXERCISES))).rects
        rx0, ry0, rx1, ry1 = rects[list(EXERCISES).index("eversion")]
        xi.click(x0 + (rx0 + rx1) // 2, y0 + (ry0 + ry1) // 2)  # eversion needs a front view: red

        def red_view(im):
            return _blobs(im, RED, 30) == 1 and _blobs(im, GREEN, 30) >= 4
        red = _wait_for(xvfb, shot, red_view, proc)
        _keep("placement_check_red.png", red, tmp_path)
        for key in ("Return", "n", "c"):  # skip the check; n: dorsiflexion (a side view); c: check again
            xi.key(key)
            time.sleep(0.4)
        # six green marks and the green READY
        green = _wait_for(xvfb, shot, lambda im: _blobs(im, RED, 30) == 0 and _blobs(im, GREEN, 30) >= 7, proc)
        _keep("placement_check_green.png", green, tmp_path)
        xi.key("q")
        proc.wait(timeout=30)
        xi.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, proc.stderr.read()[-2000:]
