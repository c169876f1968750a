"""The corpus benchmark (tracker/bench/corpus.py): fake entries made from synthetic legs
(always), then the generated corpus in tests/corpus when it has entries.

Fakes: a 30 fps dorsiflexion clip with its truth, a still negative counted as two
exercises, and a "negative" in which the foot does move (its reps must come out as false
reps, so the false-rep column is shown able to fail).
"""
from __future__ import annotations

import csv
import gzip
import json
import time
import warnings

import numpy as np
import pytest

from tracker.bench.accuracy import angle_metrics, paired_angle_metrics, read_truth
from tracker.bench.clips import Clip
from tracker.bench.corpus import (
    CORPUS,
    analysis_stride,
    discover_corpus,
    manifest_clips,
    run_corpus,
    subsample,
)
from tracker.bench.corpus_tables import corpus_markdown, summarize_corpus
from tracker.pose.recording import load_recording

from synthlegs import duration_for, make_recording, rep_profile

REPS, AMP, REP_S, HOLD_S = 5, 20.0, 2.0, 0.5


def _conditions(fps: float, **kw) -> dict:
    c = {"hold_s": HOLD_S, "rep_s": REP_S, "amp": AMP, "cam_height_m": 0.5, "cam_dist_m": 2.0, "azimuth_deg": 90,
         "view": "side", "fps": fps, "size": "640x480", "phenotype": "synthetic", "outfit": "none",
         "start_still_s": 2.0}
    return dict(c, **kw)


def _write_entry(folder, name: str, fps: float, reps: int, split: str, count_as: list[str], expect: str,
                 noise_px: float = 0.3):
    t = np.arange(0, duration_for(reps or 1, rep_s=REP_S, hold_s=HOLD_S), 1 / fps)
    dorsi = rep_profile(t, reps, AMP, rep_s=REP_S, hold_s=HOLD_S)
    rec = make_recording(t, dorsi=dorsi, noise_px=noise_px, seed=len(name))
    rec.meta = {"source": {"name": f"{name}.mp4", "kind": "video", "fps": fps, "stride": 1}}
    rec.save(folder / f"{name}.npz")
    meta = {"exercise": "dorsiflexion", "view": "side", "side": "left", "reps": reps, "reps_true": reps,
            "fps": fps, "size": "640x480", "seed": 0, "hold_s": HOLD_S, "rep_s": REP_S, "amp": AMP,
            "split": split, "count_as": count_as, "expect": expect, "conditions": _conditions(fps)}
    (folder / f"{name}_meta.json").write_text(json.dumps(meta))
    with gzip.open(folder / f"{name}_gt.csv.gz", "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(["frame", "time_s", "rep", "phase", "progress", "dorsiflexion_deg", "eversion_deg",
                    "abduction_deg"])
        for i, (ti, d) in enumerate(zip(t, dorsi)):
            w.writerow([i, f"{ti:.4f}", *_rep_phase(ti, reps), f"{d / AMP:.4f}", f"{d:.4f}", 0, 0])
    return name


def _rep_phase(t: float, reps: int, start_s: float = 2.0, rest_s: float = 1.0) -> tuple[int, str]:
    """(rep number, phase) at time ``t`` of synthlegs.rep_profile's schedule."""
    k, x = divmod(t - start_s, REP_S + HOLD_S + rest_s)
    if t < start_s or k >= reps or x >= REP_S + HOLD_S:
        return 0, "rest"
    return int(k) + 1, "up" if x < REP_S / 2 else ("hold" if x < REP_S / 2 + HOLD_S else "down")


@pytest.fixture(scope="module")
def fake_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    names = [_write_entry(folder, "dorsi_side_30fps", 30.0, REPS, "report", ["dorsiflexion"], "count"),
             _write_entry(folder, "still_negative", 30.0, 0, "tune", ["dorsiflexion", "heel_raise"], "none"),
             _write_entry(folder, "moving_negative", 15.0, 4, "report", ["dorsiflexion"], "none")]
    with open(folder / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "split", "exercise"])
        w.writerows([n, "x", "dorsiflexion"] for n in names)
    return folder


@pytest.fixture(scope="module")
def fake_rows(fake_corpus):
    return run_corpus(discover_corpus(fake_corpus), jobs=1)


def test_discovery_makes_one_case_per_count_as_exercise(fake_corpus):
    cases = discover_corpus(fake_corpus)
    assert sorted(c.name for c in cases) == ["dorsi_side_30fps", "moving_negative", "still_negative[dorsiflexion]",
                                             "still_negative[heel_raise]"]
    neg = [c for c in cases if c.clip == "still_negative"]
    assert all(c.expect == "none" and c.true_reps == 0 and c.split == "tune" for c in neg)
    assert {c.name for c in discover_corpus(fake_corpus, "tune")} == {c.name for c in neg}
    assert sorted(manifest_clips(fake_corpus)) == ["dorsi_side_30fps", "moving_negative", "still_negative"]
    assert discover_corpus(fake_corpus / "absent") == []


def test_subsampled_recording_has_the_analysis_rate_times(fake_corpus):
    rec = load_recording(fake_corpus / "dorsi_side_30fps.npz")
    sub = subsample(rec, 15.0)
    assert analysis_stride(30.0, 15.0) == 2 and analysis_stride(15.0, 15.0) == 1 and analysis_stride(25.0, 15.0) == 2
    assert np.allclose(sub.t, np.arange(len(sub)) * 2 / 30.0)
    assert list(sub.index[:3]) == [0, 2, 4] and sub.fps == pytest.approx(15.0)
    assert sub.meta["source"]["stride"] == 2 and len(rec) == len(np.arange(0, rec.t[-1] + 1e-9, 1 / 30))
    assert subsample(rec, None) is rec and np.array_equal(subsample(rec, 10.0).t, rec.t[::3])


