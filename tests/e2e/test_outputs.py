"""Outputs never destroy anything: not another output, an input, the history or a user's link;
they are claimed before the first frame, and the rows found are on disk while a run goes on."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tracker.app.cli import main
from tracker.errors import EXIT_INPUT, InputError
from tracker.sinks.csvfile import read_rep_csv

from conftest import SAMPLES
from synthlegs import duration_for, make_recording, rep_profile


def _rec(path: Path, reps: int = 3, seed: int = 0) -> Path:
    t = np.arange(0, duration_for(reps), 1 / 30)
    return make_recording(t, dorsi=rep_profile(t, reps, 14.0), seed=seed).save(path)


def _refused(capsys, argv: list[str], text: str) -> None:
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == EXIT_INPUT, err
    assert text in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


# ------------------------------------------------------------------ 1, 2: one file, one role

@pytest.mark.parametrize("flags", [["--csv", "X", "--summary", "X"], ["--annotate", "X", "--csv", "X"],
                                   ["--csv", "X", "--summary", "./sub/../X"]])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_two_outputs_with_one_path_are_refused(tmp_path, capsys, monkeypatch, flags, force):
    rec = _rec(tmp_path / "r.npz")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", *flags, *force],
             "name the same file")
    assert not (tmp_path / "X").exists()


def test_an_output_is_never_an_input_force_or_not(tmp_path, capsys):
    first, second = _rec(tmp_path / "a.npz"), _rec(tmp_path / "b.npz", seed=1)
    before = second.read_bytes()
    for force in ([], ["--force"]):
        _refused(capsys, ["analyze", str(first), "-e", "dorsiflexion", "--no-history", "--csv", str(first), *force],
                 "is an input")
        # batch: the second input named as --csv (it would be overwritten before it is read)
        _refused(capsys, ["analyze", str(first), str(second), "-e", "dorsiflexion", "--no-history",
                          "--summary", str(second), *force], "is an input")
        # a folder's file, through a symlink and a hard link
        (tmp_path / "link.csv").unlink(missing_ok=True)
        (tmp_path / "link.csv").symlink_to(second)
        _refused(capsys, ["analyze", str(tmp_path), "-e", "dorsiflexion", "--no-history",
                          "--csv", str(tmp_path / "link.csv"), *force], "is an input")
        (tmp_path / "hard.csv").unlink(missing_ok=True)
        os.link(second, tmp_path / "hard.csv")
        _refused(capsys, ["analyze", str(second), "-e", "dorsiflexion", "--no-history",
                          "--csv", str(tmp_path / "hard.csv"), *force], "is an input")
    assert second.read_bytes() == before


def test_an_output_is_never_the_history_database(tmp_path, capsys):
    rec = _rec(tmp_path / "r.npz")
    db = tmp_path / "h.sqlite3"
    assert main(["analyze", str(rec), "-e", "dorsiflexion", "--db", str(db)]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--db", str(db), "--csv", str(db), "--force"],
             "is the history database")
    assert db.read_bytes() == before


def test_pose_output_is_never_its_input(tmp_path, capsys):
    rec = _rec(tmp_path / "r.npz")
    _refused(capsys, ["pose", str(rec), "-o", str(rec), "--force"], "is an input")


def test_live_never_writes_the_video_it_plays(tmp_path, capsys):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 4096)  # refused before it is opened: any content will do
    _refused(capsys, ["live", "--camera", str(clip), "--headless", "--write-video", str(clip), "--force",
                      "--no-history"], "is an input")
    assert clip.read_bytes() == b"\0" * 4096


def test_report_never_writes_over_the_history(tmp_path, capsys):
    db = tmp_path / "h.csv"  # a history database whose name looks like a CSV
    assert main(["analyze", str(_rec(tmp_path / "r.npz")), "-e", "dorsiflexion", "--db", str(db)]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    _refused(capsys, ["report", "-o", str(tmp_path / "r.html"), "--csv", str(db), "--db", str(db), "--force"],
             "is the history database")
    assert db.read_bytes() == before


def test_force_writes_through_a_link_and_keeps_it(tmp_path):
    rec = _rec(tmp_path / "r.npz")
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n")
    link.symlink_to(real)
    assert main(["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--summary", str(link), "--force"]) == 0
    assert link.is_symlink() and real.read_text().startswith("source_file,")


# ------------------------------------------------------------------ 6: every destination before the first frame

def test_a_folder_as_database_is_refused_before_the_analysis(tmp_path, capsys, monkeypatch):
    import tracker.app.analyze as analyze

    def no_analysis(*a, **k):
        raise AssertionError("the analysis ran before the destination was checked")

    monkeypatch.setattr(analyze, "analyze_path", no_analysis)
    rec = _rec(tmp_path / "r.npz")
    (tmp_path / "dbdir").mkdir()
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--db", str(tmp_path / "dbdir")], "is a folder")
    # an unusable home: the default history folder cannot be created (its parent is a file)
    (tmp_path / "file").write_text("")
    monkeypatch.delenv("TRACKER_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "file" / "data"))
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion"], "history")
    # an unwritable CSV destination (read-only file system, even as root)
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", "/proc/r.csv"],
             "cannot write")


def test_a_folder_as_database_is_refused_before_live_starts(tmp_path, capsys, monkeypatch):
    import tracker.sources.capture as capture

    monkeypatch.setattr(capture, "open_source", lambda *a, **k: pytest.fail("the camera was opened first"))
    (tmp_path / "dbdir").mkdir()
    _refused(capsys, ["live", "--headless", "--db", str(tmp_path / "dbdir")], "is a folder")


def test_a_history_failing_at_the_end_still_shows_the_result(tmp_path, capsys, monkeypatch):
    from tracker.errors import RuntimeFailure
    from tracker.sinks import history

    def full(self, rep):
        raise RuntimeFailure("could not save to the history database: disk full")

    monkeypatch.setattr(history.HistorySink, "add", full)
    assert main(["analyze", str(_rec(tmp_path / "r.npz")), "-e", "dorsiflexion"]) == 4
    io = capsys.readouterr()
    assert "3/10 reps" in io.out and "disk full" in io.err


# ------------------------------------------------------------------ 7: plots

def test_plots_are_not_overwritten_and_same_names_do_not_collide(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    a, b = _rec(tmp_path / "a" / "clip.npz", 2), _rec(tmp_path / "b" / "clip.npz", 4, seed=1)
    out = tmp_path / "reps.csv"
    assert main(["analyze", str(a), str(b), "-e", "dorsiflexion", "--no-history", "--csv", str(out),
                 "--plot"]) == 0
    pngs = sorted(tmp_path.glob("reps_*.png"))
    assert len(pngs) == 2 and pngs[0].read_bytes() != pngs[1].read_bytes()
    # the CSV gone, the plots still there: they need --force too, and stay as they were
    stamp = {p: p.read_bytes() for p in pngs}
    out.unlink()
    capsys.readouterr()
    _refused(capsys, ["analyze", str(a), str(b), "-e", "dorsiflexion", "--no-history", "--csv", str(out),
                      "--plot"], "already exists")
    assert {p: p.read_bytes() for p in pngs} == stamp and not out.exists()


# ------------------------------------------------------------------ 11: links

def test_a_dangling_link_as_output_is_refused_and_left_alone(tmp_path, capsys):
    rec = _rec(tmp_path / "r.npz")
    link, target = tmp_path / "out.csv", tmp_path / "elsewhere" / "target.csv"
    target.parent.mkdir()
    link.symlink_to(target)
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", str(link)],
             "link to a missing file")
    assert link.is_symlink() and os.readlink(link) == str(target) and not target.exists()


# ------------------------------------------------------------------ 3: an output is claimed at the start

def test_a_csv_being_written_is_not_taken_by_a_second_run(tmp_path, capsys):
    from tracker.sinks.csvfile import RepCSVSink, SummaryCSVSink

    rec = _rec(tmp_path / "r.npz")
    reps, summary = tmp_path / "reps.csv", tmp_path / "sets.csv"
    first, first_summary = RepCSVSink(reps), SummaryCSVSink(summary)  # a run that has started, no rep yet
    assert reps.exists() and summary.exists()  # claimed at the start, not at the first rep
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", str(reps)],
             "already exists")
    for flag, path in (("--csv", reps), ("--summary", summary)):
        _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", flag, str(path), "--force"],
                 "being written by another tracker run")
    with pytest.raises(InputError, match="another tracker run"):
        RepCSVSink(reps)
    # refused by the summary: the CSV it had already claimed is given back, not left behind empty
    _refused(capsys, ["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", str(tmp_path / "new.csv"),
                      "--summary", str(summary), "--force"], "being written by another tracker run")
    assert not (tmp_path / "new.csv").exists()
    res = _result(rec)
    first.open(res.info)
    for rep in res.reps:
        first.add(rep)
    first.release()
    first_summary.close(res.summary)
    first_summary.release()
    assert len(read_rep_csv(reps)) == 3  # the first run's rows are all there
    # once that run has ended, --force may replace the file
    assert main(["analyze", str(rec), "-e", "dorsiflexion", "--no-history", "--csv", str(reps), "--force"]) == 0


def test_a_run_that_never_reached_a_set_leaves_no_empty_file(tmp_path, capsys):
    broken = tmp_path / "broken.mp4"
    broken.write_text("not a video")
    out = tmp_path / "reps.csv"
    assert main(["analyze", str(broken), "-e", "dorsiflexion", "--no-history", "--csv", str(out),
                 "--summary", str(tmp_path / "s.csv")]) == EXIT_INPUT
    assert not out.exists() and not (tmp_path / "s.csv").exists()  # a second try needs no --force


def test_two_processes_sharing_one_csv(tmp_path):
    """A real second tracker started while the first is counting is refused, with --force
    too, before the first has found any rep. (The first plays a clip in real time: it runs
    for 22 s however fast the machine is.)"""
    clip = SAMPLES / "dorsiflexion_side_left.mp4"
    out = tmp_path / "reps.csv"
    first = _start(["live", "--camera", str(clip), "--headless", "-e", "dorsiflexion", "--csv", str(out)])
    try:
        _wait_for(lambda: out.exists(), first)
        second = subprocess.run([sys.executable, "-m", "tracker", "analyze", str(_rec(tmp_path / "r.npz")),
                                 "-e", "dorsiflexion", "--csv", str(out), "--force", "--no-history"],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == EXIT_INPUT and "another tracker run" in second.stderr, second.stderr
        assert first.poll() is None  # refused while the first one was still at work
    finally:
        first.kill()
        first.wait()


# ------------------------------------------------------------------ 4: rows on disk as the analysis goes

def test_analyze_killed_half_way_keeps_the_first_reps(tmp_path):
    """SIGKILL (no clean-up at all) once the CSV holds rows: the process had not finished, and
    the rows are the clip's first reps, each within a true rep, marked provisional."""
    clip = SAMPLES / "dorsiflexion_side_left.mp4"
    bounds = json.loads((SAMPLES / "dorsiflexion_side_left_meta.json").read_text())["rep_bounds_s"]
    out = tmp_path / "reps.csv"
    proc = _start(["analyze", str(clip), "-e", "dorsiflexion", "--side", "left", "--csv", str(out)])
    try:
        _wait_for(lambda: out.exists() and len(read_rep_csv(out)) > 0, proc)
        assert proc.poll() is None, "the rows were written only at the end"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
    rows = read_rep_csv(out)
    assert rows and all(r["note"].startswith("provisional") for r in rows)
    assert [r["rep_index"] for r in rows] == list(range(1, len(rows) + 1))
    for r in rows:  # each row is one of the true reps (its peak inside it), in order, from the first
        assert any(a - 0.5 <= r["peak_s"] <= b + 0.5 for a, b in bounds), r
    assert rows[0]["peak_s"] < bounds[1][0]


