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
    if p.is_symlink() and not p.exists():
        raise InputError(f"{p} is a link to a missing file; remove the link or choose another name")
    if p.is_dir():
        raise InputError(f"{p} is a folder; give a file name")
    if p.exists() and not force:
        raise InputError(f"{p} already exists; pass --force to overwrite it or choose another name")
    if not p.exists():
        _probe(p)
    return p


def _probe(p: Path) -> None:
    """A real write test (os.access says yes to root even on a read-only file system). O_EXCL
    and O_NOFOLLOW: it only ever removes a file it has just created itself."""
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise InputError(f"cannot write {p}: {exc.strerror or exc}; choose another folder") from exc
    os.close(fd)
    p.unlink()


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """One file under two names: the same real path (links, ``..``) or the same inode (hard links)."""
    if os.path.realpath(os.path.expanduser(a)) == os.path.realpath(os.path.expanduser(b)):
        return True
    try:
        return os.path.samefile(os.path.expanduser(a), os.path.expanduser(b))
    except OSError:  # one of them does not exist yet
        return False


def check_distinct(outputs: dict[str, str | os.PathLike], inputs=(), database: str | os.PathLike | None = None) -> None:
    """An output is never an input, the history database or another output, ``--force`` or
    not: writing it would destroy what it is read from. ``outputs``: label -> path."""
    named = [(label, path) for label, path in outputs.items() if path]
    for i, (label, path) in enumerate(named):
        for other_label, other in named[:i]:
            if same_file(path, other):
                raise InputError(f"{other_label} and {label} name the same file {path}; give each output its own name")
        for src in inputs:
            if same_file(path, src):
                raise InputError(f"{label} {path} is an input; writing it would destroy it, choose another name")
        if database is not None and same_file(path, database):
            raise InputError(f"{label} {path} is the history database; choose another name")


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
