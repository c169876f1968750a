"""The corpus benchmark's Markdown tables: per split and path, per exercise, per condition
(the report half, offline and live side by side) and per clip.

A row is one (clip, exercise) case from ``tracker.bench.corpus.run_corpus``. Scored: the
clips with a count to find (``expect`` "count", right view); negatives (``expect`` "none")
count false reps; a wrong view must be warned and not counted.
"""
from __future__ import annotations

import numpy as np

from tracker.bench.corpus import ROUTES, SPLITS, angle_columns


def _counted(row: dict, route: str) -> int | None:
    return row[route]["counted"] if route in row else None


def summarize_corpus(rows: list[dict], route: str) -> dict:
    scored = [r for r in rows if r["expect"] == "count" and not r["wrong_view"]]
    errs = [None if _counted(r, route) is None else _counted(r, route) - r["true"] for r in scored]
    neg = [_counted(r, route) for r in rows if r["expect"] == "none" and "error" not in r]  # errors: own column
    wrong = [r for r in rows if r["wrong_view"]]
    rate = lambda ok: float(np.mean(ok)) if scored else None  # noqa: E731
    return {
        "clips_scored": len(scored),
        "exact_rate": rate([e == 0 for e in errs]),
        "obo_rate": rate([e is not None and abs(e) <= 1 for e in errs]),
        "mae_norm": float(np.mean([abs(e) / r["true"] for e, r in zip(errs, scored) if e is not None and r["true"]]))
        if any(e is not None for e in errs) else None,
        "negatives": len(neg), "false_reps": int(sum(neg)), "negatives_with_false_reps": int(sum(n > 0 for n in neg)),
        "wrong_view": len(wrong), "wrong_view_handled": int(sum(bool(r.get(route, {}).get("ok")) for r in wrong)),
        "errors": sum("error" in r for r in rows),
    }


def _pct(v) -> str:
    return "" if v is None else f"{100 * v:.0f}%"


def _false(s: dict) -> str:
    return f"{s['false_reps']} ({s['negatives_with_false_reps']}/{s['negatives']})" if s["negatives"] else ""


def _wrong(s: dict) -> str:
    return f"{s['wrong_view_handled']}/{s['wrong_view']}" if s["wrong_view"] else ""


def markdown_corpus_summary(rows: list[dict]) -> str:
    lines = ["| split | path | clips scored | exact | off-by-one | MAE/true | false reps on negatives (clips with "
             "any / negatives) | wrong view handled | errors |", "|---|---|---|---|---|---|---|---|---|"]
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        for route in ROUTES if part else ():
            s = summarize_corpus(part, route)
            mae = "" if s["mae_norm"] is None else f"{s['mae_norm']:.3f}"
            lines.append(f"| {split} | {route} | {s['clips_scored']} | {_pct(s['exact_rate'])} | "
                         f"{_pct(s['obo_rate'])} | {mae} | {_false(s)} | {_wrong(s)} | {s['errors']} |")
    return "\n".join(lines)


def _side_by_side(rows: list[dict]) -> str:
    """exact | off-by-one | false reps | wrong view, each "offline / live"."""
    so, sl = (summarize_corpus(rows, route) for route in ROUTES)
    both = lambda f: f"{f(so)} / {f(sl)}" if f(so) or f(sl) else ""  # noqa: E731
    return (f"{so['clips_scored']} | {both(lambda s: _pct(s['exact_rate']))} | "
            f"{both(lambda s: _pct(s['obo_rate']))} | {both(_false)} | {both(_wrong)}")


HEAD = "clips scored | exact (offline / live) | off-by-one | false reps on negatives | wrong view handled"


def markdown_by_exercise(rows: list[dict]) -> str:
    lines = [f"| exercise | {HEAD} | angle gain | angle RMSE° | r |", "|---" * 9 + "|"]
    for ex in sorted({r["exercise"] for r in rows}):
        part = [r for r in rows if r["exercise"] == ex]
        a = angle_columns([r for r in part if r["expect"] == "count" and not r["wrong_view"]])
        angles = " | ".join("" if a[k] is None else f"{a[k]:.2f}" for k in ("gain", "rmse_deg", "r"))
        lines.append(f"| {ex} | {_side_by_side(part)} | {angles} |")
    return "\n".join(lines)


def _hold(v: float) -> str:
    return "0" if v == 0 else ("0–2" if v <= 2 else ("2–5" if v <= 5 else ">5"))


def _tempo(v: float) -> str:
    return "<1.5" if v < 1.5 else ("1.5–3" if v <= 3 else ">3")


def _amp(v: float) -> str:
    return "<8" if v < 8 else ("8–15" if v <= 15 else ">15")


def _step(step: float):
    return lambda v: f"{step * round(float(v) / step):g}"


# (conditions key, table title, value -> bin label)
CONDITIONS = (("hold_s", "hold at the top, s", _hold), ("rep_s", "tempo (one rep up and down), s", _tempo),
              ("amp", "amplitude, °", _amp), ("cam_height_m", "camera height, m", _step(0.1)),
              ("cam_dist_m", "camera distance, m", _step(0.25)), ("azimuth_deg", "camera azimuth, °", _step(15)),
              ("view", "view", str), ("fps", "frame rate, fps", lambda v: f"{float(v):g}"))