def test_checkpoints_hand_out_the_settled_reps_once_and_the_set_replaces_them(tmp_path):
    """The pose pass's frames through the checkpoints: each rep once, in order, only once
    settled; then the set's own rows replace them, so a finished file is today's."""
    from tracker.counting.checkpoint import SETTLE_S, Checkpoints
    from tracker.exercises import get_exercise
    from tracker.pose.recording import load_recording
    from tracker.sinks.csvfile import RepCSVSink

    t = np.arange(0, duration_for(16), 1 / 15)  # 50 s: windows drop their oldest frames
    rec = load_recording(make_recording(t, dorsi=rep_profile(t, 16, 14.0)).save(tmp_path / "r.npz"))
    final = _result_of(rec)
    sink = RepCSVSink(tmp_path / "reps.csv")
    handed: list = []
    ck = Checkpoints(get_exercise("dorsiflexion"), lambda info, reps: (handed.extend(reps),
                                                                       sink.provisional(info, reps)), side="left")
    last_t = 0.0
    for frame in rec.frames():
        ck.on_frame(frame)
        last_t = frame.t
        assert all(r.end_t <= last_t - SETTLE_S for r in handed)
    assert 12 <= len(handed) <= 16
    peaks = [r.peak_t for r in handed]
    assert peaks == sorted(peaks) and min(np.diff(peaks)) > 2.0  # each rep once
    for r in handed:  # the same reps as the whole-clip analysis finds
        assert min(abs(r.peak_t - f.peak_t) for f in final.reps) < 0.5
    assert len(read_rep_csv(tmp_path / "reps.csv")) == len(handed)
    sink.open(final.info)
    for rep in final.reps:
        sink.add(rep)
    sink.release()
    rows = read_rep_csv(tmp_path / "reps.csv")
    assert [(r["rep_index"], r["peak_s"]) for r in rows] == [(r.index, round(r.peak_t, 3)) for r in final.reps]
    assert not any("provisional" in r["note"] for r in rows)


