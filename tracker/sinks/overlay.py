"""Drawing the live overlay on a frame: what the person sees from two metres away.

Drawing only: every number comes in an ``OverlayView`` (the live session and the offline
``analyze --annotate`` both fill one), so nothing here can change what is counted. The
picture is built by small annotators, each drawing one element, so an element can be
tested, reordered or left out on its own. Sizes follow the frame (``Layout``): the same
view reads the same on a 320x240 test clip and a 1080p webcam.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import cv2
import numpy as np

from tracker.counting.hold import SHORT_HOLD
from tracker.sinks.drawing import (
    BLACK,
    BLUE,
    CYAN,
    GREEN,
    GREY,
    LINE,
    ORANGE,
    PANEL,
    WHITE,
    YELLOW,
    Layout,
    fit_scale,
    panel,
    put_text,
    text_size,
    wrap,
)
from tracker.sinks.view import OverlayView

STAGE_WORDS = {
    "calibrating": ("KEEP STILL", YELLOW),
    "ready": ("READY", WHITE),
    "lift": ("LIFT", CYAN),
    "lower": ("LOWER", CYAN),
    "hold": ("HOLD", CYAN),
    "paused": ("PAUSED", ORANGE),
    "complete": ("DONE!", GREEN),
}
LEG_POINTS = ("hip", "knee", "ankle", "heel", "toe")
LEG_EDGES = (("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"), ("heel", "toe"), ("ankle", "toe"))


def _fmt_deg(v: float, approximate: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "--"
    v = round(v)
    if -2 <= v < 0:  # landmark noise just below rest reads as rest, not as "-1°"
        v = 0
    return f"{'~' if approximate else ''}{0 if v == 0 else v:d}°"


# ------------------------------------------------------------------ annotators

class LegAnnotator:
    """The affected leg: thick bones and joints so the person sees what is tracked."""

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        pts = {k: v for k, v in (view.leg or {}).items() if v is not None and all(map(math.isfinite, v))}
        t = max(2, round(4 * lay.s))
        color = GREEN if view.stage in ("lift", "hold") else CYAN
        for a, b in LEG_EDGES:
            if a in pts and b in pts:
                pa, pb = _ipt(pts[a]), _ipt(pts[b])
                cv2.line(img, pa, pb, BLACK, t + 2, LINE)
                cv2.line(img, pa, pb, color, t, LINE)
        for k in LEG_POINTS:
            if k in pts:
                r = max(3, round((7 if k in ("ankle", "toe") else 5) * lay.s))
                cv2.circle(img, _ipt(pts[k]), r + 1, BLACK, -1, LINE)
                cv2.circle(img, _ipt(pts[k]), r, WHITE if k == "ankle" else color, -1, LINE)


def _ipt(p) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


class HeaderAnnotator:
    """Top left: the exercise, the cue, side and mode (and the routine step)."""

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        x0, y0, x1, _ = lay.header
        s, pad = lay.s, lay.pad
        max_w = x1 - x0 - 2 * pad
        if max_w < 40:
            return
        title = view.title or "Exercise"
        ts = fit_scale(title, 0.95 * s, lay.thick, max_w)
        cue_scale = 0.6 * s
        cue = wrap(view.cue, cue_scale, 1, max_w, 2) if view.cue else []
        bits = [b for b in (view.side.upper() if view.side else "", view.mode.upper() if view.mode else "",
                            view.step) if b]
        info = "  |  ".join(bits)
        line_h = text_size("Ag", cue_scale, 1)[1] + round(4 * s)
        title_h = text_size("Ag", ts, lay.thick)[1]
        h = pad + title_h + round(6 * s) + line_h * (len(cue) + (1 if info else 0)) + pad
        panel(img, (x0, y0, x1, y0 + h))
        y = y0 + pad + title_h - round(6 * s)
        put_text(img, title, (x0 + pad, y), ts, WHITE, lay.thick)
        y += round(6 * s)
        for line in cue:
            y += line_h
            put_text(img, line, (x0 + pad, y), cue_scale, (230, 230, 230), 1)
        if info:
            y += line_h
            put_text(img, info, (x0 + pad, y), fit_scale(info, 0.55 * s, 1, max_w), YELLOW, 1)


class CountAnnotator:
    """Top right, the biggest thing on screen: count / target, a progress bar, the stage.

    The box is opaque so the digits read on any background (and compare exactly in tests),
    which also lets it be cached: large anti-aliased digits cost ~4 ms on a 1080p frame and
    the box only changes when the count, the flash or the stage does.
    """

    CACHE_SIZE = 64

    def __init__(self):
        self._cache: OrderedDict = OrderedDict()

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        x0, y0, x1, y1 = lay.count
        flash = round(max(0.0, min(1.0, view.flash)) * 20) / 20
        key = (view.count, view.target, flash, view.stage, lay.h, lay.w)
        ry1 = min(lay.h, y1 + lay.strip)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            img[y0:ry1, x0:x1] = cached
            return
        self._draw(img, view, lay, flash)
        self._cache[key] = img[y0:ry1, x0:x1].copy()
        if len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    def _draw(self, img, view: OverlayView, lay: Layout, flash: float) -> None:
        x0, y0, x1, y1 = lay.count
        s = lay.s
        done = view.count >= view.target > 0
        bg = (40, 110, 30) if done else PANEL
        if flash > 0 and not done:
            bg = tuple(int(p + flash * (g - p)) for p, g in zip(PANEL, (60, 120, 40)))
        panel(img, (x0, y0, x1, y1), bg, 1.0)
        if flash > 0:  # a border inside the box (the cached region holds all of it)
            border = max(2, round(4 * s))
            i = border // 2
            cv2.rectangle(img, (x0 + i, y0 + i), (x1 - 1 - i, y1 - 1 - i), GREEN, border)
        big, small = str(view.count), f"/{view.target}"
        inner = x1 - x0 - 2 * lay.pad
        bs = fit_scale(big + small, 3.0 * s, max(2, round(5 * s)), inner)  # digits + target together
        bt = max(2, round(5 * s * bs / (3.0 * s)))
        ss = bs * 0.5
        bw, bh = text_size(big, bs, bt)
        sw, _ = text_size(small, ss, max(1, bt // 2))
        tx = x0 + (x1 - x0 - bw - sw) // 2
        by0, by1 = y1 - round(32 * s), y1 - round(14 * s)
        ty = y0 + (by0 - y0 + bh) // 2 - round(6 * s)
        xe = put_text(img, big, (tx, ty), bs, WHITE, bt)
        put_text(img, small, (xe + round(4 * s), ty), ss, (210, 210, 210), max(1, bt // 2))
        # progress bar
        bx0, bx1 = x0 + lay.pad, x1 - lay.pad
        cv2.rectangle(img, (bx0, by0), (bx1, by1), (80, 80, 80), -1)
        frac = min(1.0, view.count / view.target) if view.target > 0 else 0.0
        if frac > 0:
            cv2.rectangle(img, (bx0, by0), (bx0 + round(frac * (bx1 - bx0)), by1), GREEN if done else BLUE, -1)
        cv2.rectangle(img, (bx0, by0), (bx1, by1), WHITE, 1)
        # stage word on a strip below the box
        word, color = STAGE_WORDS.get(view.stage, (view.stage.upper(), WHITE))
        ws = fit_scale(word, 1.1 * s, lay.thick, x1 - x0 - 2 * lay.pad)
        ww, wh = text_size(word, ws, lay.thick)
        panel(img, (x0, y1, x1, y1 + lay.strip), PANEL, 1.0)
        put_text(img, word, (x0 + (x1 - x0 - ww) // 2, y1 + (lay.strip + wh) // 2 - round(4 * s)), ws, color,
                 lay.thick)


class GaugeAnnotator:
    """Right edge: the live angle from rest (bottom) up, with the best rep and the usual range."""

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        x0, y0, x1, y1 = lay.gauge
        s = lay.s
        if y1 - y0 < 20:
            return
        rng = view.range_deg if math.isfinite(view.range_deg) else 0.0
        angle = view.angle_deg if math.isfinite(view.angle_deg) else float("nan")
        top = max(10.0, 1.3 * max(rng, view.best_deg or 0.0, angle if math.isfinite(angle) else 0.0))
        top = 5.0 * math.ceil(top / 5.0)

        def y_of(v: float) -> int:
            return int(round(y1 - (y1 - y0) * min(max(v, 0.0), top) / top))

        panel(img, (x0 - round(4 * s), y0 - round(4 * s), x1 + round(4 * s), y1 + round(4 * s)), PANEL, 0.7)
        if rng > 0:  # the person's usual range: where a good rep reaches
            cv2.rectangle(img, (x0, y_of(rng)), (x1, y_of(0.5 * rng)), (70, 90, 70), -1)
        if math.isfinite(angle) and angle > 0:
            cv2.rectangle(img, (x0, y_of(angle)), (x1, y1), CYAN if view.stage != "paused" else GREY, -1)
        cv2.rectangle(img, (x0, y0), (x1, y1), WHITE, 1)
        ls = 0.5 * s
        rest_label = "rest"
        rw, _ = text_size(rest_label, ls, 1)
        put_text(img, rest_label, (x0 - rw - round(6 * s), y1), ls, WHITE, 1, outline=True)
        if view.best_deg and view.best_deg > 0:
            yb = y_of(view.best_deg)
            cv2.line(img, (x0 - round(6 * s), yb), (x1 + round(4 * s), yb), YELLOW, max(2, round(3 * s)))
            lab = f"best {_fmt_deg(view.best_deg, view.approximate)}"
            lw, _ = text_size(lab, ls, 1)
            put_text(img, lab, (x0 - lw - round(8 * s), yb + round(6 * s)), ls, YELLOW, 1, outline=True)
        # the current angle, large, above the gauge
        if not math.isfinite(angle) or view.stage == "complete":
            return
        val = _fmt_deg(angle, view.approximate)
        vs = 1.1 * s
        vw, _ = text_size(val, vs, lay.thick)
        put_text(img, val, (x1 - vw, y0 - round(12 * s)), vs, WHITE, lay.thick, outline=True)


class StatusAnnotator:
    """Bottom left, small: fps, low-confidence reps, the last rep's flags, goal and hint."""

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        s = lay.s
        ls = 0.5 * s
        max_w = lay.gauge[0] - 3 * lay.pad - round(60 * s)
        lines: list[tuple[str, tuple]] = []
        if view.goal:
            lines.append((view.goal, YELLOW))
        flags = []
        if view.last_rep_low_confidence:  # a plan's short hold says so, and how long it was held
            short = view.last_rep_note.startswith(SHORT_HOLD)
            flags.append(f"last rep: {view.last_rep_note.split(';')[0] if short else 'low confidence'} (not counted)")
        if view.last_rep_assisted and view.mode != "passive":
            flags.append("last rep: assisted")
        if view.last_rep_note and not view.last_rep_low_confidence:
            flags.append(view.last_rep_note)
        for f in flags:
            lines += [(ln, ORANGE) for ln in wrap(f, ls, 1, max_w, 2)]
        bits = []
        if view.fps is not None and math.isfinite(view.fps):
            bits.append(f"{view.fps:.0f} fps")
        if view.low_confidence:
            bits.append(f"{view.low_confidence} low-confidence")
        if bits:
            lines.append(("  |  ".join(bits), GREY))
        for part in view.hint.split("\n") if view.hint else ():
            lines += [(ln, (200, 200, 200)) for ln in wrap(part, ls, 1, max_w, 2)]
        if not lines or max_w < 40:
            return
        lh = text_size("Ag", ls, 1)[1] + round(5 * s)
        y = lay.h - lay.pad - lh * (len(lines) - 1)
        panel(img, (lay.pad, y - lh, lay.pad + max_w + 2 * lay.pad, lay.h - lay.pad + round(4 * s)), PANEL, 0.55)
        for text, color in lines:
            put_text(img, text, (2 * lay.pad, y - round(4 * s)), fit_scale(text, ls, 1, max_w), color, 1)
            y += lh


