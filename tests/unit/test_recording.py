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


def _pose_tool(name: str):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_tool_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_recordings_say_which_pose_pipeline_made_them(tmp_path):
    from types import SimpleNamespace

    from tracker.pose.estimator import PIPELINE_VERSION
    from tracker.pose.recording import older_pipeline, recording_meta

    model = tmp_path / "m.task"
    model.write_bytes(b"model")
    info = SimpleNamespace(name="cam0", kind="camera", fps=30.0, fps_reliable=True, width=64, height=48, frame_count=0)
    meta = recording_meta(SimpleNamespace(info=info), SimpleNamespace(model_path=str(model), mode="video"))
    assert meta["pipeline"] == PIPELINE_VERSION
    rec = _rec()
    rec.meta.update(pipeline=PIPELINE_VERSION)
    assert older_pipeline(rec.save(tmp_path / "now.npz")) is None
    rec.meta.pop("pipeline")  # made before the meta said: no foot turn, so before pipeline 3
    assert older_pipeline(rec.save(tmp_path / "old.npz")) == 2 < PIPELINE_VERSION
    rec.foot_turn, rec.foot_moved = np.zeros((len(rec), 2), np.float32), np.zeros((len(rec), 2), np.int16)
    assert older_pipeline(rec.save(tmp_path / "turn.npz")) is None  # pipeline 3 before the meta said
    assert older_pipeline(tmp_path / "missing.npz") == 0
    rec.meta.update(pipeline="new")
    with pytest.raises(InputError, match="damaged recording .*pose pipeline"):
        load_recording(rec.save(tmp_path / "bad.npz"))


def test_the_corpus_tools_list_or_repose_clips_an_older_pipeline_made(tmp_path, capsys):
    corpus, routine = _pose_tool("corpus"), _pose_tool("routine_corpus")
    videos, out = tmp_path / "videos", tmp_path / "out"
    videos.mkdir()
    out.mkdir()
    cmd = "python tools/render_samples.py --seed 1 --out X"
    (tmp_path / "manifest.csv").write_text(f"name,command\nc001,{cmd}\n")
    (videos / "c001.cmd").write_text(cmd)
    (videos / "c001_meta.json").write_text(json.dumps({"kind": "routine", "command": cmd}))
    (videos / "c001.mp4").write_bytes(b"")
    (out / "c001_meta.json").write_text(json.dumps({"manifest_command": cmd, "command": cmd}))
    _rec().save(out / "c001.npz")  # no pipeline in its meta, no foot turn: pipeline 2
    posed = []
    corpus.pose_one = lambda row, v, o: posed.append(row["name"]) or 1.0
    routine.pose_one = lambda video, o: posed.append(video.stem) or 1.0
    args = ["pose", "--videos", str(videos), "--out", str(out)]
    for tool, extra in ((corpus, ["--manifest", str(tmp_path / "manifest.csv")]), (routine, [])):
        assert tool.main(args + extra) == 0 and posed == []
        said = capsys.readouterr().out
        assert "1 clips were posed by an older pose pipeline" in said and "c001" in said and "--repose-older" in said
        assert tool.main(args + extra + ["--repose-older"]) == 0 and posed == ["c001"]
        posed.clear()
