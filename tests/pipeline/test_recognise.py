"""--exercise auto: the recogniser (tracker/counting/recognise.py) on corpus recordings, its
refusals, its data-driven rule, and the command line around it."""
from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from tracker.app.cli import main
from tracker.bench.corpus import CORPUS, subsample
from tracker.bench.recognition import markdown_confusion, recognise_clip, summarize
from tracker.counting.recognise import recognise
from tracker.errors import EXIT_INPUT, EXIT_USAGE
from tracker.exercises import EXERCISES
from tracker.pose.recording import load_recording

# One clip of each exercise from the tuning half (what the thresholds were chosen on: this
# guards the rule, it is not evidence), plus a still negative and an ambiguous oblique view.
CLIPS = {"c014_heel_raise": "heel_raise", "c022_dorsiflexion": "dorsiflexion", "c038_abduction": "abduction",
         "c074_toe_raise": "toe_raise", "c064_eversion": "eversion"}
pytestmark = pytest.mark.skipif(not (CORPUS / "c014_heel_raise.npz").exists(), reason="tests/corpus is absent")


def _rec(name: str):
    return subsample(load_recording(CORPUS / f"{name}.npz"), 15.0)


@pytest.mark.parametrize("clip,truth", CLIPS.items())
def test_each_exercise_is_recognised(clip, truth):
    r = recognise(_rec(clip))
    assert (r.verdict, r.exercise) == ("recognised", truth), r.describe()
    assert r.confidence >= 0.65 and r.best.exercise == truth


def test_a_still_body_is_no_exercise_and_a_tie_is_unsure():
    still = recognise(_rec("c004_neg_still"))  # standing still: heel raise's posture, no rep
    assert still.verdict == "none" and still.exercise is None and "no exercise" in still.describe()
    tie = recognise(_rec("c054_dorsiflexion"))  # crossed leg filmed at 45°: dorsiflexion or ab/adduction
    assert tie.verdict == "unsure" and tie.exercise is None and "not sure" in tie.describe()


def test_recognition_follows_the_entries_not_code():
    """A new entry is recognised from its fields alone: a standing-only copy of the heel
    raise under another name wins the standing clip, and with the posture of a seated
    exercise instead it does not."""
    rec = _rec("c014_heel_raise")
    mine = replace(EXERCISES["heel_raise"], key="calf_pumps", postures=("standing",))
    assert recognise(rec, [EXERCISES["toe_raise"], mine]).exercise == "calf_pumps"
    seated = replace(mine, postures=("seated",))
    assert recognise(rec, [EXERCISES["toe_raise"], seated]).exercise is None


def test_bench_rows_and_confusion_matrix():
    rows = [recognise_clip({"clip": c, "recording": str(CORPUS / f"{c}.npz"), "split": "tune", "truth": t,
                            "view": None, "posture": None}, 15.0) for c, t in
            [("c014_heel_raise", "heel_raise"), ("c004_neg_still", "none"), ("c054_dorsiflexion", "dorsiflexion")]]
    s = summarize(rows)
    assert (s["clips"], s["right"], s["unsure"], s["negatives"], s["negatives_named"]) == (2, 1, 1, 1, 0)
    broken = dict(rows[0], answer="error")  # a clip that failed to run is an error, not a wrong answer
    assert (summarize([broken])["wrong"], summarize([broken])["errors"]) == (0, 1)
    table = markdown_confusion(rows, "tune")
    assert "| heel_raise | · | · | · | 1 |" in table and "| none |" in table


def test_cli_auto_counts_the_recognised_exercise(tmp_path, capsys):
    summary = tmp_path / "sets.csv"
    rc = main(["analyze", str(CORPUS / "c022_dorsiflexion.npz"), "--exercise", "auto", "--summary", str(summary),
               "--no-history"])
    out = capsys.readouterr().out
    assert rc == 0 and "dorsiflexion (right" in out and "recognised: dorsiflexion (confidence" in out
    row = next(csv.DictReader(open(summary, newline="", encoding="utf-8")))
    assert row["exercise"] == "dorsiflexion" and "recognised: dorsiflexion" in row["warnings"]


def test_cli_auto_refuses_to_guess(tmp_path, capsys):
    reps = tmp_path / "reps.csv"
    rc = main(["analyze", str(CORPUS / "c054_dorsiflexion.npz"), "-e", "AUTO", "--csv", str(reps), "--no-history"])
    err = capsys.readouterr().err
    assert rc == EXIT_INPUT and "not sure which exercise" in err and "--exercise" in err
    assert "Traceback" not in err and not reps.exists()  # nothing counted, no rows
    rc = main(["analyze", str(CORPUS / "c022_dorsiflexion.npz"), "-e", "auto", "--view", "closeup", "--no-history"])
    assert rc == EXIT_USAGE


def test_bench_recognise_flag_prints_the_tables(tmp_path, capsys):
    import shutil

    from tracker.bench.__main__ import main as bench

    for clip in ("c014_heel_raise", "c004_neg_still"):
        for suffix in (".npz", "_meta.json"):
            shutil.copy(CORPUS / f"{clip}{suffix}", tmp_path / f"{clip}{suffix}")
    assert bench(["--corpus", str(tmp_path), "--recognise", "--jobs", "1", "--json", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "| tune | 1 | 1 (100%) | 0 | 0 | 0 | 1 (100%) | 1 | 0 |" in out
    assert "tune: truth \\ answer" in out and "tune: truth \\ best body fit" in out and (tmp_path / "r.json").exists()


def test_seated_oblique_toe_raise_is_told_from_eversion_by_the_toes_way():
    """Seated, filmed at 51°: the view cue calls it front (eversion's view) and it was named
    eversion; the toe moving up the picture (toe raise's way) names the toe raise."""
    r = recognise(_rec("c042_toe_raise"))
    assert r.exercise != "eversion" and r.chosen.exercise == "toe_raise", r.describe()
    fits = {f.exercise: f for f in r.fits}
    assert fits["toe_raise"].motion > 0.8 > 0.2 > fits["eversion"].motion


@pytest.mark.xfail(strict=True, reason="since the heel-raise knee check reads the knee from rest (heelmiss), the "
                   "seated heel raise's counter finds 1 rep on this oblique toe raise and, as runner-up "
                   "(0.25 against 0.30), makes it ask: 'toe_raise or heel_raise, confidence 0.55'")
def test_seated_oblique_toe_raise_is_named_without_asking():
    r = recognise(_rec("c042_toe_raise"))
    assert (r.verdict, r.exercise) == ("recognised", "toe_raise"), r.describe()


def test_the_runner_up_must_count_a_rep_too():
    """Seated, filmed at 36°: toe raise and eversion tie on posture and view, and the toe's way
    (up) leaves the seated heel raise as runner-up; its counter found no rep, so it does not
    make the recogniser unsure (it asked before)."""
    r = recognise(_rec("c092_toe_raise"))
    assert (r.verdict, r.exercise) == ("recognised", "toe_raise"), r.describe()
    assert r.runner is not None and r.runner.reps > 0
