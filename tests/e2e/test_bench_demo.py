"""The benchmark's quick mode and the first command a new user runs (`tracker demo`)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tracker.sinks.csvfile import read_rep_csv

from conftest import PROJECT, SAMPLES

pytestmark = pytest.mark.slow


def _need_samples():
    if not list(SAMPLES.glob("*_meta.json")):
        pytest.skip("no sample clips in sample_videos/")


def test_bench_quick_prints_tables_and_json(tmp_path):
    _need_samples()
    out = tmp_path / "bench.json"
    p = subprocess.run([sys.executable, "-m", "tracker.bench", "--quick", "--json", str(out)],
                       capture_output=True, text=True, cwd=PROJECT, timeout=600)
    assert p.returncode == 0, p.stderr[-800:]
    assert "| model | path | clips scored | exact |" in p.stdout
    assert "| full | live |" in p.stdout and "| full | offline |" in p.stdout
    assert "| clip | group | exercise |" in p.stdout
    doc = json.loads(out.read_text())
    row = doc["clips"][0]
    assert row["group"] == "sample" and row["true"] is not None and "rmse_deg" in row
    assert row["live_counted"] >= 0 and row["live_ok"] in (True, False)  # the live path, same clip
    assert row["live_frames"] >= row["frames"]  # live plays every video frame, offline the analysis rate
    assert set(doc["summary"]["full"]) == {"offline", "live"}
    assert doc["machine"]["cores"] >= 1


def test_demo_runs_on_a_bundled_sample(tmp_path):
    _need_samples()
    meta = json.loads(next(SAMPLES.glob("dorsiflexion*_meta.json")).read_text())
    p = subprocess.run([sys.executable, "-m", "tracker", "demo", "--out", str(tmp_path / "demo")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-800:]
    assert f"{meta['reps']}/10 reps" in p.stdout
    rows = read_rep_csv(tmp_path / "demo" / "reps.csv")
    assert sum(r["counted"] for r in rows) == meta["reps"]
    assert (tmp_path / "demo" / "annotated.mp4").stat().st_size > 10_000
    assert list((tmp_path / "demo").glob("*.png"))
    assert "Traceback" not in p.stderr
