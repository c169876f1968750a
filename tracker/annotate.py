"""``--annotate``: draw the live overlay onto a recorded video from an offline result.

The overlay code is the live one (``tracker.overlay``); this module only turns an analysed
set into the per-frame view the overlay draws (count so far, angle, stage), so a therapist
sees exactly what a patient would have seen live.
"""
from __future__ import annotations

import math
from pathlib import Path


from tracker.exercises import EXERCISES
from tracker.landmarks import LEG


def view_at(result, i: int, fps: float | None = None):
    """The overlay's view of frame ``i`` of an analysed set (pure: no drawing)."""
    from tracker.overlay import OverlayView

    ex = EXERCISES[result.info.exercise]
    t = float(result.t[i])
    done = [r for r in result.reps if r.end_t <= t]
    counted = [r for r in done if r.counted]
    current = next((r for r in result.reps if r.start_t <= t < r.end_t), None)
    angle = result.direction * (result.signal[i] - result.baseline[i])
    if len(counted) >= result.info.target:
        stage = "complete"
    elif current is None:
        stage = "ready"
    elif abs(t - current.peak_t) < 0.15 * max(current.duration_s, 0.1):
        stage = "hold"
    else:
        stage = "lift" if t < current.peak_t else "lower"
    leg = {}
    rec = result.recording
    if rec is not None and i < len(rec):
        for name in ("hip", "knee", "ankle", "heel", "toe"):
            k = LEG[result.info.side][name]
            x, y = rec.norm[i, k, 0] * rec.width, rec.norm[i, k, 1] * rec.height
            ok = math.isfinite(x) and math.isfinite(rec.visibility[i, k]) and rec.visibility[i, k] >= 0.5
            leg[name] = (float(x), float(y)) if ok else None
    last = done[-1] if done else None
    since = t - last.end_t if last else 99.0
    return OverlayView(
        title=ex.title, cue=ex.cue, count=len(counted), target=result.info.target,
        low_confidence=sum(1 for r in done if not r.counted),
        angle_deg=float(angle) if math.isfinite(angle) else float("nan"),
        rest_deg=0.0, best_deg=max((r.rom_deg for r in counted), default=0.0), range_deg=result.range_deg,
        stage=stage, message=result.warnings[0] if result.warnings else "", mode=result.info.mode,
        side=result.info.side, leg=leg, fps=fps, approximate=ex.approximate,
        last_rep_low_confidence=bool(last and not last.counted), last_rep_assisted=bool(last and last.assisted),
        last_rep_note=last.note if last else "", flash=max(0.0, 1.0 - since / 0.6),
    )


def annotate_video(video: str | Path, result, out: str | Path, model: str | None = None) -> Path:
    """Write ``video`` with the overlay of ``result`` drawn on every frame (mp4)."""
    import cv2

    from tracker.capture import open_source
    from tracker.errors import RuntimeFailure
    from tracker.overlay import draw_overlay

    out = Path(out)
    with open_source(video) as src:
        fps = src.info.fps
        writer = None
        try:
            import numpy as np

            n = len(result.t)
            for frame in src:
                # analysed frames may be a subset (--max-fps): show the latest analysed state
                i = min(max(int(np.searchsorted(result.t, frame.t + 1e-6)) - 1, 0), n - 1)
                img = draw_overlay(frame.image.copy(), view_at(result, i))
                if writer is None:
                    h, w = img.shape[:2]
                    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                    if not writer.isOpened():
                        raise RuntimeFailure(f"cannot write video {out}; choose a .mp4 path in a writable folder")
                writer.write(img)
        finally:
            if writer is not None:
                writer.release()
    return out



