"""``tracker analyze --plan``: a recorded set judged by the plan as live judges it (a rep
held shorter than the plan asks is kept, not counted), with the plan's step in the CSVs."""
from __future__ import annotations

import csv

from plan_reps import reps_angle

from tracker.app.cli import main
from tracker.sinks.csvfile import read_rep_csv

from synthlegs import make_recording

PLAN = """\
[patient]
profile = "cara"
affected_side = "left"

[[exercise]]
name = "dorsiflexion"
sets = 2
reps = 4
hold_s = 2
mode = "passive"
target_rom_deg = 20
"""


def test_analyze_with_a_plan_checks_each_hold(tmp_path, capsys):
    t, a = reps_angle([2.5, 0.4, 2.5, 2.5])
    rec = make_recording(t, dorsi=a, noise_px=0.3).save(tmp_path / "held.npz")
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    reps, sets = tmp_path / "reps.csv", tmp_path / "sets.csv"
    assert main(["analyze", str(rec), "--exercise", "dorsiflexion", "--plan", str(plan), "--csv", str(reps),
                 "--summary", str(sets)]) == 0
    rows = read_rep_csv(reps)
    assert [(r["rep_index"], r["counted"]) for r in rows] == [(1, True), (2, False), (2, True), (3, True)]
    assert rows[1]["note"].startswith("short hold: 0.") and rows[1]["hold_s"] < 1.0
    assert all(r["planned_hold_s"] == 2.0 and r["mode"] == "passive" and r["side"] == "left" for r in rows)
    with open(sets, newline="") as f:
        [s] = list(csv.DictReader(f))
    assert (s["reps_counted"], s["target"], s["planned_set"], s["planned_sets"], s["planned_reps"],
            s["planned_hold_s"], s["target_rom_deg"], s["profile"]) == ("3", "4", "1", "2", "4", "2", "20", "cara")
    assert len(s["plan_version"]) == 12


def test_without_a_plan_the_same_reps_all_count(tmp_path):
    t, a = reps_angle([2.5, 0.4, 2.5, 2.5])
    rec = make_recording(t, dorsi=a, noise_px=0.3).save(tmp_path / "held.npz")
    assert main(["analyze", str(rec), "--exercise", "dorsiflexion", "--csv", str(tmp_path / "r.csv")]) == 0
    rows = read_rep_csv(tmp_path / "r.csv")
    assert [r["counted"] for r in rows] == [True] * 4 and {r["planned_hold_s"] for r in rows} == {None}


def test_a_plan_without_the_exercise_is_one_line(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    t, a = reps_angle([1.0])
    rec = make_recording(t, dorsi=a).save(tmp_path / "x.npz")
    assert main(["analyze", str(rec), "--exercise", "heel_raise", "--plan", str(plan)]) == 2
    assert "the plan does not list heel_raise; it lists: dorsiflexion" in capsys.readouterr().err


CUSTOM = PLAN + """
[[custom]]
name = "ankle_pumps"
signal = "ankle_dorsiflexion"
direction = "both"
title = "Ankle pumps"

[[exercise]]
name = "ankle_pumps"
reps = 3
"""


def test_analyze_a_custom_exercise_of_the_plan_also_in_worker_processes(tmp_path, capsys):
    t, a = reps_angle([0.5, 0.5, 0.5])
    recs = [make_recording(t, dorsi=a, noise_px=0.3).save(tmp_path / f"p{k}.npz") for k in (1, 2)]
    plan = tmp_path / "plan.toml"
    plan.write_text(CUSTOM)
    argv = ["analyze", *map(str, recs), "--exercise", "ankle_pumps", "--plan", str(plan), "--no-history"]
    assert main(["analyze", str(recs[0]), "--exercise", "ankle_pumps"]) == 2  # unknown without its plan
    assert main([*argv, "--csv", str(tmp_path / "one.csv")]) == 0
    assert main([*argv, "--csv", str(tmp_path / "two.csv"), "--jobs", "2"]) == 0
    rows = read_rep_csv(tmp_path / "two.csv")
    assert [r["exercise"] for r in rows] == ["ankle_pumps"] * 6 and all(r["counted"] for r in rows)
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "two.csv").read_text()
