"""`python -m tracker.bench --closeup` on one committed rendered close-up: the table, the
split, the truth paired and the JSON (no ../shared, offline and live)."""
from __future__ import annotations

import json

from tracker.bench.__main__ import main
from tracker.bench.closeup import CLOSEUP_CORPUS, discover_rendered


def test_closeup_corpus_has_both_halves_and_truth():
    cases = discover_rendered()
    assert {c.split for c in cases} == {"tune", "report"}
    assert any(c.negative for c in cases) and any(not c.negative for c in cases)
    for c in cases:
        assert c.video.stat().st_size < 400_000  # small enough to commit
        assert c.negative or c.truth_csv.exists()


def test_bench_closeup_scores_a_clip_against_its_truth(tmp_path, capsys):
    clip = next(c for c in discover_rendered() if c.name.startswith("k003"))
    out = tmp_path / "r.json"
    assert main(["--closeup", "--no-shared", "--clips", clip.name, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"| report | {clip.name} |" in text and "| report | 1 |" in text
    row = json.loads(out.read_text())["rows"][0]
    assert row["true"] == clip.true_reps == 3
    assert isinstance(row["counted"], int) and isinstance(row["live_counted"], int)
    assert 0 < row["gain"] < 5 and row["rmse_deg"] >= 0  # paired with the truth by timestamp
    assert (CLOSEUP_CORPUS / "manifest.txt").exists()