def test_timestamp_pairing_reads_a_30fps_truth_against_15fps_frames(fake_corpus):
    t_truth, truth = read_truth(fake_corpus / "dorsi_side_30fps_gt.csv.gz", "dorsiflexion_deg")
    t = t_truth[::2]
    measured = 0.7 * truth[::2] - 5.0
    by_time = paired_angle_metrics(t_truth, truth, t, measured)
    assert by_time["r"] > 0.999 and by_time["gain"] == pytest.approx(0.7, abs=0.01)
    assert by_time["rmse_deg"] < 3.0  # only the gain's shortfall is left after the offset
    gz = fake_corpus / "dorsi_side_30fps_gt.csv.gz"  # the shared benchmark's angle_metrics pairs the same way
    clip = Clip("x", gz, "rendered", "dorsiflexion", REPS, truth_csv=gz, truth_column="dorsiflexion_deg")
    assert angle_metrics(clip, t, measured)["r"] > 0.999
    n = len(measured)  # what pairing by index did: frame k of the clip against truth row k
    r_index = np.corrcoef(truth[:n], measured)[0, 1]
    assert abs(r_index) < 0.5


def test_fake_corpus_counts_offline_and_live(fake_rows):
    rows = {r["name"]: r for r in fake_rows}
    assert len(rows) == 4 and not any("error" in r for r in fake_rows)
    clip = rows["dorsi_side_30fps"]
    assert clip["offline"]["counted"] == REPS and clip["live"]["counted"] == REPS
    assert clip["frames"] == 2 * clip["offline_frames"] - (clip["frames"] % 2)  # live every frame, offline 15 fps
    assert clip["r"] > 0.95 and clip["offline"]["side"] == "left"
    for name in ("still_negative[dorsiflexion]", "still_negative[heel_raise]"):
        assert rows[name]["offline"]["counted"] == 0 and rows[name]["offline"]["ok"]


def test_hold_times_are_paired_with_the_rendered_holds(fake_rows):
    clip = next(r for r in fake_rows if r["name"] == "dorsi_side_30fps")
    for route in ("offline", "live"):
        pairs = clip[route]["holds"]
        assert len(pairs) == REPS and all(t == pytest.approx(HOLD_S, abs=0.05) for t, _ in pairs)
        assert all(abs(m - t) <= 0.5 for t, m in pairs), pairs


def test_a_negative_with_counted_reps_is_reported_as_false_reps(fake_rows):
    moving = next(r for r in fake_rows if r["name"] == "moving_negative")
    assert moving["offline"]["counted"] > 0 and moving["offline"]["ok"] is False
    report = [r for r in fake_rows if r["split"] == "report"]
    for route in ("offline", "live"):
        s = summarize_corpus(report, route)
        assert s["negatives"] == 1 and s["negatives_with_false_reps"] == 1
        assert s["false_reps"] == moving[route]["counted"] > 0
        assert s["clips_scored"] == 1 and s["exact_rate"] == 1.0
    text = corpus_markdown(fake_rows)
    assert f"| moving_negative | report | dorsiflexion | 0 (negative) | {moving['offline']['counted']} FALSE |" in text
    assert "| report | offline | 1 | 100% |" in text and "### Report half by hold at the top, s" in text


def test_cli_runs_the_corpus(fake_corpus, tmp_path, capsys):
    from tracker.bench.__main__ import main

    out = tmp_path / "corpus.json"
    assert main(["--corpus", str(fake_corpus), "--split", "tune", "--jobs", "1", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {r["name"] for r in doc["cases"]} == {"still_negative[dorsiflexion]", "still_negative[heel_raise]"}
    assert doc["summary"]["tune"]["live"]["negatives"] == 2
    assert "| split | path | clips scored |" in capsys.readouterr().out
    assert main(["--corpus", str(tmp_path / "none")]) == 3


@pytest.mark.slow
def test_the_generated_corpus_runs_whole(tmp_path):
    """Every clip of tests/corpus offline and live: completes, one row per (clip, count_as),
    every manifest clip present. Accuracy bars are benchmark targets, not asserted here."""
    cases = discover_corpus(CORPUS)
    if not cases:
        pytest.skip(f"{CORPUS} has no entries yet")
    t0 = time.perf_counter()
    rows = run_corpus(cases)
    assert [r["name"] for r in rows] == [c.name for c in cases]
    assert not [r["error"] for r in rows if "error" in r]
    assert all(r[route]["counted"] >= 0 for r in rows for route in ("offline", "live"))
    unrendered = set(manifest_clips(CORPUS)) - {r["clip"] for r in rows}
    if unrendered:  # the corpus is rendered clip by clip: a clip counts once its meta file is written
        warnings.warn(f"{len(unrendered)} manifest clips not in {CORPUS} yet", stacklevel=1)
    assert corpus_markdown(rows)
    print(f"corpus: {len(rows)} cases in {time.perf_counter() - t0:.1f} s")


def test_real_closeups_get_a_close_up_method_row():
    from tracker.bench.accuracy import markdown_closeups

    rows = [{"clip": "a", "exercise": "heel_raise", "true": 3, "counted": 0, "closeup_counted": 3},
            {"clip": "b", "exercise": "dorsiflexion", "true": 4, "counted": 0, "closeup_counted": 0},
            {"clip": "c", "exercise": "toe_raise", "true": 5, "counted": 5}]
    table = markdown_closeups(rows).splitlines()
    assert len(table) == 4  # header, rule, the two close-ups; not the body clip
    assert table[2].endswith("| 3 | exact |") and table[3].endswith("| 0 | miss |")
    assert markdown_closeups(rows[2:]) == ""
