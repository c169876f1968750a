"""Checks for output paths and the progress bar: shared by every command that writes files."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import InputError, UsageError, printable


def check_output_path(path: str | os.PathLike, force: bool = False, suffix: str | None = None) -> Path:
    """Fail early, before any work, when an output cannot be written or would be overwritten."""
    p = Path(path).expanduser()
    if suffix and p.suffix.lower() != suffix:
        raise UsageError(f"{p}: expected a {suffix} file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"cannot write {p}: folder {parent} does not exist; create it or choose another path")
    if not os.access(parent, os.W_OK):
        raise InputError(f"cannot write {p}: folder {parent} is read-only; choose another folder")
    if p.is_dir():
        raise InputError(f"{p} is a folder; give a file name")
    if p.exists() and not force:
        raise InputError(f"{p} already exists; pass --force to overwrite it or choose another name")
    if not p.exists():
        # A real probe: os.access says yes to root even on a read-only file system.
        try:
            with open(p, "a"):
                pass
            p.unlink()
        except OSError as exc:
            raise InputError(f"cannot write {p}: {exc.strerror or exc}; choose another folder") from exc
    return p


@contextmanager
def progress_bar(total: int | None, desc: str = "", unit: str = "frame", enabled: bool | None = None):
    """A tqdm bar on a terminal, silent otherwise (CI logs, pipes)."""
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        enabled = False
    if not enabled:
        class _Null:
            def update(self, n=1):
                pass

            def set_postfix_str(self, s):
                pass

        yield _Null()
        return
    bar = tqdm(total=total, desc=printable(desc), unit=unit, leave=False, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
