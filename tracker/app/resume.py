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


def not_finished(files: list[Path], opts: SetOptions) -> list[Path]:
    """``--resume``: the inputs the earlier run's summary does not list as done (matched as
    real paths, so the batch must be given the way it was: from the same folder)."""
    if opts.resume and not opts.summary:
        raise UsageError("--resume goes on from the --summary file of the earlier run; give --summary")
    finished = [s[1:] if s[:1] == "'" and s[1:2] in "=+-@" else s for s in opts.finished()]  # CSV-escaped
    done = {os.path.realpath(s) for s in finished}
    todo = [f for f in files if os.path.realpath(f) not in done]
    if finished and len(todo) == len(files):  # re-analysing them would write their rows twice
        raise UsageError(f"--resume: none of the files {printable(opts.summary)} lists as done is among these "
                         "inputs; run from the folder the batch was started in, with the same paths")
    if opts.resume:
        print(f"resuming: {len(files) - len(todo)} of {len(files)} files were analysed already "
              f"({printable(opts.summary)}); {len(todo)} to go", file=sys.stderr)
    return todo
