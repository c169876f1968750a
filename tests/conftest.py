"""Shared fixtures: where ../shared lives, and skipping cleanly when it is absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACKER_SHARED", PROJECT.parent / "shared"))
SAMPLES = PROJECT / "sample_videos"


def shared_path(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (../shared is only on developer and CI machines)")
    return p


@pytest.fixture(autouse=True)
def _isolated_history(tmp_path, monkeypatch):
    """No test writes into the user's real history database."""
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "history.sqlite3"))


@pytest.fixture(autouse=True)
def _forget_custom_exercises():
    """A plan's custom exercises are registered process-wide; no other test may see them."""
    from tracker.exercises import EXERCISES

    before = dict(EXERCISES)
    yield
    EXERCISES.clear()
    EXERCISES.update(before)


@pytest.fixture
def xvfb():
    """A private X server for window tests; skips where Xvfb/xwd are not installed."""
    import xdisplay

    if not xdisplay.available():
        pytest.skip("Xvfb and xwd are not installed (apt-get install xvfb x11-apps)")
    proc, display = xdisplay.start_xvfb()
    try:
        if display is None:
            pytest.skip("Xvfb did not start")
        yield display
    finally:
        proc.terminate()
        proc.wait(timeout=10)
