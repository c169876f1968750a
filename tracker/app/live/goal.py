"""Small print on the live overlay: the goal to beat (the person's last set of this
exercise on this side) and the loop's frame rate."""
from __future__ import annotations

from collections import deque


class FrameRate:
    """Frames per second over the last 30 frames (None until there are two)."""

    def __init__(self, frames: int = 30):
        self._walls: deque[float] = deque(maxlen=frames)

    def tick(self, wall_s: float) -> None:
        self._walls.append(wall_s)

    @property
    def fps(self) -> float | None:
        w = self._walls
        return (len(w) - 1) / (w[-1] - w[0]) if len(w) >= 2 and w[-1] > w[0] else None


def goal_text(lookup, profile: str, exercise: str, side: str | None) -> str | None:
    """None without a history, before the side is known, or when there is nothing to beat.
    The history is a nicety: a failing lookup never stops a session."""
    if lookup is None or side is None:
        return None
    try:
        last = lookup(profile, exercise, side)
    except Exception:
        return None
    if not last or not last.get("reps_counted"):
        return None
    n, best = last["reps_counted"], last.get("best_rom_deg")
    return f"Goal to beat: {n} rep{'s' if n != 1 else ''}" + (f", best {best:.0f}°" if best else "")
