"""Full-window screens drawn over the camera picture: the start screen (choose an exercise)
and the placement checklist.

Why big: they are read from the chair or the floor, 2 m away, often by older eyes, so every
line of text is at least ``MIN_TEXT_SHARE`` of the window's height, high contrast (white or
yellow on a near-opaque dark panel), with the state said in words as well as in colour.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tracker.sinks.drawing import (
    BLACK,
    FONT,
    GREEN,
    GREY,
    LINE,
    PANEL,
    RED,
    WHITE,
    YELLOW,
    panel,
    put_text,
    text_size,
    wrap,
)

MIN_TEXT_SHARE = 0.05  # smallest text height (capital letters) / window height


@dataclass(frozen=True)
class Tile:
    """One choice on the start screen."""

    number: int
    title: str
    cue: str  # one short line: what to do
    posture: str  # "crossed" | "seated" | "standing": the small drawing


@dataclass(frozen=True)
class CheckItem:
    """One line of the placement checklist: green when ``ok``, else red with the fix."""

    label: str
    ok: bool
    fix: str = ""  # what to change, shown while red


@dataclass
class Drawn:
    """What a screen put where: tiles' rectangles (for clicks) and the text heights used."""

    image: np.ndarray
    rects: list[tuple[int, int, int, int]]
    text_px: list[int]


def _cap(text: str, scale: float, thick: int) -> tuple[int, int]:
    """Width and capital-letter height of ``text`` (descenders left out)."""
    (tw, th), _ = cv2.getTextSize(text, FONT, scale, thick)
    return tw, th


def _scale_for(px: float, thick: int) -> float:
    return px / _cap("H", 1.0, thick)[1]


def _line(img, text: str, x: int, y_top: int, px: float, max_w: int, color, thick: int, heights: list) -> int:
    """Text whose capitals are ``px`` high (shrunk only to fit, never below the minimum share
    of the window: then it is cut instead); returns the y below it, descenders included."""
    min_px = MIN_TEXT_SHARE * img.shape[0]
    scale = _scale_for(px, thick)
    tw, th = _cap(text, scale, thick)
    if tw > max_w:
        scale = max(scale * max_w / tw, _scale_for(min_px, thick))
        while text and _cap(text, scale, thick)[0] > max_w:
            text = text[:-2] + "~"
        tw, th = _cap(text, scale, thick)
    put_text(img, text, (x, y_top + th), scale, color, thick)
    heights.append(th)
    return y_top + round(1.3 * th)


def _figure(img, rect, posture: str, color=WHITE) -> None:
    """A stick figure in the exercise's position, facing right, inside ``rect``."""
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    p = lambda fx, fy: (int(x0 + fx * w), int(y0 + fy * h))  # noqa: E731
    t = max(2, round(h / 28))
    head, hip = p(0.38, 0.14), p(0.38, 0.55)
    cv2.circle(img, head, max(3, round(0.09 * h)), color, t, LINE)
    if posture == "standing":
        cv2.line(img, p(0.38, 0.24), p(0.38, 0.58), color, t, LINE)
        for dx in (-0.03, 0.03):
            cv2.line(img, p(0.38, 0.58), p(0.38 + dx, 0.92), color, t, LINE)
            cv2.line(img, p(0.38 + dx, 0.92), p(0.55 + dx, 0.92), color, t, LINE)
        return
    cv2.line(img, p(0.38, 0.24), hip, color, t, LINE)  # trunk
    cv2.line(img, p(0.2, 0.58), p(0.2, 0.95), GREY, t, LINE)  # the chair
    cv2.line(img, p(0.2, 0.58), p(0.45, 0.58), GREY, t, LINE)
    knee = p(0.7, 0.55)
    cv2.line(img, hip, knee, color, t, LINE)
    if posture == "crossed":  # the affected leg over the other knee, foot free in the air
        cv2.line(img, knee, p(0.72, 0.92), color, t, LINE)
        cv2.line(img, p(0.72, 0.92), p(0.88, 0.92), color, t, LINE)
        cv2.line(img, p(0.66, 0.5), p(0.9, 0.66), YELLOW, t, LINE)
        cv2.line(img, p(0.9, 0.66), p(0.98, 0.55), YELLOW, t, LINE)
    else:  # foot flat on the floor
        cv2.line(img, knee, p(0.72, 0.92), YELLOW, t, LINE)
        cv2.line(img, p(0.72, 0.92), p(0.9, 0.92), YELLOW, t, LINE)


