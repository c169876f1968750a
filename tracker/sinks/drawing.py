"""Drawing primitives for the overlay: colours, a frame-relative layout, readable text.

Why separate from the annotators: every element of the overlay needs the same text that
fits, wraps and stays legible on any background, sized from the frame (``Layout``).
"""
from __future__ import annotations

import cv2

FONT = cv2.FONT_HERSHEY_DUPLEX
LINE = cv2.LINE_AA

# BGR colours, chosen for contrast on a dark panel and for colour-blind viewers
# (progress blue/orange, success green is always paired with text).
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
PANEL = (32, 32, 32)
GREY = (170, 170, 170)
BLUE = (235, 160, 40)
ORANGE = (30, 150, 255)
YELLOW = (40, 220, 255)
GREEN = (80, 200, 60)
RED = (60, 60, 230)
CYAN = (230, 220, 60)

class Layout:
    """Positions and sizes for one frame size; everything scales with ``s``."""

    def __init__(self, h: int, w: int):
        self.h, self.w = h, w
        self.s = s = max(0.35, min(h / 480.0, w / 640.0))
        self.pad = max(4, round(10 * s))
        self.thick = max(1, round(2 * s))
        cw, ch = round(min(0.42 * w, 250 * s)), round(150 * s)
        self.count = (w - cw - self.pad, self.pad, w - self.pad, self.pad + ch)
        gx1 = w - self.pad
        gw = max(10, round(26 * s))
        self.strip = round(40 * s)  # the stage word, under the count
        gy0 = self.count[3] + self.strip + round(52 * s)
        gy1 = h - round(120 * s)
        self.gauge = (gx1 - gw, gy0, gx1, max(gy0 + round(40 * s), gy1))
        self.header = (self.pad, self.pad, self.count[0] - self.pad, self.pad + round(96 * s))


def count_box(h: int, w: int) -> tuple[int, int, int, int]:
    """Where the count is drawn (x0, y0, x1, y1): tests compare this region of a screenshot."""
    return Layout(h, w).count


# ------------------------------------------------------------------ drawing primitives

def text_size(text: str, scale: float, thick: int) -> tuple[int, int]:
    (tw, th), base = cv2.getTextSize(text.replace("°", "o"), FONT, scale, thick)
    return tw, th + base


def _text_once(img, text: str, x: int, y: int, scale: float, color, thick: int) -> int:
    parts = text.split("°")
    for k, part in enumerate(parts):
        if part:
            cv2.putText(img, part, (x, y), FONT, scale, color, thick, LINE)
            x += cv2.getTextSize(part, FONT, scale, thick)[0][0]
        if k < len(parts) - 1:  # Hershey fonts have no degree sign: draw a small ring
            r = max(2, round(4 * scale))
            cv2.circle(img, (x + r + 1, y - round(17 * scale)), r, color, max(1, thick // 2 + 1), LINE)
            x += 2 * r + 3
    return x


def put_text(img, text: str, org: tuple[int, int], scale: float, color, thick: int, outline: bool = False) -> int:
    """Text, with a dark outline when it sits on the video (readable on any background).
    Returns the x where the text ends."""
    x, y = int(org[0]), int(org[1])
    if outline:
        o = max(1, round(thick * 0.75))
        for dx, dy in ((-o, -o), (o, -o), (-o, o), (o, o)):
            _text_once(img, text, x + dx, y + dy, scale, BLACK, thick)
    return _text_once(img, text, x, y, scale, color, thick)


def fit_scale(text: str, scale: float, thick: int, max_w: int) -> float:
    """Shrink ``scale`` until ``text`` fits in ``max_w`` pixels."""
    tw, _ = text_size(text, scale, thick)
    if tw <= max_w or tw == 0:
        return scale
    return scale * max_w / tw


def wrap(text: str, scale: float, thick: int, max_w: int, max_lines: int = 2) -> list[str]:
    """Greedy word wrap to ``max_w`` pixels; the last line is cut with '...' if needed."""
    words, lines, cur = text.split(), [], ""
    for word in words:
        trial = f"{cur} {word}".strip()
        if text_size(trial, scale, thick)[0] <= max_w or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_size(last + "...", scale, thick)[0] > max_w:
            last = last[:-1]
        lines[-1] = last.rstrip() + "..."
    return lines


def panel(img, rect, color=PANEL, alpha: float = 0.62) -> None:
    """A translucent box, blended in place inside its rectangle (cheap on large frames)."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in rect)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    if alpha >= 1.0:
        roi[:] = color
        return
    cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha, beta=0)
    cv2.add(roi, tuple(float(c) * alpha for c in color) + (0.0,), dst=roi)
