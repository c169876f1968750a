"""Writing files so that a crash, Ctrl-C or a full disk never leaves half a file behind.

One way for every whole-file output (the summary CSV, the report, landmark recordings):
write next to the target, fsync, rename over it. A failure is one line naming the fix.
"""
from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import RuntimeFailure


def write_failed(path: Path, exc: OSError) -> RuntimeFailure:
    if exc.errno == errno.ENOSPC:
        return RuntimeFailure(f"disk full while writing {path}; free some space (rows written so far are kept)")
    return RuntimeFailure(f"cannot write {path}: {exc.strerror or exc}; check permissions and free space")


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp"):
    """Yields a temporary path beside ``path``; renamed over it when the block succeeds."""
    path = Path(path)
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
