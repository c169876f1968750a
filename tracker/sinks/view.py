"""The overlay's view model: what one frame shows, built the same way live and offline.

``overlay_view`` turns a ``CountState`` (where the set stands) and the session around it
into an ``OverlayView`` of plain values; ``tracker.sinks.overlay`` only draws it. The live
session and ``analyze --annotate`` both call it, so a therapist reviewing an annotated
video sees what the patient saw live (same flash, same stages, same rest).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tracker.exercises import Exercise
from tracker.pose.landmarks import LEG
from tracker.records import CountState
from tracker.signals.features import VISIBLE

FLASH_S = 0.8  # the count box lights up this long after a counted rep


@dataclass
class OverlayView:
    """Everything the overlay shows for one frame; plain values, no logic."""

    title: str = ""
    cue: str = ""
    count: int = 0
    target: int = 10
    low_confidence: int = 0
    angle_deg: float = float("nan")  # live angle relative to rest, rep direction +
    rest_deg: float = float("nan")
    best_deg: float = 0.0  # best range of motion this set
    range_deg: float = float("nan")  # the person's typical range (the gauge's target zone)
    stage: str = "calibrating"  # calibrating | ready | lift | lower | hold | paused | complete
    message: str = ""  # guidance in plain words; "" when all is well
    mode: str = "active"
    side: str = ""
    leg: dict[str, tuple[float, float] | None] = field(default_factory=dict)  # pixels, affected side
    fps: float | None = None
    approximate: bool = False  # the angle is a 2-D proxy: shown with "~"
    last_rep_low_confidence: bool = False
    last_rep_assisted: bool = False
    last_rep_note: str = ""
    goal: str | None = None  # "goal to beat" from the history, or None
    hint: str = ""  # small print at the bottom (keys, how to choose another exercise); "\n" splits lines
    flash: float = 0.0  # 0..1: a rep was just counted (the count box lights up)
    step: str = ""  # e.g. "exercise 2 of 5" in a routine


def leg_points(px: np.ndarray | None, vis: np.ndarray | None, side: str) -> dict:
    """Pixel points of one leg to draw, None where the model did not see the point."""
    if px is None or vis is None:
        return {}
    out = {}
    for name, k in LEG[side].items():
        x, y, v = float(px[k, 0]), float(px[k, 1]), float(vis[k])
        out[name] = (x, y) if math.isfinite(x) and math.isfinite(v) and v >= VISIBLE else None
    return out


def overlay_view(ex: Exercise, st: CountState, t: float, *, target: int, mode: str, side: str,
                 stage: str | None = None, message: str = "", leg: dict | None = None, fps: float | None = None,
                 goal: str | None = None, hint: str = "", step: str = "") -> OverlayView:
    """One frame's view. ``stage`` overrides the counter's (paused, complete)."""
    last = st.last_rep
    return OverlayView(
        title=ex.title, cue=ex.cue, count=st.count, target=target, low_confidence=st.low_confidence,
        angle_deg=st.angle_deg, rest_deg=st.rest_deg, best_deg=st.best_deg, range_deg=st.range_deg,
        stage=stage or st.stage, message=message, mode=mode, side=side, leg=leg or {}, fps=fps,
        approximate=ex.approximate, last_rep_low_confidence=bool(last and not last.counted),
        last_rep_assisted=bool(last and last.assisted), last_rep_note=last.note if last else "",
        goal=goal, hint=hint, flash=max(0.0, 1.0 - (t - st.last_count_t) / FLASH_S), step=step)


def state_at(result, i: int) -> CountState:
    """Where an analysed (offline) set stood at its frame ``i``: the reps that had ended by
    then, the stage of the rep in progress, the angle against that moment's rest."""
    t = float(result.t[i])
    done = [r for r in result.reps if r.end_t <= t]
    counted = [r for r in done if r.counted]
    current = next((r for r in result.reps if r.start_t <= t < r.end_t), None)
    if current is None:
        stage = "ready"
    elif abs(t - current.peak_t) < 0.15 * max(current.duration_s, 0.1):
        stage = "hold"
    else:
        stage = "lift" if t < current.peak_t else "lower"
    angle = result.direction * (result.signal[i] - result.baseline[i])
    return CountState(stage=stage, count=len(counted), low_confidence=len(done) - len(counted),
                      angle_deg=float(angle) if math.isfinite(angle) else float("nan"),
                      rest_deg=float(result.baseline[i]), range_deg=result.range_deg,
                      best_deg=max((r.rom_deg for r in counted), default=0.0), last_rep=done[-1] if done else None,
                      last_count_t=counted[-1].end_t if counted else float("-inf"))
