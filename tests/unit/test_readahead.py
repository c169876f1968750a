"""The decoder thread of offline analysis: same frames in the same order, errors reach the
consumer, and stopping early leaves no thread reading the source."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from tracker.sources.frames import Frame, FrameSource
from tracker.sources.readahead import read_ahead


class Counting(FrameSource):
    def __init__(self, n: int, fail_at: int | None = None):
        self.n, self.fail_at, self.read_on = n, fail_at, set()

    def __iter__(self):
        for i in range(self.n):
            self.read_on.add(threading.current_thread().name)
            if i == self.fail_at:
                raise OSError("disk gone")
            yield Frame(i, i / 30, np.full((4, 4, 3), i % 256, np.uint8))


def test_frames_come_in_order_from_another_thread():
    src = Counting(50)
    got = list(read_ahead(src, depth=3))
    assert [f.index for f in got] == list(range(50))
    assert [int(f.image[0, 0, 0]) for f in got] == list(range(50))
    assert src.read_on == {"frame-decoder"}


def test_a_reading_error_is_raised_in_the_consumer():
    it = read_ahead(Counting(20, fail_at=7))
    with pytest.raises(OSError, match="disk gone"):
        for _ in it:
            pass


def test_stopping_early_stops_the_thread():
    it = read_ahead(Counting(10_000), depth=2)
    assert next(it).index == 0
    it.close()
    assert not any(t.name == "frame-decoder" for t in threading.enumerate())
