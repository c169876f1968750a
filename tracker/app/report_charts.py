"""The progress report's charts: PNGs (base64) of reps, range of motion and flag shares.

matplotlib is imported only here, and only when a report is written.
"""
from __future__ import annotations

import base64
import io

from tracker.errors import RuntimeFailure
from tracker.sinks.history import local_time

# Minimum detectable change (95 %) of an ankle angle measured from an ordinary camera:
# differences smaller than this are within measurement error, not progress or decline.
MDC_DEG = 5.0
ACTIVE_COLOUR, PASSIVE_COLOUR, OTHER_COLOUR = "#1f4e9c", "#8fb8e8", "#7a7a7a"
ASSISTED_COLOUR, COMPENSATED_COLOUR = "#c2571a", "#6a3d9a"


def _figure():
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise RuntimeFailure("the report needs matplotlib: pip install 'footdrop-tracker[plot]'") from exc
    fig = Figure(figsize=(10, 4.2), dpi=110, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax, sessions: list[dict], ylabel: str) -> None:
    """Session numbers on x with their dates (thinned so they stay readable), large type."""
    xs = list(range(1, len(sessions) + 1))
    step = max(1, -(-len(xs) // 10))
    ax.set_xticks(xs[::step])
    ax.set_xticklabels([f"{local_time(s['started_at']):%d %b}" for s in sessions][::step], fontsize=13)
    ax.set_xlim(0.4, len(xs) + 0.6)
    ax.set_ylabel(ylabel, fontsize=15)
    ax.tick_params(axis="y", labelsize=13)
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _shade_passive(ax, sessions: list[dict], label: str | None = None) -> None:
    """A pale band behind passive sessions so they are not read as the person's own effort."""
    for x, s in enumerate(sessions, 1):
        if s["mode"] == "passive":
            ax.axvspan(x - 0.5, x + 0.5, color=PASSIVE_COLOUR, alpha=0.18, lw=0, label=label)
            label = None


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def chart_reps(sessions: list[dict]) -> str:
    fig, ax = _figure()
    xs = range(1, len(sessions) + 1)
    colours = [ACTIVE_COLOUR if s["mode"] == "active" else PASSIVE_COLOUR for s in sessions]
    ax.bar(xs, [s["reps_counted"] for s in sessions], color=colours, width=0.7)
    ax.plot(xs, [s["target"] for s in sessions], "k_", markersize=28, markeredgewidth=3)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    modes = {s["mode"] for s in sessions}
    handles = [Patch(color=c, label=m) for m, c in (("active", ACTIVE_COLOUR), ("passive", PASSIVE_COLOUR))
               if m in modes] + [
               Line2D([], [], color="k", marker="_", linestyle="", markersize=20, markeredgewidth=3,
                      label="target")]
    ax.legend(handles=handles, fontsize=13, loc="upper left", frameon=False, ncols=3)
    ax.set_ylim(0, max(1, *(s["target"] for s in sessions), *(s["reps_counted"] for s in sessions)) * 1.25)
    _style(ax, sessions, "reps counted")
    return _png(fig)


def chart_rom(sessions: list[dict], mdc: float = MDC_DEG) -> str:
    fig, ax = _figure()
    pts = [(x, s) for x, s in enumerate(sessions, 1) if s["mean_rom_deg"] is not None]
    _shade_passive(ax, sessions)
    for mode, face in (("active", ACTIVE_COLOUR), ("passive", "white")):
        sel = [(x, s) for x, s in pts if s["mode"] == mode]
        if sel:  # one line per mode: passive and active ranges are not the same measurement
            ax.plot([x for x, _ in sel], [s["mean_rom_deg"] for _, s in sel], "o-", markersize=10, lw=2.5,
                    color=ACTIVE_COLOUR, markerfacecolor=face, markeredgewidth=2, label=f"mean, {mode}")
    best_label = "best rep"
    for mode in ("active", "passive"):
        sel = [(x, s) for x, s in pts if s["mode"] == mode]
        if sel:
            ax.plot([x for x, _ in sel], [s["best_rom_deg"] for _, s in sel], "^--", color=ACTIVE_COLOUR,
                    alpha=0.55, markersize=8, lw=1.5, label=best_label)
            best_label = None
    other = [(x, s["other_side_mean_rom_deg"]) for x, s in pts if s["other_side_mean_rom_deg"] is not None]
    if other:
        ax.plot([x for x, _ in other], [v for _, v in other], "s-", color=OTHER_COLOUR, markersize=7, lw=2,
                label="mean (other foot)")
    if pts:
        mode = pts[-1][1]["mode"]
        base = next(s for _, s in pts if s["mode"] == mode)["mean_rom_deg"]
        ax.axhspan(base - mdc, base + mdc, color="#999999", alpha=0.18, lw=0,
                   label=f"within {mdc:g}° of the first {mode} session: not a measurable change")
    ax.set_ylim(bottom=0)
    if pts:
        ax.legend(fontsize=12, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3, frameon=False)
    else:
        ax.text(0.5, 0.5, "no counted reps yet", transform=ax.transAxes, ha="center", fontsize=16)
    _style(ax, sessions, "range of motion (°)")
    return _png(fig)


def chart_shares(sessions: list[dict]) -> str:
    fig, ax = _figure()
    pts = [(x, s) for x, s in enumerate(sessions, 1) if s["reps_counted"]]
    _shade_passive(ax, sessions, label="passive session (always assisted)")
    series = (("assisted", ASSISTED_COLOUR, "o", 13), ("compensated", COMPENSATED_COLOUR, "s", 8))
    for key, colour, marker, size in series:
        # different marker sizes keep both series visible where they coincide (often at 0 %)
        ax.plot([x for x, _ in pts], [100 * s[key] / s["reps_counted"] for _, s in pts], marker + "-",
                color=colour, lw=2.5, markersize=size, label=f"{key} reps")
    ax.set_ylim(-3, 105)
    ax.legend(fontsize=12, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3, frameon=False)
    _style(ax, sessions, "% of reps")
    return _png(fig)


# --- HTML --------------------------------------------------------------------------------