_ORDER = ["0", "0–2", "2–5", ">5", "<1.5", "1.5–3", ">3", "<8", "8–15", ">15"]


def _bin_key(label: str):
    if label in _ORDER:
        return (0, _ORDER.index(label), "")
    try:
        return (1, float(label), "")
    except ValueError:
        return (2, 0.0, label)


def condition_bin(row: dict, key: str, binner) -> str:
    v = row["conditions"].get(key)
    if v is None or v == "":
        return "?"
    try:
        return binner(v)
    except (TypeError, ValueError):
        return str(v)


def markdown_by_condition(rows: list[dict], key: str, binner) -> str:
    lines = [f"| {key} | {HEAD} |", "|---" * 6 + "|"]
    bins: dict[str, list[dict]] = {}
    for r in rows:
        bins.setdefault(condition_bin(r, key, binner), []).append(r)
    for label in sorted(bins, key=_bin_key):
        lines.append(f"| {label} | {_side_by_side(bins[label])} |")
    return "\n".join(lines)


def _cell(row: dict, route: str) -> str:
    if "error" in row:
        return "error"
    n, ok = row[route]["counted"], row[route]["ok"]
    if row["wrong_view"]:
        return f"{n}, warned" if ok else f"{n}, NOT warned"
    if row["expect"] == "none":
        return f"{n}" if ok else f"{n} FALSE"
    err = n - row["true"]
    return f"{n}" if err == 0 else (f"{n} (OBO)" if abs(err) <= 1 else f"{n} (miss)")


def _flags(row: dict, route: str) -> str:
    p = row[route]
    bits = [f"{k} {p[k]}" for k in ("low_conf", "compensated", "assisted") if p[k]]
    if row["side_true"] in ("left", "right") and p["side"] != row["side_true"]:
        bits.append(f"side {p['side']}")
    bits += [f"{note} ×{n}" for note, n in p["notes"].items()]
    bits += [w if len(w) <= 60 else w[:57] + "..." for w in p["warnings"]]
    return "; ".join(bits)


def clip_flags(row: dict) -> str:
    if "error" in row:
        return row["error"]
    fo, fl = (_flags(row, route) for route in ROUTES)
    if fo == fl:
        return fo
    return "; ".join(f"{route}: {f}" for route, f in zip(ROUTES, (fo, fl)) if f)


def markdown_corpus_clips(rows: list[dict]) -> str:
    lines = ["| clip | split | exercise | true | offline | live | flags |", "|---" * 7 + "|"]
    for r in sorted(rows, key=lambda r: (SPLITS.index(r["split"]) if r["split"] in SPLITS else 9, r["name"])):
        true = "0 (negative)" if r["expect"] == "none" else str(r["true"])
        lines.append(f"| {r['name']} | {r['split']} | {r['exercise']} | {true} | {_cell(r, 'offline')} | "
                     f"{_cell(r, 'live')} | {clip_flags(r)} |")
    return "\n".join(lines)


HOLD_BINS = ((0.0, 1.0), (1.0, 2.5), (2.5, 3.5), (3.5, float("inf")))  # true hold, seconds


def markdown_holds(rows: list[dict]) -> str:
    """Measured ``hold_s`` against the rendered hold, per counted rep, by true hold."""
    lines = ["| true hold | reps (offline / live) | measured, median (offline / live) | "
             "within ±0.5 s (offline / live) |", "|---|---|---|---|"]
    for lo, hi in HOLD_BINS:
        cells = []
        for route in ROUTES:
            pairs = [(t, m) for r in rows if route in r for t, m in r[route].get("holds", []) if lo <= t < hi]
            cells.append((len(pairs), np.median([m for _, m in pairs]) if pairs else None,
                          np.mean([abs(m - t) <= 0.5 for t, m in pairs]) if pairs else None))
        if any(n for n, _, _ in cells):
            med = " / ".join("" if m is None else f"{m:.1f} s" for _, m, _ in cells)
            span = f"{lo:g}–{hi:g} s" if hi != float("inf") else f"≥ {lo:g} s"
            lines.append(f"| {span} | {cells[0][0]} / {cells[1][0]} | {med} | "
                         f"{' / '.join(_pct(w) for _, _, w in cells)} |")
    return "\n".join(lines)


def corpus_markdown(rows: list[dict]) -> str:
    """Every corpus table, Markdown, in reading order."""
    report = [r for r in rows if r["split"] == "report"]
    text = ["## Corpus: per split and path", "", markdown_corpus_summary(rows), ""]
    if not report:
        text += ["No clips of the report split were run: the per-exercise and per-condition tables "
                 "are for the report half only.", ""]
    else:
        text += ["## Corpus, report half: per exercise (angles: offline, medians over the scored clips)", "",
                 markdown_by_exercise(report), ""]
        for key, title, binner in CONDITIONS:
            if any(key in r["conditions"] for r in report):
                text += [f"### Report half by {title}", "", markdown_by_condition(report, key, binner), ""]
        text += ["### Report half: hold time of counted reps (`hold_s` against the rendered hold)", "",
                 markdown_holds(report), ""]
    text += ["## Corpus: per clip", "", markdown_corpus_clips(rows)]
    return "\n".join(text)
