"""The plan file: a good plan loads into typed records; every bad one gives one line per
mistake naming the file's line and the fix; `tracker plan new/check` write and check them."""
from __future__ import annotations

import re

import pytest

from tracker.app.cli import main
from tracker.exercises import EXERCISES, ROUTINE
from tracker.plan.load import PlanError, load_plan, parse_plan
from tracker.plan.write import asked_plan_text, default_plan_text

GOOD = """\
sessions_per_week = 4

[patient]
profile = "anna"
affected_side = "left"

[[custom]]
name = "ankle_pumps"
signal = "ankle_dorsiflexion"
direction = "both"
title = "Ankle pumps"
cue = "Pump your foot up and down"

[[exercise]]
name = "dorsiflexion"
sets = 2
reps = 3
hold_s = 2
rest_s = 5
target_rom_deg = 15

[[exercise]]
name = "ankle_pumps"
sets = 2
reps = 3
mode = "passive"
"""


def test_a_good_plan_loads_with_its_steps_and_custom_exercise():
    plan = load_plan_text(GOOD)
    assert plan.patient.profile == "anna" and plan.patient.affected_side == "left"
    assert plan.sessions_per_week == 4
    assert [pe.exercise for pe in plan.exercises] == ["dorsiflexion", "ankle_pumps"]
    steps = plan.steps()
    assert [(pe.exercise, s.set_no, s.sets, s.reps, s.hold_s) for pe, s in steps] == [
        ("dorsiflexion", 1, 2, 3, 2.0), ("dorsiflexion", 2, 2, 3, 2.0),
        ("ankle_pumps", 1, 2, 3, 0.0), ("ankle_pumps", 2, 2, 3, 0.0)]
    assert steps[0][1].target_rom_deg == 15 and steps[0][1].version == plan.version and len(plan.version) == 12
    assert plan.exercises[1].mode == "passive"


def load_plan_text(text: str, tmp=None):
    plan = parse_plan(text, "plan.toml")
    from tracker.exercises import custom_exercise, register_custom
    from tracker.plan.model import DIRECTIONS

    for cx in plan.custom:
        register_custom(custom_exercise(cx.name, cx.signal, DIRECTIONS[cx.direction], cx.title, cx.cue))
    return plan


def test_a_custom_exercise_is_counted_on_its_signal_with_its_own_name_and_cue():
    load_plan_text(GOOD)
    ex = EXERCISES["ankle_pumps"]
    assert ex.signal == "ankle_dorsiflexion" and ex.direction == 0 and ex.view == "side"
    assert ex.title == "Ankle pumps" and ex.cue == "Pump your foot up and down"
    assert "ankle_pumps" not in ROUTINE


def test_the_version_changes_with_the_plan():
    assert parse_plan(GOOD).version != parse_plan(GOOD.replace("reps = 3", "reps = 4", 1)).version


# (what is changed in GOOD, the line the error must name, words the one line must contain)
BAD = [
    ('name = "dorsiflexion"', 'name = "dorsflexion"', 15, ["unknown exercise 'dorsflexion'", "dorsiflexion"]),
    ("reps = 3\nhold_s", "reps = -3\nhold_s", 17, ["reps must be a whole number", "at least 1", "-3", "reps = 10"]),
    ("sets = 2\nreps = 3\nhold_s", "sets = 0\nreps = 3\nhold_s", 16, ["sets must be", "at least 1"]),
    ('affected_side = "left"\n', "", 3, ["affected side is missing", 'affected_side = "left"']),
    ('affected_side = "left"', 'affected_side = "both"', 5, ['affected_side must be "left" or "right"']),
    ("reps = 3\nmode", 'reps = "three"\nmode', 25, ["reps must be a whole number", "'three'"]),
    ("hold_s = 2", 'hold_s = "2s"', 18, ["hold_s must be a number", "hold_s = 3"]),
    ("rest_s = 5", "rest_s = -1", 19, ["rest_s must be a number, at least 0"]),
    ("target_rom_deg = 15", "target_rom_deg = 0", 20, ["target_rom_deg must be a number, more than 0"]),
    ('signal = "ankle_dorsiflexion"', 'signal = "ankle_angle"', 9, ["unknown signal 'ankle_angle'",
                                                                    "ankle_dorsiflexion"]),
    ('direction = "both"', 'direction = "sideways"', 10, ["direction must be one of up, down, both"]),
    ('mode = "passive"', 'mode = "assisted"', 26, ['mode must be "active" or "passive"']),
    ("reps = 3\nhold_s", "rep = 3\nhold_s", 17, ["unknown key 'rep'", "did you mean 'reps'"]),
    ("sessions_per_week = 4", "sessions_per_week = 2.5", 1, ["sessions_per_week must be a whole number"]),
    ('profile = "anna"', "profile = 7", 4, ["profile must be text in quotes"]),
    ('[patient]\nprofile = "anna"\naffected_side = "left"\n', "", None, ["[patient] table is missing"]),
    ("[[exercise]]\nname = \"dorsiflexion\"", "[[exercise]]\nname = \"dorsiflexion\n", 15, ["not valid TOML"]),
    # numbers a session could never get past: an endless rest, a hold never kept, a typo's sets
    ("rest_s = 5", "rest_s = inf", 19, ["rest_s must be a number", "at most 600", "inf"]),
    ("hold_s = 2", "hold_s = nan", 18, ["hold_s must be a number", "nan"]),
    ("sets = 2\nreps = 3\nhold_s", "sets = 1000000000\nreps = 3\nhold_s", 16, ["sets must be", "at most 20"]),
    ("reps = 3\nhold_s", "reps = 5000\nhold_s", 17, ["reps must be", "at most 1000"]),
]