def _dim(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    panel(out, (0, 0, out.shape[1], out.shape[0]), PANEL, alpha=0.85)
    return out


def draw_start_screen(img: np.ndarray, tiles: list[Tile], heading: str = "Choose an exercise",
                      footer: str = "press its number, or click it") -> Drawn:
    """The exercises as big numbered rows (number, drawing, title, cue) over the dimmed picture."""
    out = _dim(img)
    h, w = out.shape[:2]
    pad = round(0.02 * h)
    thick = max(1, round(h / 240))
    heights: list[int] = []
    y = _line(out, heading, pad * 2, pad, 0.075 * h, w - 4 * pad, WHITE, thick + 1, heights)
    foot_px = MIN_TEXT_SHARE * h * 1.1
    top, bottom = y + pad, h - round(foot_px) - 2 * pad
    row = (bottom - top) / max(1, len(tiles))
    rects = []
    for i, tile in enumerate(tiles):
        ry0, ry1 = round(top + i * row + pad / 2), round(top + (i + 1) * row - pad / 2)
        rect = (pad, ry0, w - pad, ry1)
        rects.append(rect)
        panel(out, rect, (70, 70, 70), alpha=0.9)
        cv2.rectangle(out, rect[:2], rect[2:], GREY, 1, LINE)
        rh = ry1 - ry0
        nx1 = pad + round(0.9 * rh)
        panel(out, (pad, ry0, nx1, ry1), (150, 90, 20), alpha=1.0)  # the number on blue
        num_px = 0.7 * rh
        nw = text_size(str(tile.number), _scale_for(num_px, thick + 1), thick + 1)[0]
        _line(out, str(tile.number), (pad + nx1 - nw) // 2, ry0 + round(0.12 * rh), num_px, nx1 - pad, WHITE,
              thick + 1, heights)
        fx1 = nx1 + round(1.1 * rh)
        _figure(out, (nx1 + pad, ry0 + round(0.08 * rh), fx1, ry1 - round(0.08 * rh)), tile.posture)
        tx, tmax = fx1 + pad, w - fx1 - 3 * pad
        title_px = max(MIN_TEXT_SHARE * h, min(0.5 * rh, 0.065 * h))
        cue_px = max(MIN_TEXT_SHARE * h, min(0.38 * rh, 0.055 * h))
        ty = _line(out, tile.title, tx, ry0 + round(0.06 * rh), title_px, tmax, WHITE, thick + 1, heights)
        _line(out, tile.cue, tx, ty + round(0.04 * rh), cue_px, tmax, YELLOW, thick, heights)
    _line(out, footer, pad * 2, h - round(foot_px) - pad, foot_px, w - 4 * pad, GREY, thick, heights)
    return Drawn(out, rects, heights)


def draw_checklist(img: np.ndarray, title: str, items: list[CheckItem], ready: bool, footer: str) -> Drawn:
    """The placement checklist on the left of the live picture: a mark, the item and OK/no,
    green or red, the fix under each red one, and READY when all are green."""
    out = img.copy()
    h, w = out.shape[:2]
    pad = round(0.02 * h)
    thick = max(1, round(h / 240))
    px = MIN_TEXT_SHARE * h * 1.1
    width = round(min(0.75 * w, 1.2 * h))
    r = round(px * 0.45)
    text_w = width - 4 * pad - 2 * r
    min_scale = _scale_for(MIN_TEXT_SHARE * h, thick)
    fixes = {i: wrap(it.fix, min_scale, thick, text_w, max_lines=3) for i, it in enumerate(items) if not it.ok}
    lines = len(items) + sum(len(f) for f in fixes.values())
    box = (pad, pad, pad + width, pad + round(2 * pad + 1.3 * 1.15 * px + pad + lines * (1.3 * px + pad / 2)
                                              + pad + 2 * 1.3 * px + pad))
    panel(out, box, BLACK, alpha=0.78)
    heights: list[int] = []
    y = _line(out, title, 2 * pad, 2 * pad, px * 1.15, width - 2 * pad, WHITE, thick + 1, heights) + pad
    for k, it in enumerate(items):
        cx, cy = 2 * pad + r, y + round(px / 2)
        cv2.circle(out, (cx, cy), r, GREEN if it.ok else RED, -1, LINE)
        m, t = r // 2, max(2, thick + 1)
        if it.ok:
            cv2.polylines(out, [np.array([(cx - m, cy), (cx - m // 3, cy + m), (cx + m, cy - m)])], False, BLACK, t,
                          LINE)
        else:
            cv2.line(out, (cx - m, cy - m), (cx + m, cy + m), WHITE, t, LINE)
            cv2.line(out, (cx - m, cy + m), (cx + m, cy - m), WHITE, t, LINE)
        label = f"{it.label}: {'OK' if it.ok else 'no'}"
        y = _line(out, label, cx + r + pad, y, px, text_w, WHITE if it.ok else YELLOW, thick, heights) + pad // 2
        for line in fixes.get(k, []):
            y = _line(out, line, cx + r + pad, y, MIN_TEXT_SHARE * h, text_w, YELLOW, thick, heights) + pad // 2
    status = "READY" if ready else ("All good: hold still" if all(it.ok for it in items) else "Fix the red items")
    y = _line(out, status, 2 * pad, y + pad, px, width - 2 * pad, GREEN if ready else WHITE, thick + 1, heights)
    _line(out, footer, 2 * pad, y, px, width - 2 * pad, GREY, thick, heights)
    return Drawn(out, [box], heights)