def test_live_killed_half_way_keeps_the_reps_counted(tmp_path):
    """The same promise for live (it held before): each rep's row is on disk when it is counted."""
    clip = SAMPLES / "dorsiflexion_side_left.mp4"
    out = tmp_path / "reps.csv"
    proc = _start(["live", "--camera", str(clip), "--headless", "--fast", "-e", "dorsiflexion", "--side", "left",
                   "--csv", str(out)])
    try:
        seen = 0
        for line in proc.stdout:
            seen += line.startswith("rep ")
            if seen == 2:
                break
        assert seen == 2 and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
    assert sum(r["counted"] for r in read_rep_csv(out)) >= 2


# ------------------------------------------------------------------ 12: Ctrl-C while starting

_INTERRUPT_WHILE_IMPORTING = """
import importlib, runpy, sys, tomllib
class CtrlC:  # Ctrl-C lands while the command's modules load
    def find_spec(self, name, path=None, target=None):
        if name == "tracker.app.analyze":
            raise KeyboardInterrupt
sys.meta_path.insert(0, CtrlC())
sys.argv = ["tracker", "analyze", "r.npz", "-e", "dorsiflexion"]
if "{how}" == "script":  # the installed `tracker` command's own entry point
    with open("pyproject.toml", "rb") as f:
        module, func = tomllib.load(f)["project"]["scripts"]["tracker"].split(":")
    sys.exit(getattr(importlib.import_module(module), func)())
runpy.run_module("tracker", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("how", ["module", "script"])
def test_ctrl_c_while_starting_is_one_line_and_130(how):
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11")
    proc = subprocess.run([sys.executable, "-c", _INTERRUPT_WHILE_IMPORTING.replace("{how}", how)],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip() == "tracker: interrupted"


def test_a_real_ctrl_c_while_the_modules_load(tmp_path):
    """A real SIGINT as soon as the command's own modules start loading (``-X importtime``
    says when: ``tracker.app`` is the first), while its libraries (numpy, OpenCV, MediaPipe)
    still load: one line, exit 130. (Before that are the interpreter's own start-up and
    ``runpy``, a few milliseconds no program code runs in.)"""
    rec = _rec(tmp_path / "r.npz")
    proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "tracker", "analyze", str(rec),
                             "-e", "dorsiflexion", "--no-history"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_default_sigint)
    sent = False
    for line in proc.stderr:
        if line.split("|")[-1].strip() == "tracker.app":
            proc.send_signal(signal.SIGINT)
            sent = True
            break
    assert sent
    err = [line for line in proc.communicate(timeout=60)[1].splitlines() if not line.startswith("import time:")]
    assert proc.returncode == 130 and len(err) == 1 and err[0].startswith("tracker: interrupted"), err


def _result(rec: Path):
    from tracker.pose.recording import load_recording

    return _result_of(load_recording(rec))


def _result_of(rec):
    from tracker.counting.offline import analyze_recording
    from tracker.exercises import get_exercise

    return analyze_recording(rec, get_exercise("dorsiflexion"), side="left")


def _start(argv: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "tracker", *argv, "--no-history", "--model", "lite"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)


def _wait_for(condition, proc: subprocess.Popen, limit_s: float = 120.0) -> None:
    """Poll until ``condition`` holds (or the process ended, or a generous limit passed)."""
    end = time.monotonic() + limit_s
    while not condition():
        if proc.poll() is not None or time.monotonic() > end:
            return
        time.sleep(0.05)


def _default_sigint() -> None:
    """A child of a background job starts with Ctrl-C ignored; this one must feel it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
