"""Synthetic reps with chosen holds at the top, for the plan tests (live and analyze)."""
from __future__ import annotations

import numpy as np

FPS = 30.0
# The custom exercise the plan tests declare: "ankle pumps" on the dorsiflexion signal.
PUMPS = """\
[[custom]]
name = "ankle_pumps"
signal = "ankle_dorsiflexion"
direction = "both"
title = "Ankle pumps"
cue = "Pump your foot up and down"
"""


def reps_angle(holds: list[float], amp: float = 15.0, start_s: float = 2.0, up_s: float = 1.0,
               rest_s: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Time and angle: still, then one smooth rep per entry held that long at the top."""
    period = [2 * up_s + h + rest_s for h in holds]
    t = np.arange(0, start_s + sum(period) + 1.5, 1 / FPS)
    a = np.zeros_like(t)
    t0 = start_s
    for h, p in zip(holds, period):
        m = (t >= t0) & (t < t0 + up_s)
        a[m] = amp * 0.5 * (1 - np.cos(np.pi * (t[m] - t0) / up_s))
        a[(t >= t0 + up_s) & (t < t0 + up_s + h)] = amp
        t1 = t0 + up_s + h
        m = (t >= t1) & (t < t1 + up_s)
        a[m] = amp * 0.5 * (1 + np.cos(np.pi * (t[m] - t1) / up_s))
        t0 += p
    return t, a
