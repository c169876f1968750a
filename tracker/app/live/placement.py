"""The placement check before the first set: is the camera where the exercise needs it?

Why: a first session fails most often before any rep, on where the camera stands (the feet
cut off, too far, the wrong side of the body, a dark room). The check asks the same gate
that will pause counting (``LiveGate``), item by item, so "ready" here means the counter
will see the movement. Items are judged over the last second, so one bad frame does not
flicker; the check is ready once every item has been green for ``READY_S``.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from tracker.app.live.guide import MESSAGES
from tracker.exercises import Exercise
from tracker.pose.landmarks import SIDES
from tracker.signals.features import leg_features
from tracker.signals.gating import LiveGate
from tracker.sinks.menus import CheckItem

WINDOW_S = 1.0  # each item is judged over this much of the recent past
OK_SHARE = 0.7  # ... and is green when it held in this share of those frames
READY_S = 1.5  # all green this long: ready (the session starts by itself)
TOO_CLOSE_SHARE = 0.55  # a shank longer than this share of the picture's height: step back


class PlacementCheck:
    """``update(t, image, pose)`` → the checklist for this frame; ``ready`` once all green."""

    def __init__(self, ex: Exercise, side: str | None = None):
        self.ex, self.side = ex, side
        self.gate = LiveGate(ex)
        self._seen: dict[str, deque] = {}
        self._green_since: float | None = None
        self.ready = False

    def _judge(self, t: float, image, pose) -> dict[str, tuple[bool, str]]:
        """This frame's verdict per item: (ok, what to change)."""
        problem = self.gate.person_problem(t, image, pose)
        h, w = image.shape[:2]
        out = {"Light": (problem != "dark", MESSAGES["dark"]),
               "Person": (bool(pose.detected), MESSAGES["no_person"])}
        legs: dict[str, str | None] = {}
        if pose.detected:
            for s in SIDES:
                f = leg_features(pose.pixels[None], pose.visibility[None], s, self.ex,
                                 scale=np.array([self.gate.scale(s)]))
                legs[s] = self.gate.leg_problem(s, float(f.quality[0]), float(f.foot_ratio[0]), pose.pixels, w, h)
        sides = [self.side] if self.side in SIDES else list(SIDES)
        best = min(sides, key=lambda s: (legs.get(s) is not None, s)) if legs else sides[0]
        seated = "Sit down: this exercise is done seated" if self.ex.seated else MESSAGES["lying"]
        out["Sitting" if self.ex.seated else "Position"] = (problem not in ("lying", "standing"), seated)
        # in the picture, and the exercised one clearly seen (from the side the far foot is behind)
        out["Feet in picture"] = (bool(legs) and all(legs[s] != "feet_out" for s in SIDES)
                                           and legs[best] != "foot_hidden", MESSAGES["feet_out"])
        shank = self.gate.scale(best)
        close = shank == shank and shank > TOO_CLOSE_SHARE * h
        out["Distance"] = (bool(legs) and legs.get(best) != "far" and not close,
                           "Move the camera back: the whole leg must be in the picture" if close
                           else MESSAGES["far"])
        view_known = bool(legs) and self.gate.view_known(best)
        out[f"{self.ex.view.capitalize()} view"] = (view_known and legs.get(best) != "wrong_view",
                                               self.ex.wrong_view_message() if view_known
                                               else "Hold still in your position for a moment")
        return out

    def update(self, t: float, image, pose) -> list[CheckItem]:
        items = []
        for label, (ok, fix) in self._judge(t, image, pose).items():
            d = self._seen.setdefault(label, deque())
            d.append((t, ok))
            while d and t - d[0][0] > WINDOW_S:
                d.popleft()
            share = sum(o for _, o in d) / len(d)
            items.append(CheckItem(label, share >= OK_SHARE, fix))
        if all(it.ok for it in items):
            self._green_since = t if self._green_since is None else self._green_since
            self.ready = t - self._green_since >= READY_S
        else:
            self._green_since, self.ready = None, False
        return items
