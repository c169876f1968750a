"""The files a batch command works on: folders expanded, each file once."""
from __future__ import annotations

import sys
from pathlib import Path

from tracker.errors import InputError, printable


def expand_inputs(paths: list[str]) -> list[Path]:
    from tracker.pose.recording import RECORDING_EXTS
    from tracker.sources.capture import VIDEO_EXTS, find_videos

    out: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"{p}: no such file or folder; check the path")
        if p.is_dir():
            found = find_videos(p) + sorted(x for x in p.rglob("*") if x.suffix.lower() in RECORDING_EXTS)
            for x in [x for x in found if not x.is_file()]:  # a folder named *.npz, a link looping or dangling
                print(f"tracker: skipping {printable(x)}: not a file", file=sys.stderr)
                found.remove(x)
            if not found:
                raise InputError(f"{p} holds no videos ({', '.join(VIDEO_EXTS)}) or recordings (.npz)")
            out += found
        else:
            out.append(p)
    return _without_recordings_of(_once_each(out))


def _once_each(paths: list[Path]) -> list[Path]:
    """Each file once, in first-seen order: a file named twice (or named and inside a folder
    also given, or reached through a link) would write its reps twice into the same CSV and
    history. Files are the same when the system says so (device and inode), not by name."""
    seen: dict[object, Path] = {}
    out: list[Path] = []
    for p in paths:
        key = _identity(p)
        if key in seen:
            print(f"tracker: {printable(p)} is the same file as {printable(seen[key])}: analysed once",
                  file=sys.stderr)
            continue
        seen[key] = p
        out.append(p)
    return out


def _identity(p: Path) -> object:
    try:
        st = p.stat()
    except OSError:
        return p.resolve()  # unreadable: its own error comes when it is opened
    return (st.st_dev, st.st_ino) if st.st_ino else p.resolve()


def _without_recordings_of(paths: list[Path]) -> list[Path]:
    """Drop a landmark recording (``tracker pose`` output) of a video that is analysed too:
    ``tracker pose clip.mp4 -o clip.npz`` then ``tracker analyze folder/`` would otherwise count
    the same session twice into one CSV and history. Same video: the recording's source has its
    name and its SHA-256 (hashed only for a video of that name)."""
    from tracker.pose.recording import is_recording

    videos = {}
    for p in paths:
        if not is_recording(p):
            videos.setdefault(p.name, []).append(p)
    out = []
    for p in paths:
        twin = _source_video(p, videos) if is_recording(p) and videos else None
        if twin is not None:
            print(f"tracker: skipping {printable(p)}: it holds the landmarks of {printable(twin)}, "
                  "which is analysed itself", file=sys.stderr)
            continue
        out.append(p)
    return out


def _source_video(recording: Path, videos: dict[str, list[Path]]) -> Path | None:
    """The given video this recording was made from, if any (an unreadable recording: none,
    its own error comes when it is opened)."""
    import json

    import numpy as np

    from tracker.pose.model_files import sha256_file

    try:
        with np.load(recording, allow_pickle=False) as z:
            src = json.loads(str(z["meta"])).get("source", {})
        name, digest = Path(str(src.get("name", ""))).name, src.get("sha256")
    except Exception:  # noqa: BLE001 - any damage is reported when the file is analysed
        return None
    for video in videos.get(name, []) if digest else []:
        try:
            if sha256_file(video) == digest:
                return video
        except OSError:
            continue
    return None
