"""Hostile and malformed landmark recordings: refused in one line (exit 3), before any
large allocation, never an internal error."""
from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.errors import EXIT_INPUT, InputError
from tracker.pose.recording import load_recording

from synthlegs import make_recording, rep_profile

PROJECT = Path(__file__).resolve().parents[2]


def _arrays(tmp_path) -> dict:
    t = np.arange(0, 4, 1 / 30)
    path = make_recording(t, dorsi=rep_profile(t, 2, 12.0), noise_px=0.3).save(tmp_path / "ok.npz")
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def _meta(arrays: dict, **change) -> np.ndarray:
    meta = json.loads(str(arrays["meta"]))
    for key, value in change.items():
        if "." in key:
            outer, inner = key.split(".")
            meta[outer][inner] = value
        else:
            meta[key] = value
    return np.array(json.dumps(meta))


# (name, how the arrays are spoilt): each was an "internal error" (exit 4) or a wrong message
MALFORMED = {
    "meta is a list": lambda a: {"meta": np.array("[1, 2]")},
    "meta is a number": lambda a: {"meta": np.array("42")},
    "meta is a string": lambda a: {"meta": np.array('"hello"')},
    "meta is an int array": lambda a: {"meta": np.arange(3)},
    "width is text": lambda a: {"meta": _meta(a, width="wide")},
    "height is negative": lambda a: {"meta": _meta(a, height=-5)},
    "height is missing": lambda a: {"meta": np.array(json.dumps({k: v for k, v in json.loads(str(a["meta"])).items()
                                                                 if k != "height"}))},
    "source is a list": lambda a: {"meta": _meta(a, source=[1, 2])},
    "source fps is text": lambda a: {"meta": _meta(a, **{"source.fps": "fast"})},
    "source fps is negative": lambda a: {"meta": _meta(a, **{"source.fps": -30})},
    "source name is a number": lambda a: {"meta": _meta(a, **{"source.name": 5})},
    "norm is complex": lambda a: {"norm": a["norm"].astype(np.complex64)},
    "t is 2-D": lambda a: {"t": a["t"].reshape(-1, 1)},
    "t is text": lambda a: {"t": a["t"].astype(str)},
    "index is float": lambda a: {"index": a["index"] + 0.5},
    "people has one row too many": lambda a: {"people": np.append(a["people"], 1)},
    "visibility is 1-D": lambda a: {"visibility": a["visibility"][:, 0]},
    "world is missing": lambda a: {"world": None},
    "norm holds objects": lambda a: {"norm": np.array([None] * len(a["t"]), dtype=object)},
    "meta nested too deep": lambda a: {"meta": np.array("[" * 50000 + "]" * 50000)},
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_malformed_recording_is_a_damaged_recording_exit_3(kind, tmp_path, capsys):
    arrays = _arrays(tmp_path)
    for key, value in MALFORMED[kind](arrays).items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    code = main(["analyze", str(path), "-e", "dorsiflexion", "--no-history"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    assert "damaged recording" in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_recording_with_encrypted_members_is_damaged_not_an_internal_error(tmp_path, capsys):
    path = tmp_path / "locked.npz"
    np.savez(path, **_arrays(tmp_path))
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        at = data.find(signature)
        while at >= 0:
            data[at + flag_at] |= 1  # "encrypted": zipfile wants a password
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    code = main(["analyze", str(path), "-e", "dorsiflexion", "--no-history"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and "damaged recording" in err and "internal error" not in err, err



def test_foot_turns_the_pose_step_cannot_give_load_as_not_measured(tmp_path):
    # 1e30 degrees loaded as they were and, with the turn counted, gave a dozen absurd reps
    arrays = _arrays(tmp_path)
    n = len(arrays["t"])
    turn = np.zeros((n, 2), np.float32)
    turn[:4, 0] = [1e30, -np.inf, 75.0, -59.0]
    turn[:2, 1] = [np.nan, 12.5]
    np.savez(tmp_path / "turn.npz", **arrays, foot_turn=turn, foot_moved=np.full((n, 2), 9, np.uint64))
    rec = load_recording(tmp_path / "turn.npz")
    assert np.isnan(rec.foot_turn[:3, 0]).all() and rec.foot_turn[3, 0] == -59.0
    assert np.isnan(rec.foot_turn[0, 1]) and rec.foot_turn[1, 1] == 12.5 and (rec.foot_turn[4:] == 0).all()
    assert rec.foot_turn.dtype == np.float32 and rec.foot_moved.dtype == np.int16 and (rec.foot_moved == 9).all()


@pytest.mark.parametrize("value", [2 ** 63, -1, 201])
def test_moved_corner_counts_out_of_range_are_a_damaged_recording(value, tmp_path, capsys):
    arrays = _arrays(tmp_path)
    n = len(arrays["t"])
    moved = np.zeros((n, 2), np.uint64 if value > 2 ** 62 else np.int64)
    moved[3, 1] = value
    np.savez(tmp_path / "moved.npz", **arrays, foot_turn=np.zeros((n, 2), np.float32), foot_moved=moved)
    code = main(["analyze", str(tmp_path / "moved.npz"), "-e", "dorsiflexion", "--no-history"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and "damaged recording" in err and "foot_moved" in err, err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("step", [1e-6, 1e-5, 30.0])
def test_absurd_frame_spacing_is_refused(step, tmp_path):
    arrays = _arrays(tmp_path)
    arrays["t"] = np.arange(len(arrays["t"])) * step
    np.savez(tmp_path / "fast.npz", **arrays)
    with pytest.raises(InputError, match="damaged recording .*timestamps are"):
        load_recording(tmp_path / "fast.npz")


def test_recording_longer_than_a_day_is_refused(tmp_path):
    arrays = _arrays(tmp_path)
    arrays["t"] = arrays["t"].copy()
    arrays["t"][-1] = 30 * 3600.0
    np.savez(tmp_path / "long.npz", **arrays)
    with pytest.raises(InputError, match="timestamps span"):
        load_recording(tmp_path / "long.npz")


# --- a few MB declaring gigabytes ---------------------------------------------------------

def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _zeros_member(shape: tuple[int, ...], dtype) -> tuple[bytes, int, int]:
    """(deflated data, crc32, size) of an .npy of zeros, built from one repeated deflate
    block (a full flush resets the window, so identical blocks deflate identically)."""
    dtype = np.dtype(dtype)
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, {"descr": dtype.str, "fortran_order": False, "shape": shape})
    head = head.getvalue()
    nbytes = int(np.prod(shape)) * dtype.itemsize
    chunk = 1 << 20
    assert nbytes % chunk == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    block_co = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(chunk)
    block = block_co.compress(zeros) + block_co.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(nbytes // chunk):
        crc = zlib.crc32(zeros, crc)
    data = first + block * (nbytes // chunk) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    return data, crc, len(head) + nbytes


def _write_zip(path: Path, members: dict[str, tuple[bytes, int, int]]) -> None:
    """A plain (no zip64) deflated zip, written by hand so the data can be pre-deflated."""
    out, central = bytearray(), bytearray()
    for name, (data, crc, size) in members.items():
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, len(out))
        central += name.encode()
        out += struct.pack("<I", 0x04034B50) + fields + name.encode() + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))


def _deflated(raw: bytes) -> tuple[bytes, int, int]:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(raw) + co.flush(), zlib.crc32(raw), len(raw)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_few_megabytes_declaring_gigabytes_is_refused_with_bounded_memory(tmp_path):
    arrays = _arrays(tmp_path)
    frames = 8_126_464  # norm: frames x 33 x 3 float32 = 3.2 GB of zeros
    members = {f"{k}.npy": _deflated(_npy(v)) for k, v in arrays.items() if k not in ("norm", "t")}
    members["t.npy"] = _zeros_member((frames,), np.float64)
    members["norm.npy"] = _zeros_member((frames, 33, 3), np.float32)
    path = tmp_path / "bomb.npz"
    _write_zip(path, members)
    assert path.stat().st_size < 5e6
    # Peak RSS of this process alone: VmHWM starts afresh at exec, unlike getrusage's
    # ru_maxrss, which keeps the high-water mark of the (large) test process that spawned it.
    probe = textwrap.dedent(f"""
        import re
        from tracker.errors import InputError
        from tracker.pose.recording import load_recording
        try:
            load_recording({str(path)!r})
            print("loaded")
        except InputError as exc:
            print(exc)
        print(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
    """)
    run = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, timeout=600)
    message, peak_kib = run.stdout.strip().splitlines()
    assert "damaged recording" in message and "frames" in message, run.stdout + run.stderr
    assert int(peak_kib) < 200_000  # the old code peaked at 3.1 GiB, f"peak RSS {int(peak_kib) / 1024:.0f} MiB"
