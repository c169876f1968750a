"""Checks on a landmark recording before and while it is loaded: declared sizes, types, time base.

Why: a recording is a file anyone can hand over. numpy allocates and inflates whatever an
``.npy`` header inside the zip declares, so a few MB can declare gigabytes; and every later
stage trusts the types and the timestamps. The headers (a few hundred bytes each) are read
without inflating any array and checked against the format first; the metadata and the
timestamps are checked before anything is derived from them. Each failure is one
"damaged recording" line (exit 3), never an internal error.
"""
from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from tracker.errors import InputError
from tracker.pose.foot_roi import CORNERS, MAX_TURN_DEG
from tracker.pose.landmarks import NUM_LANDMARKS

FORMAT = "footdrop-poses"
VERSION = 1
REMAKE = "re-create it with: tracker pose VIDEO -o FILE.npz"
# 4.6 h at 30 fps, about 540 MB of landmarks loaded: the most a recording may declare.
MAX_FRAMES = 500_000
MAX_META_CHARS = 1_000_000
MIN_FRAME_STEP_S = 1e-3  # median spacing: at most 1000 frames per second ...
MAX_FRAME_STEP_S = 10.0  # ... and at least one frame every 10 s
MAX_DURATION_S = 24 * 3600.0
MAX_FRAME_SIDE = 100_000

# array -> (allowed dtype kinds, shape after the frame axis)
ARRAYS: dict[str, tuple[str, tuple[int, ...]]] = {
    "t": ("f", ()), "index": ("iu", ()), "people": ("iu", ()),
    "norm": ("f", (NUM_LANDMARKS, 3)), "world": ("f", (NUM_LANDMARKS, 3)),
    "visibility": ("f", (NUM_LANDMARKS,)), "presence": ("f", (NUM_LANDMARKS,)),
}
# arrays a recording may hold (older ones do not): checked like the others when present
OPTIONAL: dict[str, tuple[str, tuple[int, ...]]] = {"foot_turn": ("f", (2,)), "foot_moved": ("iu", (2,))}


def damaged(path: Path, what: str) -> InputError:
    return InputError(f"damaged recording {path}: {what}; {REMAKE}")


def _read_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, header length) of one member, reading only its header."""
    fmt = np.lib.format
    with zf.open(info) as f:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = fmt.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        return tuple(shape), dtype, f.tell()


def check_headers(path: Path) -> int:
    """Every array's declared type and shape, before any is loaded; returns the frame count."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename.removesuffix(".npy"): i for i in zf.infolist()}
        missing = [k for k in ("meta", *ARRAYS) if k not in members]
        if "meta" in missing:
            raise InputError(f"{path} is not a footdrop-poses recording (no meta); {REMAKE}")
        if missing:
            raise damaged(path, f"missing {', '.join(missing)}")
        heads = {}
        present = {k: v for k, v in OPTIONAL.items() if k in members}
        for k in ("meta", *ARRAYS, *present):
            try:
                heads[k] = _read_header(zf, members[k])
            except ValueError as exc:
                raise damaged(path, f"array '{k}' has an unreadable header ({exc})") from exc
    shape, dtype, _ = heads["meta"]
    if shape != () or dtype.kind != "U" or dtype.itemsize // 4 > MAX_META_CHARS:
        raise damaged(path, f"'meta' is {dtype} {shape}, expected a JSON text")
    n = _frame_count(path, heads["t"][0])
    for k, (kinds, tail) in {**ARRAYS, **present}.items():
        shape, dtype, head_len = heads[k]
        if dtype.kind not in kinds or dtype.fields is not None:
            raise damaged(path, f"array '{k}' holds {dtype}, expected {'floats' if kinds == 'f' else 'integers'}")
        if shape != (n, *tail):
            raise damaged(path, f"array '{k}' has shape {shape}, expected {(n, *tail)}")
        if members[k].file_size != head_len + math.prod(shape) * dtype.itemsize:
            raise damaged(path, f"array '{k}' is {members[k].file_size} bytes, its header declares another size")
    return n


