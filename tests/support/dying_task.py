"""A cluster task that kills its own worker process the first time it meets a chosen file
(a machine that dies mid-file), then behaves as the real task: the cluster must retry it."""
from __future__ import annotations

import os
from pathlib import Path


def analyse_or_die(args: tuple):
    from tracker.app.analyze import _worker

    path = args[0]
    marker = Path(os.environ["TRACKER_TEST_DIE_MARKER"])
    if Path(path).name == os.environ["TRACKER_TEST_DIE_ON"] and not marker.exists():
        marker.write_text(str(os.getpid()))
        os._exit(1)  # the worker dies without a word, as a machine losing power would
    return _worker(args)
