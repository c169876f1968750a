"""``analyze --scheduler``: a Dask LocalCluster with two worker processes analyses a batch
of landmark recordings; the CSV and summary are byte for byte those of ``--jobs 2``, rows
in input order, and a worker that dies mid-file has that file run again (nothing lost)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tracker
from tracker.app.cli import main

distributed = pytest.importorskip("distributed")

PROJECT = Path(tracker.__file__).resolve().parents[1]
CLIPS = ("c001_dorsiflexion", "c002_dorsiflexion", "c021_dorsiflexion", "c022_dorsiflexion")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    support = str(PROJECT / "tests" / "support")
    mp = pytest.MonkeyPatch()
    mp.setenv("PYTHONPATH", support + ":" + str(PROJECT))  # the spawned workers import the test task
    # what the dying task reads, in every worker (restarted ones too: they inherit it)
    mp.setenv("TRACKER_TEST_DIE_ON", f"{CLIPS[1]}.npz")
    mp.setenv("TRACKER_TEST_DIE_MARKER", str(tmp_path_factory.mktemp("cluster") / "died"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as c:
        yield c
    mp.undo()


@pytest.fixture
def recordings(tmp_path) -> list[Path]:
    out = []
    for name in CLIPS:
        src = PROJECT / "tests" / "corpus" / f"{name}.npz"
        if not src.exists():
            pytest.skip(f"{src} is missing")
        out.append(Path(shutil.copy(src, tmp_path / src.name)))
    return out


def _analyze(tmp_path, recordings, tag: str, *extra) -> tuple[str, str]:
    reps, sets = tmp_path / f"{tag}.csv", tmp_path / f"{tag}_sets.csv"
    code = main(["analyze", *map(str, recordings), "--exercise", "dorsiflexion", "--csv", str(reps),
                 "--summary", str(sets), "--no-history", *extra])
    assert code == 0
    return reps.read_text(), sets.read_text()


def _without_started_at(summary: str) -> str:
    """The summary's started_at is when each file's analysis began: it differs between runs."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(summary)))
    return "\n".join(",".join(v for k, v in r.items() if k != "started_at") for r in rows)


def test_the_cluster_writes_what_jobs_writes(tmp_path, recordings, cluster):
    jobs = _analyze(tmp_path, recordings, "jobs", "--jobs", "2")
    dask = _analyze(tmp_path, recordings, "dask", "--scheduler", cluster.scheduler_address)
    assert dask[0] == jobs[0]
    assert _without_started_at(dask[1]) == _without_started_at(jobs[1])
    sources = [line.split(",")[0] for line in dask[1].splitlines()[1:]]
    assert [Path(s).name for s in sources] == [r.name for r in recordings]  # input order


def test_a_worker_that_dies_has_its_file_run_again(recordings, cluster):
    import os

    from dying_task import analyse_or_die

    from tracker.app.analyze import analyze_path
    from tracker.app.cluster import run_on_cluster

    marker = Path(os.environ["TRACKER_TEST_DIE_MARKER"])
    got, failures = [], []
    kw = dict(exercise="dorsiflexion")
    run_on_cluster(recordings, kw, cluster.scheduler_address, got.append, failures.append, task=analyse_or_die,
                   extra=((),))
    assert marker.exists(), "the worker never died: the test did not test anything"
    assert failures == []
    assert [Path(r.info.source).name for r in got] == [r.name for r in recordings]
    again = analyze_path(recordings[1], **kw)
    assert got[1].summary.reps_counted == again.summary.reps_counted


def test_no_scheduler_at_the_address_is_one_line(tmp_path, recordings, capsys):
    code = main(["analyze", str(recordings[0]), "--exercise", "dorsiflexion", "--no-history",
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 3
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_resume_skips_what_was_done_and_drops_a_cut_off_file(tmp_path, recordings, capsys):
    full = _analyze(tmp_path, recordings, "full")
    reps, sets = tmp_path / "part.csv", tmp_path / "part_sets.csv"
    base = ["--exercise", "dorsiflexion", "--csv", str(reps), "--summary", str(sets), "--no-history"]
    assert main(["analyze", *map(str, recordings[:2]), *base]) == 0
    # the third file was cut off half-way: its provisional rows are in the CSV, not in the summary
    third = [line for line in full[0].splitlines() if line.startswith(str(recordings[2]))]
    assert third, "the third clip should have reps"
    with reps.open("a") as f:
        f.write(third[0] + "\n")
    assert main(["analyze", *map(str, recordings), *base]) == 3  # exists: refused without --resume
    capsys.readouterr()
    assert main(["analyze", *map(str, recordings), *base, "--resume"]) == 0
    assert "resuming: 2 of 4 files were analysed already" in capsys.readouterr().err
    assert reps.read_text() == full[0]
    assert _without_started_at(sets.read_text()) == _without_started_at(full[1])


def test_resume_with_the_cluster_after_everything_was_done_does_nothing(tmp_path, recordings, cluster, capsys):
    _analyze(tmp_path, recordings, "once", "--scheduler", cluster.scheduler_address)
    before = (tmp_path / "once.csv").read_text()
    _analyze(tmp_path, recordings, "once", "--scheduler", cluster.scheduler_address, "--resume")
    assert "resuming: 4 of 4 files" in capsys.readouterr().err
    assert (tmp_path / "once.csv").read_text() == before


def test_resume_from_another_folder_is_refused_not_duplicated(tmp_path, recordings, monkeypatch, capsys):
    """Sources are saved as given: ``data/x.npz`` run from the top, resumed as ``x.npz`` from
    inside ``data``, would match nothing and write every set twice."""
    data = tmp_path / "data"
    data.mkdir()
    for r in recordings[:2]:
        r.rename(data / r.name)
    monkeypatch.chdir(tmp_path)
    base = ["--exercise", "dorsiflexion", "--no-history"]
    assert main(["analyze", f"data/{recordings[0].name}", *base, "--csv", "r.csv", "--summary", "s.csv"]) == 0
    before = (tmp_path / "r.csv").read_text()
    monkeypatch.chdir(data)
    capsys.readouterr()
    code = main(["analyze", recordings[0].name, recordings[1].name, *base, "--csv", "../r.csv",
                 "--summary", "../s.csv", "--resume"])
    assert code == 2 and "run from the folder the batch was started in" in capsys.readouterr().err
    assert (tmp_path / "r.csv").read_text() == before
