"""The benchmark: accuracy and speed over every clip we can find, as a Markdown table + JSON.

    python -m tracker.bench                  # all clips, lite + full (+ heavy if built)
    python -m tracker.bench --quick          # one sample clip, full model (used by a test)
    python -m tracker.bench --models full --no-cache --speed

Clips: the project's ``sample_videos/`` (truth files), ``../shared/rendered`` (truth
files) and ``../shared/clips`` (hand-counted ``labels.csv``), the last two only when
present. Landmarks are cached per (clip hash, model hash) so re-running the counting part
takes seconds; ``--no-cache`` forces the model to run (and enables per-stage timing).

Accuracy: true vs counted reps, exact and off-by-one, MAE normalised by the true count,
false reps where nothing (or another exercise) is done; on rendered clips the angle RMSE
after removing a constant offset, the offset, the gain (slope of measured on true angle).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tracker.analysis import analyze_recording
from tracker.exercises import EXERCISES, get_exercise

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACKER_SHARED", PROJECT.parent / "shared"))
SAMPLES = PROJECT / "sample_videos"

# ../shared/rendered uses its own exercise names.
RENDERED_EXERCISE = {"crossed_dorsi": "dorsiflexion", "seated_dorsi": "toe_raise", "heel_raise": "heel_raise",
                     "seated_eversion": "eversion"}
# Real clips that show none of our exercises: run these counters and report false reps.
NEGATIVE_EXERCISES = ("heel_raise", "dorsiflexion")


@dataclass
class Clip:
    name: str
    path: Path
    group: str  # "sample" | "rendered" | "real"
    exercise: str  # exercise the counter runs as
    true_reps: int | None  # None: count not established
    side: str = "auto"
    truth_csv: Path | None = None
    truth_column: str | None = None
    truth_sign: int = 1
    expect: str = "count"  # "count" | "none" (nothing may be counted) | "other" (another exercise)
    wrong_view: bool = False


def discover(include_shared: bool = True) -> list[Clip]:
    clips: list[Clip] = []
    for meta_path in sorted(SAMPLES.glob("*_meta.json")):
        meta = json.loads(meta_path.read_text())
        base = meta_path.with_name(meta_path.name[: -len("_meta.json")])
        mp4 = base.with_suffix(".mp4")
        if not mp4.exists():
            continue
        ex = EXERCISES[meta["exercise"]]
        clips.append(Clip(base.name, mp4, "sample", ex.key, int(meta["reps"]), meta.get("side", "auto"),
                          Path(str(base) + "_gt.csv"), ex.truth_column, ex.truth_sign,
                          wrong_view=not meta.get("recommended_view", True)))
    if not include_shared:
        return clips
    rendered = SHARED / "rendered"
    for meta_path in sorted(rendered.glob("*_meta.json")) if rendered.exists() else []:
        meta = json.loads(meta_path.read_text())
        base = meta_path.with_name(meta_path.name[: -len("_meta.json")])
        ex = EXERCISES[RENDERED_EXERCISE[meta["exercise"]]]
        side = {"L": "left", "R": "right"}.get(meta.get("side"), "auto")
        wrong = ex.view == "side" and meta.get("view") == "front"
        clips.append(Clip(base.name, base.with_suffix(".mp4"), "rendered", ex.key, int(meta["reps"]), side,
                          Path(str(base) + "_gt.csv"), ex.truth_column, ex.truth_sign, wrong_view=wrong))
    labels = SHARED / "clips" / "labels.csv"
    if labels.exists():
        with open(labels, newline="") as f:
            for row in csv.DictReader(f):
                path = labels.parent / row["file"]
                reps = int(row["reps"]) if row["reps"].strip() else None
                name = Path(row["file"]).stem
                if row["exercise"] in EXERCISES:
                    clips.append(Clip(name, path, "real", row["exercise"], reps))
                elif row["exercise"] == "none":
                    for ex in NEGATIVE_EXERCISES:
                        clips.append(Clip(f"{name}[{ex}]", path, "real", ex, 0, expect="none"))
                else:
                    for ex in NEGATIVE_EXERCISES:
                        clips.append(Clip(f"{name}[{ex}]", path, "real", ex, None, expect="other"))
    return clips


def angle_metrics(clip: Clip, t: np.ndarray, measured: np.ndarray) -> dict | None:
    """RMSE after removing a constant offset, the offset and the gain vs the rendered truth."""
    if clip.truth_csv is None or not clip.truth_csv.exists() or not clip.truth_column:
        return None
    with open(clip.truth_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or clip.truth_column not in rows[0]:
        return None
    truth = clip.truth_sign * np.array([float(r[clip.truth_column]) for r in rows])
    n = min(len(truth), len(measured))
    m, tr = measured[:n], truth[:n]
    ok = np.isfinite(m) & np.isfinite(tr)
    if ok.sum() < 10 or np.ptp(tr[ok]) < 1e-6:
        return None
    offset = float(np.mean(m[ok] - tr[ok]))
    rmse = float(np.sqrt(np.mean((m[ok] - tr[ok] - offset) ** 2)))
    gain = float(np.polyfit(tr[ok], m[ok], 1)[0])
    r = float(np.corrcoef(tr[ok], m[ok])[0, 1])
    return {"rmse_deg": rmse, "offset_deg": offset, "gain": gain, "r": r}


def run_accuracy(clips: list[Clip], model: str, use_cache: bool = True, log=print,
                 max_fps: float | None = None) -> list[dict]:
    """Count every clip as ``tracker analyze`` would (same analysis rate by default)."""
    from tracker.batch import DEFAULT_MAX_FPS
    from tracker.posecache import cached_recording

    max_fps = DEFAULT_MAX_FPS if max_fps is None else (max_fps or None)
    rows = []
    for clip in clips:
        if not clip.path.exists():
            continue
        rec = cached_recording(clip.path, model, use_cache=use_cache, max_fps=max_fps)
        ex = get_exercise(clip.exercise)
        t0 = time.perf_counter()
        res = analyze_recording(rec, ex, side=clip.side, source=str(clip.path))
        t_count = time.perf_counter() - t0
        counted = res.summary.reps_counted
        row = {"clip": clip.name, "group": clip.group, "exercise": clip.exercise, "model": model,
               "true": clip.true_reps, "counted": counted, "low_conf": res.summary.reps_low_confidence,
               "expect": clip.expect, "wrong_view": clip.wrong_view, "side": res.info.side,
               "warnings": list(res.warnings), "count_ms": 1000 * t_count, "frames": len(rec)}
        if clip.true_reps is not None:
            err = counted - clip.true_reps
            row.update(exact=err == 0, obo=abs(err) <= 1, abs_err=abs(err),
                       mae_norm=abs(err) / clip.true_reps if clip.true_reps else None)
        if clip.wrong_view:
            # The right answer is a "turn sideways" warning and no confident count.
            row["ok"] = any("wrong camera view" in w for w in res.warnings) and counted == 0
        elif clip.expect == "none":
            row["ok"] = counted == 0
        elif clip.expect == "count" and clip.true_reps is not None:
            row["ok"] = row["exact"]
        else:
            row["ok"] = None
        # in the rep direction, so gain > 0 means the movement is seen the right way round
        am = angle_metrics(clip, res.t, res.direction * res.signal)
        if am and ex.rep_direction(res.info.side) == 0:
            am["gain"], am["r"] = abs(am["gain"]), abs(am["r"])  # direction learned, sign arbitrary
        if am:
            row.update(am)
        rows.append(row)
        log(_row_line(row))
    return rows


def _row_line(r: dict) -> str:
    ang = f" rmse {r['rmse_deg']:.1f} off {r['offset_deg']:+.1f} gain {r['gain']:.2f}" if "rmse_deg" in r else ""
    return f"  {r['model']:5s} {r['clip']:45s} {r['exercise']:12s} true {str(r['true']):>4s} counted {r['counted']:2d} " \
           f"(+{r['low_conf']} low) {'OK' if r['ok'] else ('--' if r['ok'] is None else 'FAIL')}{ang}"


def summarize(rows: list[dict]) -> dict:
    scored = [r for r in rows if r.get("true") is not None and r["expect"] == "count" and not r["wrong_view"]]
    neg = [r for r in rows if r["expect"] == "none"]
    other = [r for r in rows if r["expect"] == "other"]
    wrong = [r for r in rows if r["wrong_view"]]
    out = {
        "clips_scored": len(scored),
        "exact_rate": float(np.mean([r["exact"] for r in scored])) if scored else None,
        "obo_rate": float(np.mean([r["obo"] for r in scored])) if scored else None,
        "mae_norm": float(np.mean([r["mae_norm"] for r in scored if r["mae_norm"] is not None])) if scored else None,
        "false_reps_negative": int(sum(r["counted"] for r in neg)),
        "false_reps_other_exercise": int(sum(r["counted"] for r in other)),
        "wrong_view_handled": f"{sum(bool(r['ok']) for r in wrong)}/{len(wrong)}",
    }
    return out


def markdown_accuracy(rows: list[dict]) -> str:
    lines = ["| clip | group | exercise | model | true | counted | low-conf | result | angle RMSE° | offset° | gain |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        res = "exact" if r.get("exact") else ("OBO" if r.get("obo") else ("miss" if r.get("true") is not None else ""))
        if r["wrong_view"]:
            res = "warned, not counted" if r["ok"] else "NOT warned"
        elif r["expect"] == "none":
            res = "0 false" if r["ok"] else f"{r['counted']} FALSE"
        elif r["expect"] == "other":
            res = f"{r['counted']} (other exercise)"
        f = lambda k, fmt: (fmt.format(r[k]) if k in r else "")  # noqa: E731
        lines.append(f"| {r['clip']} | {r['group']} | {r['exercise']} | {r['model']} | "
                     f"{'' if r['true'] is None else r['true']} | {r['counted']} | {r['low_conf']} | {res} | "
                     f"{f('rmse_deg', '{:.1f}')} | {f('offset_deg', '{:+.1f}')} | {f('gain', '{:.2f}')} |")
    return "\n".join(lines)


def markdown_summary(summ: dict[str, dict]) -> str:
    lines = ["| model | clips scored | exact | off-by-one | MAE/true | false reps (no exercise) | "
             "reps on other exercises | wrong view handled |", "|---|---|---|---|---|---|---|---|"]
    for model, s in summ.items():
        pct = lambda v: "" if v is None else f"{100 * v:.0f}%"  # noqa: E731
        lines.append(f"| {model} | {s['clips_scored']} | {pct(s['exact_rate'])} | {pct(s['obo_rate'])} | "
                     f"{'' if s['mae_norm'] is None else format(s['mae_norm'], '.3f')} | {s['false_reps_negative']} | "
                     f"{s['false_reps_other_exercise']} | {s['wrong_view_handled']} |")
    return "\n".join(lines)


def speed_clips() -> list[tuple[Path, str]]:
    """A 640x480 clip (project sample, else shared rendered) and a 1080x1920 phone clip."""
    out = []
    for folder in (SAMPLES, SHARED / "rendered"):
        for meta_path in sorted(folder.glob("*_meta.json")) if folder.exists() else []:
            meta = json.loads(meta_path.read_text())
            ex = meta.get("exercise")
            ex = RENDERED_EXERCISE.get(ex, ex)
            mp4 = meta_path.with_name(meta_path.name[: -len("_meta.json")] + ".mp4")
            if ex in EXERCISES and str(meta.get("size", "640x480")) == "640x480" and mp4.exists():
                out.append((mp4, ex))
                break
        if out:
            break
    phone = SHARED / "clips" / "skatefit_calf_raises.mp4"
    if phone.exists():
        out.append((phone, "heel_raise"))
    return out


def run_analysis_speed(models: list[str], log=print) -> list[dict]:
    """Offline analysis speed: per-frame decode and pose time (in process), and a real
    ``tracker analyze`` run in a subprocess for the real-time multiple and its peak RSS."""
    import subprocess

    import cv2

    from tracker.batch import DEFAULT_MAX_FPS
    from tracker.posecache import cached_recording

    rows = []
    for path, ex in speed_clips():
        cap = cv2.VideoCapture(str(path))
        n, fps = cap.get(cv2.CAP_PROP_FRAME_COUNT), cap.get(cv2.CAP_PROP_FPS) or 30.0
        size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
        cap.release()
        duration = n / fps
        for m in models:
            timings: list = []
            cached_recording(path, m, use_cache=False, timings=timings, max_fps=None)
            dec = np.array([a for a, _ in timings[5:]]) * 1000
            pose = np.array([b for _, b in timings[5:]]) * 1000
            t0 = time.perf_counter()
            p = subprocess.Popen([sys.executable, "-m", "tracker", "analyze", str(path), "-e", ex, "--model", m,
                                  "--no-history", "--json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _pid, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            row = {"clip": path.name, "size": size, "fps": fps, "duration_s": duration, "model": m,
                   "decode_ms_median": float(np.median(dec)), "pose_ms_median": float(np.median(pose)),
                   "pose_ms_p95": float(np.percentile(pose, 95)),
                   "analyze_wall_s": wall, "realtime_x": duration / wall, "analyze_peak_rss_mb": ru.ru_maxrss / 1024,
                   "analysis_fps": DEFAULT_MAX_FPS, "exit": os.waitstatus_to_exitcode(status)}
            rows.append(row)
            log(f"  {m:5s} {path.name} {size}: decode {row['decode_ms_median']:.1f} ms, pose "
                f"{row['pose_ms_median']:.1f} ms/frame; analyze {wall:.1f} s for {duration:.1f} s = "
                f"{row['realtime_x']:.2f}x real time, peak {row['analyze_peak_rss_mb']:.0f} MB")
    return rows


def markdown_analysis_speed(rows: list[dict]) -> str:
    lines = ["| model | clip | size | decode ms/frame | pose ms/frame (median / p95) | `tracker analyze` wall s "
             "| × real time | peak RSS MB |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['clip']} | {r['size']} @ {r['fps']:.0f} fps | {r['decode_ms_median']:.1f} | "
                     f"{r['pose_ms_median']:.1f} / {r['pose_ms_p95']:.1f} | {r['analyze_wall_s']:.1f} "
                     f"(clip {r['duration_s']:.1f} s) | {r['realtime_x']:.2f} | {r['analyze_peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tracker.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=None, help="lite full heavy (default: lite full, heavy if built)")
    ap.add_argument("--quick", action="store_true", help="one sample clip, full model, no speed section")
    ap.add_argument("--no-cache", action="store_true", help="run the pose model even if landmarks are cached")
    ap.add_argument("--speed", action="store_true", help="also measure per-stage speed (runs the model)")
    ap.add_argument("--clips", nargs="*", help="only clips whose name contains one of these")
    ap.add_argument("--max-fps", type=float, default=None,
                    help="analysis rate as in 'tracker analyze' (default 15; 0 = every frame)")
    ap.add_argument("--no-shared", action="store_true", help="only the project's sample_videos")
    ap.add_argument("--json", default="bench_results.json", help="where to write the JSON (default: %(default)s)")
    args = ap.parse_args(argv)

    from tracker.errors import ModelError
    from tracker.models import resolve_model

    models = args.models or ["lite", "full"] + (["heavy"] if _has("heavy") else [])
    clips = discover(include_shared=not args.no_shared and not args.quick)
    if args.quick:
        clips = clips[:1]
        models = ["full"]
    if args.clips:
        clips = [c for c in clips if any(k in c.name for k in args.clips)]
    if not clips:
        print("bench: no clips found (sample_videos/ is empty and ../shared is absent)", file=sys.stderr)
        return 3
    for m in models:
        try:
            resolve_model(m)
        except ModelError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 3
    all_rows, summ = [], {}
    t0 = time.perf_counter()
    for m in models:
        print(f"== accuracy, model {m}", file=sys.stderr)
        rows = run_accuracy(clips, m, use_cache=not args.no_cache, log=lambda s: print(s, file=sys.stderr),
                            max_fps=args.max_fps)
        all_rows += rows
        summ[m] = summarize(rows)
    result = {"machine": machine(), "models": models, "summary": summ, "clips": all_rows}
    text = ["## Accuracy", "", markdown_summary(summ), "", markdown_accuracy(all_rows)]
    if args.speed and not args.quick:
        from tracker.benchspeed import markdown_speed, run_speed

        print("== speed: recorded-video analysis", file=sys.stderr)
        ana = run_analysis_speed(models, log=lambda s: print(s, file=sys.stderr))
        result["analysis_speed"] = ana
        speed = run_speed(models)
        result["speed"] = speed
        text += ["", "## Speed: recorded-video analysis (`tracker analyze`, "
                     f"analysed at up to {ana[0]['analysis_fps']:g} fps)" if ana else "", "",
                 markdown_analysis_speed(ana), "", "## Speed: live loop", "", markdown_speed(speed, result["machine"])]
    result["peak_rss_mb"] = peak_rss_mb()
    result["elapsed_s"] = time.perf_counter() - t0
    text += ["", f"Machine: {result['machine']['cpu']}, {result['machine']['cores']} cores; "
                 f"benchmark peak RSS {result['peak_rss_mb']:.0f} MB; {result['elapsed_s']:.0f} s."]
    print("\n".join(text))
    Path(args.json).write_text(json.dumps(result, indent=1, default=_json_default))
    return 0


def _has(model: str) -> bool:
    from tracker.errors import ModelError
    from tracker.models import resolve_model

    try:
        resolve_model(model, verify=False)
        return True
    except ModelError:
        return False


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.bool_):
        return bool(o)
    if hasattr(o, "__dataclass_fields__"):
        return asdict(o)
    return str(o)


if __name__ == "__main__":
    sys.exit(main())
