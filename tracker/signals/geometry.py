"""Pure numpy geometry on 2-D image points (pixels, x right, y down). Arrays are (..., 2).

Angles are returned in degrees; NaN in, NaN out (no exceptions on missing landmarks).
"""
from __future__ import annotations

import numpy as np


def angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors ``a`` and ``b`` (degrees, 0..180)."""
    dot = np.sum(a * b, axis=-1)
    norm = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.clip(dot / norm, -1.0, 1.0)
    return np.degrees(np.arccos(c))


def cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z of the 2-D cross product (signed parallelogram area)."""
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def length(v: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v, axis=-1)


def pitch_deg(v: np.ndarray) -> np.ndarray:
    """Elevation of ``v`` above the image horizontal (degrees), whichever way it points in x.

    Image y grows downward, so an upward vector has negative dy.
    """
    return np.degrees(np.arctan2(-v[..., 1], np.abs(v[..., 0])))


def direction_deg(v: np.ndarray) -> np.ndarray:
    """Direction of ``v`` in the image (degrees, atan2 with y up)."""
    return np.degrees(np.arctan2(-v[..., 1], v[..., 0]))


def lateral_offset(origin: np.ndarray, axis_to: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Signed distance of ``point`` from the line origin→axis_to (pixels, + to the right of it)."""
    axis = axis_to - origin
    with np.errstate(invalid="ignore", divide="ignore"):
        return cross2(axis, point - origin) / length(axis)


def unwrap_deg(a: np.ndarray) -> np.ndarray:
    """Remove ±360° jumps from an angle series (NaN-tolerant)."""
    out = a.copy()
    ok = np.isfinite(a)
    if ok.sum() > 1:
        out[ok] = np.degrees(np.unwrap(np.radians(a[ok])))
    return out
