"""Landmark recordings: exact round trip, clear errors for other versions or damage."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tracker.errors import InputError
from tracker.pose.recording import load_recording

from synthlegs import drop_frames, make_recording, rep_profile


def _rec():
    t = np.arange(0, 6, 1 / 30)
    return drop_frames(make_recording(t, dorsi=rep_profile(t, 1, 10.0), noise_px=0.5), (t > 2) & (t < 2.5))


def test_round_trip_is_exact(tmp_path):
    rec = _rec()
    rec.meta["source"]["sha256"] = "ab" * 32
    path = rec.save(tmp_path / "r.npz")
    back = load_recording(path)
    for k in ("t", "norm", "visibility", "presence", "world", "people", "index"):
        a, b = getattr(rec, k), getattr(back, k)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)  # NaN == NaN here, bit-exact otherwise
    assert (back.width, back.height) == (rec.width, rec.height)
    assert back.meta["source"] == rec.meta["source"]
    assert back.meta["version"] == 1


def test_other_version_and_damage_are_clear_errors(tmp_path):
    path = _rec().save(tmp_path / "r.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["version"] = 99
    np.savez(tmp_path / "v99.npz", **{**arrays, "meta": np.array(json.dumps(meta))})
    with pytest.raises(InputError, match="version 99"):
        load_recording(tmp_path / "v99.npz")
    arrays["t"] = arrays["t"][::-1].copy()
    np.savez(tmp_path / "bad_t.npz", **arrays)
    with pytest.raises(InputError, match="timestamps"):
        load_recording(tmp_path / "bad_t.npz")
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="not a footdrop-poses recording"):
        load_recording(tmp_path / "junk.npz")
    with pytest.raises(InputError, match="no such recording"):
        load_recording(tmp_path / "missing.npz")


def test_recording_with_nans_analyses_without_crash(tmp_path):
    from tracker.counting.offline import analyze_recording
    from tracker.exercises import get_exercise

    rec = load_recording(_rec().save(tmp_path / "r.npz"))
    rec.norm[::7] = np.nan
    res = analyze_recording(rec, get_exercise("dorsiflexion"))
    assert res.summary.frames == len(rec)
