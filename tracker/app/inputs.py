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
    return _once_each(out)


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
