"""A PNG per set: the ankle signal over time with rest, thresholds and each rep marked.

matplotlib is imported here only (Agg backend), so ``import tracker`` stays light.
"""
from __future__ import annotations

from pathlib import Path

from tracker.errors import printable


def plot_paths(csv_path: str | Path, inputs: list[Path]) -> dict[str, Path]:
    """``{input: png}``: ``<csv stem>_<input stem>.png`` beside the CSV, one distinct name per
    input (two ``clip.mp4`` in two folders get their folder's name too, then a number)."""
    csv_path = Path(csv_path)
    counts: dict[str, int] = {}
    for f in inputs:
        counts[f.stem] = counts.get(f.stem, 0) + 1
    out: dict[str, Path] = {}
    taken: set[str] = set()
    for f in inputs:
        name = f.stem if counts[f.stem] == 1 else f"{f.parent.name}_{f.stem}"
        base, k = name, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        out[str(f)] = csv_path.with_name(f"{csv_path.stem}_{name}.png")
    return out


def plot_set(result, path: str | Path, title: str | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from tracker.exercises import EXERCISES

    ex = EXERCISES[result.info.exercise]
    fig, ax = plt.subplots(figsize=(11, 4.6), dpi=100)
    t, s = result.t, result.signal
    ax.plot(t, s, color="#1f4e79", lw=1.6, label=f"{ex.title} signal ({result.info.side})")
    if np.isfinite(result.baseline).any():
        ax.plot(t, result.baseline, color="#7f7f7f", lw=1, ls="--", label="rest")
    for r in result.reps:
        color = "#2e8b57" if r.counted else "#d98c00"
        ax.axvspan(r.start_t, r.end_t, color=color, alpha=0.15 if r.counted else 0.1)
        ax.annotate(str(r.index) if r.counted else "?", (r.peak_t, r.peak_deg), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=10, color=color, weight="bold")
    ax.margins(y=0.15)  # room for the rep numbers above the peaks
    ax.set_xlabel("time (s)")
    ax.set_ylabel("angle (deg)" + (", approximate" if ex.approximate else ""))
    n = result.summary.reps_counted
    ax.set_title(title or f"{printable(Path(result.info.source).name)}: {n}/{result.info.target} reps "
                 f"({result.summary.reps_low_confidence} low-confidence), method {result.info.method}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9, frameon=False)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