def _frame_count(path: Path, t_shape: tuple[int, ...]) -> int:
    if len(t_shape) != 1:
        raise damaged(path, f"timestamps 't' have shape {t_shape}, expected one per frame")
    n = t_shape[0]
    if n == 0:
        raise damaged(path, "it holds no frames (timestamps are missing)")
    if n > MAX_FRAMES:
        raise damaged(path, f"it declares {n:,} frames, more than the {MAX_FRAMES:,} (4.6 h at 30 fps) "
                            "a recording may hold")
    return n


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_meta(path: Path, meta) -> dict:
    """The metadata is an object of this format and version with usable values."""
    if not isinstance(meta, dict):
        raise damaged(path, f"'meta' is a JSON {type(meta).__name__}, expected an object")
    if meta.get("format") != FORMAT:
        raise InputError(f"{path} is not a footdrop-poses recording; {REMAKE}")
    if meta.get("version") != VERSION:
        raise InputError(f"{path} is a version {str(meta.get('version'))[:20]} recording, this tracker reads "
                         f"version {VERSION}; {REMAKE}")
    for key in ("width", "height"):
        if not _is_int(meta.get(key)) or not 1 <= meta[key] <= MAX_FRAME_SIDE:
            raise damaged(path, f"frame {key} {str(meta.get(key))[:20]!r} is not a size in pixels")
    pipe = meta.get("pipeline")
    if pipe is not None and not (_is_int(pipe) and 1 <= pipe <= 1000):
        raise damaged(path, f"pose pipeline {str(pipe)[:20]!r} is not a version number")
    for key in ("source", "model"):
        if not isinstance(meta.get(key, {}), dict):
            raise damaged(path, f"'{key}' is not an object")
    src = meta.get("source", {})
    fps = src.get("fps")
    if fps is not None and not (_is_number(fps) and 0 <= fps <= 1 / MIN_FRAME_STEP_S):
        raise damaged(path, f"source frame rate {str(fps)[:20]!r} is not a number of frames per second")
    for key in ("name", "sha256", "kind", "damaged"):
        if src.get(key) is not None and not isinstance(src[key], str):
            raise damaged(path, f"source {key} is not text")
    return meta


def check_times(path: Path, t: np.ndarray) -> None:
    """Finite, strictly increasing, sanely spaced timestamps over a sane duration."""
    steps = np.diff(t)
    if not np.all(np.isfinite(t)) or np.any(steps <= 0):
        raise damaged(path, "timestamps are not finite or not increasing")
    if not len(steps):
        return
    step = float(np.median(steps))
    if not MIN_FRAME_STEP_S <= step <= MAX_FRAME_STEP_S:
        raise damaged(path, f"timestamps are {step * 1e3:.3g} ms apart; frames come every "
                            f"{MIN_FRAME_STEP_S * 1e3:g} ms to {MAX_FRAME_STEP_S:g} s")
    if t[-1] - t[0] > MAX_DURATION_S:
        raise damaged(path, f"timestamps span {(t[-1] - t[0]) / 3600:.1f} h, longer than a recording can be")


def check_feet(path: Path, arrays: dict) -> None:
    """The optional foot turn arrays, in place: a turn the pose step cannot give (beyond
    ``MAX_TURN_DEG``, or infinite) is not measured (NaN); moved-corner counts outside 0 to
    ``CORNERS`` are a damaged file. Why: with an exercise counting from the turn, values of
    1e30 counted a dozen reps of absurd range and no warning."""
    turn = arrays.get("foot_turn")
    if turn is not None:
        turn = turn.astype(np.float32)
        with np.errstate(invalid="ignore"):
            turn[~(np.abs(turn) <= MAX_TURN_DEG)] = np.nan
        arrays["foot_turn"] = turn
    moved = arrays.get("foot_moved")
    if moved is not None:
        if moved.size and not (0 <= moved.min() and moved.max() <= CORNERS):
            raise damaged(path, f"'foot_moved' holds counts outside 0-{CORNERS}")
        arrays["foot_moved"] = moved.astype(np.int16)
