"""Writing files so that a crash, Ctrl-C or a full disk never leaves half a file behind.

One way for every whole-file output (the summary CSV, the report, landmark recordings):
write next to the target, fsync, rename over it. A failure is one line naming the fix.
"""
from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import InputError, RuntimeFailure


def write_failed(path: Path, exc: OSError) -> RuntimeFailure:
    if exc.errno == errno.ENOSPC:
        return RuntimeFailure(f"disk full while writing {path}; free some space (rows written so far are kept)")
    return RuntimeFailure(f"cannot write {path}: {exc.strerror or exc}; check permissions and free space")


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp"):
    """Yields a temporary path beside ``path``; renamed over it when the block succeeds. A
    link is written through (its target replaced), never replaced by a file."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}{suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise write_failed(path, exc) from exc
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding=encoding) as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def lock_for_writing(f, path: str | os.PathLike) -> None:
    """Hold an exclusive lock on an open output (released when it is closed): two runs
    sharing one ``--csv`` would otherwise truncate or interleave each other's rows."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, the "already exists" check remains
        return
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise InputError(f"{path} is being written by another tracker run; wait for it to end or choose "
                         "another name") from exc
    except OSError:  # a file system without locks (some network shares): write unlocked
        pass


def is_locked(path: str | os.PathLike) -> bool:
    """Whether another open file holds ``lock_for_writing`` on ``path`` now."""
    try:
        f = open(path, "rb")
    except OSError:
        return False
    with f:
        try:
            lock_for_writing(f, path)
        except InputError:
            return True
    return False