class MessageAnnotator:
    """Guidance ("Turn sideways to the camera"): large, on a yellow band, hard to miss."""

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        if not view.message:
            return
        s = lay.s
        ms = 0.95 * s
        t = lay.thick
        max_w = lay.gauge[0] - 4 * lay.pad
        lines = wrap(view.message, ms, t, max_w, 3)
        lh = text_size("Ag", ms, t)[1] + round(8 * s)
        block = lh * len(lines) + 2 * lay.pad
        yc = int(lay.h * 0.55)
        y0 = max(lay.header[3] + lay.pad, yc - block // 2)
        x1 = lay.gauge[0] - 2 * lay.pad
        panel(img, (lay.pad, y0, x1, y0 + block), (30, 200, 250), 0.88)
        y = y0 + lay.pad + lh - round(10 * s)
        for line in lines:
            w, _ = text_size(line, ms, t)
            put_text(img, line, (lay.pad + (x1 - lay.pad - w) // 2, y), ms, BLACK, t)
            y += lh


class CompleteAnnotator:
    """The 'set complete' moment: a green band across the middle at the target."""

    def annotate(self, img, view: OverlayView, lay: Layout) -> None:
        if view.stage != "complete" or view.message:
            return
        s = lay.s
        h, w = lay.h, lay.w
        y0, y1 = int(h * 0.40), int(h * 0.40 + 120 * s)
        panel(img, (0, y0, w, y1), (40, 140, 30), 0.8)
        big = "SET COMPLETE"
        bs = fit_scale(big, 1.9 * s, max(2, round(4 * s)), w - 4 * lay.pad)
        bw, bh = text_size(big, bs, max(2, round(4 * s)))
        put_text(img, big, ((w - bw) // 2, y0 + lay.pad + bh - round(6 * s)), bs, WHITE, max(2, round(4 * s)))
        sub = f"{view.count} of {view.target} - well done!"
        ss = fit_scale(sub, 0.9 * s, lay.thick, w - 4 * lay.pad)
        sw, _ = text_size(sub, ss, lay.thick)
        put_text(img, sub, ((w - sw) // 2, y1 - lay.pad - round(4 * s)), ss, WHITE, lay.thick)


ANNOTATORS = (LegAnnotator(), HeaderAnnotator(), GaugeAnnotator(), StatusAnnotator(), CountAnnotator(),
              CompleteAnnotator(), MessageAnnotator())


def draw_overlay(img_bgr: np.ndarray, view: OverlayView, annotators=ANNOTATORS) -> np.ndarray:
    """Return a copy of ``img_bgr`` with the overlay drawn; the input frame is not modified."""
    img = np.ascontiguousarray(img_bgr).copy()
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"draw_overlay needs a BGR image (H, W, 3), got shape {img.shape}")
    lay = Layout(*img.shape[:2])
    for a in annotators:
        a.annotate(img, view, lay)
    return img
