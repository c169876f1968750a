"""``analyze --routine`` on rendered whole sessions (tests/routine_corpus): a summary row per
recognised set with its own exercise, per-rep rows with the set's exercise, a stretch that is
no exercise said and not counted, the refusals; and the benchmark's table."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.bench.routine import ROUTINE_CORPUS, discover, markdown, run_clip
from tracker.errors import EXIT_USAGE

pytestmark = pytest.mark.skipif(not (ROUTINE_CORPUS / "r03.npz").exists(), reason="tests/routine_corpus is absent")


def _rows(path):
    return list(csv.DictReader(open(path, newline="", encoding="utf-8")))


def test_a_summary_row_per_set_each_with_its_own_exercise(tmp_path, capsys):
    reps, sets = tmp_path / "reps.csv", tmp_path / "sets.csv"
    rc = main(["analyze", str(ROUTINE_CORPUS / "r03.npz"), "--routine", "--csv", str(reps), "--summary", str(sets),
               "--no-history"])
    out = capsys.readouterr().out
    assert rc == 0 and "set 1 of 2 in the recording" in out and "set 2 of 2" in out
    rows = _rows(sets)
    assert [r["exercise"] for r in rows] == ["abduction", "eversion"]  # r03: ab/adduction, then eversion
    assert all("(--routine)" in r["warnings"] and "recognised:" in r["warnings"] for r in rows)
    by_set = {r["exercise"]: int(r["reps_counted"]) for r in rows}
    counted = [r for r in _rows(reps) if r["counted"] == "true"]
    assert {ex: sum(r["exercise"] == ex for r in counted) for ex in by_set} == by_set
    assert [r["recording_set"] for r in rows] == ["1", "2"]  # which set each rep row belongs to
    assert {r["recording_set"]: r["exercise"] for r in _rows(reps)} == {"1": "abduction", "2": "eversion"}


def test_a_stretch_that_is_no_exercise_is_said_and_not_counted(tmp_path, capsys):
    clip = ROUTINE_CORPUS / "r06.npz"  # toe raises, a knee swing, heel raises
    if not clip.exists():
        pytest.skip("r06 not rendered")
    meta = json.loads((ROUTINE_CORPUS / "r06_meta.json").read_text())
    swing = next(s for s in meta["sets"] if s["exercise"] is None)
    rc = main(["analyze", str(clip), "--routine", "--json", "--no-history"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["not_counted"], out["not_counted"]
    for res in out["sets"]:  # nothing counted during the swing
        assert not any(swing["start_s"] <= r["peak_t"] <= swing["end_s"] for r in res["reps"] if r["counted"])
    assert main(["analyze", str(clip), "--routine", "--no-history"]) == 0
    text = capsys.readouterr()
    n = len(out["sets"])  # sets are numbered among the counted ones, the swing is said apart
    assert f"set {n} of {n} in the recording" in text.out and f"of {n + 1}" not in text.out + text.err
    assert "unrecognised movement" in text.out + text.err


def test_routine_refusals(capsys):
    clip = str(ROUTINE_CORPUS / "r03.npz")
    assert main(["analyze", clip, "--routine", "--exercise", "toe_raise", "--no-history"]) == EXIT_USAGE
    assert main(["analyze", clip, "--routine", "--view", "closeup", "--no-history"]) == EXIT_USAGE
    assert main(["analyze", clip, "--routine", "--annotate", "x.mp4", "--no-history"]) == EXIT_USAGE
    assert main(["analyze", clip, "--no-history"]) == EXIT_USAGE  # neither --exercise nor --routine
    assert "Traceback" not in capsys.readouterr().err
    assert main(["analyze", clip, clip, "--routine", "--jobs", "2", "--no-history"]) == EXIT_USAGE
    assert "--jobs" in capsys.readouterr().err  # said, not silently run one at a time


def test_bench_scores_each_set():
    cases = [c for c in discover() if c[1]["name"] == "r03"]
    row = run_clip(*cases[0])
    assert [s["exercise"] for s in row["sets"]] == ["abduction", "eversion"]
    assert all(s["found"] and s["exercise_ok"] for s in row["sets"]) and row["reps_in_transitions"] == 0
    table = markdown([row])
    assert "| r03 | report | front |" in table and "| **report** (1 clips) |" in table


def test_a_recording_too_short_to_judge_is_skipped_and_the_batch_goes_on(tmp_path, capsys):
    """Five frames: shorter than the window that finds changes of position (it crashed with a
    shape error); the next file of the batch is still analysed and the exit code says not all went well."""
    from tracker.pose.recording import PoseRecording, load_recording

    r = load_recording(ROUTINE_CORPUS / "r03.npz")
    short = tmp_path / "short.npz"
    PoseRecording(r.t[:5], r.norm[:5], r.visibility[:5], r.presence[:5], r.world[:5], r.people[:5], r.index[:5],
                  r.width, r.height, r.meta).save(short)
    sets = tmp_path / "sets.csv"
    rc = main(["analyze", str(short), str(ROUTINE_CORPUS / "r03.npz"), "--routine", "--summary", str(sets),
               "--no-history"])
    err = capsys.readouterr().err
    assert rc == 3 and "short.npz" in err and "no exercise recognised" in err and "internal error" not in err
    assert [row["exercise"] for row in _rows(sets)] == ["abduction", "eversion"]


def test_ctrl_c_while_posing_keeps_the_sets_seen_so_far(tmp_path, capsys, monkeypatch):
    """Ctrl-C in the pose pass of a whole-session video: the frames seen so far are analysed
    as a routine and their sets saved (before, the session was lost: '0 reps so far are saved')."""
    from tracker.app import routine_cmd
    from tracker.errors import EXIT_INTERRUPTED
    from tracker.pose.recording import PoseRecording, load_recording

    r = load_recording(ROUTINE_CORPUS / "r03.npz")
    meta = json.loads((ROUTINE_CORPUS / "r03_meta.json").read_text())
    k = int(np.searchsorted(r.t, meta["sets"][0]["end_s"] + 2.0))  # cut after the first set
    seen = PoseRecording(r.t[:k], r.norm[:k], r.visibility[:k], r.presence[:k], r.world[:k], r.people[:k],
                         r.index[:k], r.width, r.height, r.meta)

    def interrupted(*_a, **_k):
        exc = KeyboardInterrupt()
        exc.partial = seen
        raise exc

    monkeypatch.setattr(routine_cmd, "load_or_pose", interrupted)
    sets = tmp_path / "sets.csv"
    video = Path(__file__).resolve().parents[2] / "sample_videos" / "dorsiflexion_side_left.mp4"  # not posed here
    rc = main(["analyze", str(video), "--routine", "--summary", str(sets), "--no-history"])
    err = capsys.readouterr().err
    assert rc == EXIT_INTERRUPTED and "interrupted" in err
    rows = _rows(sets)
    assert [row["exercise"] for row in rows] == ["abduction"] and int(rows[0]["reps_counted"]) >= 1


def test_two_sets_in_one_position_joined_by_a_wavering_pause_are_cut_apart():
    """r04 (tune half, 45° oblique): toe raises, a 4.6 s pause, eversions, all seated; the still
    foot's landmarks waver as much as the eversions move it, so activity joins the two sets (one
    stretch, unsure, nothing counted). Cut at its quietest moment, each side is recognised as its
    own exercise and counted exactly."""
    row = run_clip(*[c for c in discover() if c[1]["name"] == "r04"][0])
    toe, ever = row["sets"][:2]
    assert (toe["recognised"], toe["counted"], toe["boundaries_ok"]) == ("toe_raise", 3, True)
    assert (ever["recognised"], ever["counted"], ever["boundaries_ok"]) == ("eversion", 3, True)
    assert row["reps_in_transitions"] == 0


def test_one_set_is_not_cut_however_quiet_its_moments():
    """A side view's sets are not cut (their two sides show the same exercise): r02 stays three sets."""
    row = run_clip(*[c for c in discover() if c[1]["name"] == "r02"][0])
    assert len(row["found_sets"]) == 3 and all(s["count_ok"] for s in row["sets"])
