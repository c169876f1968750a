"""One file's failure in a batch is said and skipped, never the end of the batch
(``tracker.errors.each_file``, used by ``analyze`` and ``analyze --routine``)."""
from __future__ import annotations

import pytest

from tracker.errors import InputError, each_file


def _run(files, fail_on: dict):
    done, failed = [], []

    def run(f):
        if f in fail_on:
            raise fail_on[f]
        done.append(f)

    each_file(files, lambda msg, suffix: failed.append(msg + suffix), run)
    return done, failed


def test_a_bad_file_and_an_unexpected_error_are_skipped_and_said():
    done, failed = _run(["a", "b", "c"], {"a": InputError("a: not a video"), "b": ValueError("shapes")})
    assert done == ["c"]
    assert failed[0] == "a: not a video (skipped)"
    assert "b: internal error: ValueError: shapes" in failed[1] and failed[1].endswith("(skipped)")


@pytest.mark.parametrize("exc", [InputError("x: not a video"), ValueError("shapes")])
def test_a_single_file_raises(exc):
    with pytest.raises(type(exc)):
        _run(["x"], {"x": exc})


def test_a_full_disk_ends_the_batch():
    with pytest.raises(OSError):
        _run(["a", "b"], {"a": OSError(28, "No space left on device")})


def test_a_file_named_twice_or_inside_a_folder_also_given_is_analysed_once(tmp_path, capsys):
    import os

    from tracker.app.inputs import expand_inputs

    folder = tmp_path / "videos"
    folder.mkdir()
    a, b = folder / "a.mp4", folder / "b.mp4"
    a.write_bytes(b"x")
    b.write_bytes(b"y")
    hard = tmp_path / "hard.mp4"
    os.link(a, hard)  # another name for the same file
    got = expand_inputs([str(a), str(folder), str(tmp_path / "videos" / ".." / "videos" / "a.mp4"), str(hard)])
    assert [p.resolve() for p in got] == [a.resolve(), b.resolve()]
    err = capsys.readouterr().err
    assert err.count("is the same file as") == 3 and "analysed once" in err


def test_a_recording_of_a_video_also_given_is_not_analysed_twice(tmp_path, capsys):
    """``tracker pose clip.mp4 -o clip.npz`` beside the video: one session, counted once."""
    import json

    import numpy as np

    from tracker.app.inputs import expand_inputs
    from tracker.pose.model_files import sha256_file

    folder = tmp_path / "session"
    folder.mkdir()
    video, other = folder / "clip.mp4", folder / "other.mp4"
    video.write_bytes(b"the video")
    other.write_bytes(b"another video")

    def recording(path, name, digest):  # the meta a ``tracker pose`` recording carries
        meta = {"source": {"name": name, "kind": "video", "fps": 15.0, "sha256": digest}}
        np.savez(path, meta=np.array(json.dumps(meta)))  # only the meta is read to find the twin

    recording(folder / "clip.npz", "/elsewhere/clip.mp4", sha256_file(video))  # made from this very video
    recording(folder / "edited.npz", "clip.mp4", sha256_file(other))  # same name, other content: kept
    got = expand_inputs([str(folder)])
    assert sorted(p.name for p in got) == ["clip.mp4", "edited.npz", "other.mp4"]
    err = capsys.readouterr().err
    assert "skipping" in err and "clip.npz" in err and "landmarks of" in err
    assert [p.name for p in expand_inputs([str(folder / "clip.npz")])] == ["clip.npz"]  # alone: analysed
