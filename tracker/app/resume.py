"""``analyze --resume``: which inputs a stopped batch still has to do.

Why by the summary: a file is done when its set's summary row was written (its per-rep rows
may be provisional until then), so the summary is the record of what finished.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tracker.app.options import SetOptions
from tracker.errors import UsageError, printable
from tracker.sinks.csvfile import csv_uncell


def _same_file_elsewhere(f: Path, finished: str) -> bool:
    """``data/x.mp4`` saved, now given as ``x.mp4`` from inside ``data`` (or the other way)."""
    given, saved = str(f).replace(os.sep, "/"), finished.replace(os.sep, "/")
    real = os.path.realpath(f).replace(os.sep, "/")
    return real.endswith("/" + saved.lstrip("./")) or given.endswith("/" + saved) or saved.endswith("/" + given)


def not_finished(files: list[Path], opts: SetOptions) -> list[Path]:
    """``--resume``: the inputs the earlier run's summary does not list as done (matched as
    real paths, so the batch must be given the way it was: from the same folder)."""
    if opts.resume and not opts.summary:
        raise UsageError("--resume goes on from the --summary file of the earlier run; give --summary")
    finished = [csv_uncell(s) for s in opts.finished()]
    done = {os.path.realpath(s) for s in finished}
    todo = [f for f in files if os.path.realpath(f) not in done]
    moved = [f for f in todo if any(_same_file_elsewhere(f, s) for s in finished)]
    if moved:  # re-analysing a finished file under another path would write its rows twice
        raise UsageError(f"--resume: {printable(moved[0])} looks like {printable(opts.summary)}'s finished "
                         "file given another way; run from the folder the batch was started in, with the same paths")
    if opts.resume:
        print(f"resuming: {len(files) - len(todo)} of {len(files)} files were analysed already "
              f"({printable(opts.summary)}); {len(todo)} to go", file=sys.stderr)
    return todo