@pytest.mark.parametrize("old,new,line,words", BAD, ids=[b[1].split("\n")[0][:30] or "removed" for b in BAD])
def test_each_bad_plan_is_one_line_naming_the_line_and_the_fix(old, new, line, words):
    assert old in GOOD
    with pytest.raises(PlanError) as err:
        parse_plan(GOOD.replace(old, new, 1), "plan.toml")
    assert len(err.value.lines) == 1, err.value.lines
    msg = err.value.lines[0]
    assert "\n" not in msg
    if line is not None:
        assert msg.startswith(f"plan.toml:{line}: "), msg
    for w in words:
        assert w in msg, msg


def test_a_custom_exercise_cannot_take_a_built_in_name():
    with pytest.raises(PlanError) as err:
        parse_plan(GOOD.replace('"ankle_pumps"', '"heel_raise"'), "plan.toml")
    assert err.value.lines[0].startswith("plan.toml:8: ") and "is a built-in exercise" in err.value.lines[0]
    assert len(err.value.lines) == 1


def test_several_mistakes_are_one_line_each():
    text = GOOD.replace("reps = 3\nhold_s", "reps = 0\nhold_s").replace('signal = "ankle_dorsiflexion"',
                                                                        'signal = "nope"')
    with pytest.raises(PlanError) as err:
        parse_plan(text, "p.toml")
    assert [m.split(":")[1] for m in err.value.lines] == ["9", "17"], err.value.lines


def test_plan_new_defaults_writes_the_five_exercises_and_check_reads_it(tmp_path, capsys):
    out = tmp_path / "plan.toml"
    assert main(["plan", "new", "--defaults", "-o", str(out)]) == 0
    plan = load_plan(out)
    assert [pe.exercise for pe in plan.exercises] == list(ROUTINE)
    assert all(pe.reps == 10 and pe.sets == 1 for pe in plan.exercises)
    assert main(["plan", "check", str(out)]) == 0
    assert "Ankle dorsiflexion: 1 x 10 reps" in capsys.readouterr().out
    assert main(["plan", "new", "--defaults", "-o", str(out)]) == 3  # never overwritten without --force


def test_plan_check_prints_one_line_per_mistake_and_exits_3(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("reps = 3\nhold_s", "reps = -3\nhold_s").replace('affected_side = "left"\n', ""))
    assert main(["plan", "check", str(bad)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith(f"tracker: {bad}:") for e in err), err
    assert main(["plan", "check", str(tmp_path / "missing.toml")]) == 3
    assert "plan file not found" in capsys.readouterr().err


def test_plan_new_asks_and_writes_what_was_answered():
    answers = iter(["anna", "", "right", "dorsiflexion, heel_raise", "2", "8", "3", "20", "passive", "4"])
    plan = parse_plan(asked_plan_text(ask=lambda _prompt: next(answers)))
    assert plan.patient.affected_side == "right" and plan.sessions_per_week == 4
    assert [(pe.exercise, pe.sets, pe.reps, pe.hold_s, pe.mode) for pe in plan.exercises] == [
        ("dorsiflexion", 2, 8, 3.0, "passive"), ("heel_raise", 2, 8, 3.0, "passive")]


def test_plan_new_asks_again_after_a_wrong_answer(capsys):
    answers = iter(["", "", "middle", "left", "", "-2", "3", "", "", "", "", ""])
    plan = parse_plan(asked_plan_text(ask=lambda _prompt: next(answers)))
    assert plan.patient.affected_side == "left" and plan.exercises[0].sets == 3
    assert "one of: left, right" in capsys.readouterr().out


def test_default_plan_is_valid():
    assert len(parse_plan(default_plan_text(side="right")).exercises) == len(ROUTINE)


def test_the_readme_example_plan_is_valid_and_its_error_example_is_real():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Therapist's plan"):]
    example = section[section.index("```toml\n") + 8:section.index("```", section.index("```toml\n") + 8)]
    plan = parse_plan(example, "plan.toml")
    assert [pe.exercise for pe in plan.exercises] == ["dorsiflexion", "ankle_pumps"]
    with pytest.raises(PlanError) as err:
        parse_plan(re.sub(r"reps = 10 .*# per set.*", "reps = -3", example, count=1), "plan.toml")
    assert f"`{err.value.lines[0]}`" in section


def test_plan_new_without_a_terminal_and_plan_without_a_command_are_one_line(tmp_path, monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["plan", "new", "-o", str(tmp_path / "p.toml")]) == 2
    assert "use --defaults" in capsys.readouterr().err
    assert not (tmp_path / "p.toml").exists()
    with pytest.raises(SystemExit) as e:
        main(["plan"])
    assert e.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1
