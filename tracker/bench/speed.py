"""Speed: recorded-video analysis (× real time, peak memory) and the live loop (fps, latency).

Live loop: fps, camera-to-overlay latency and where each frame's time goes.

A 640x480 clip is played as a 30 fps camera through the real live loop (``LatestFrameReader``
pacing, ``LiveSession``, the overlay, a CSV sink; headless). Latency is from the moment a
frame is handed over by the "camera" to the moment its overlay is ready. Next to it: the
raw landmarker alone on the same frames (no crop, no gating, no drawing), the loop's top
speed with every frame (``--fast``), and per-stage medians/p95s. The first frames (model
warm-up) are left out of the statistics.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tracker.bench.clips import PROJECT, SHARED, speed_clips
from tracker.sources.capture import VideoFileSource
from tracker.sources.frames import Frame, FrameSource, SourceInfo

CAMERA_FPS = 30.0
WARMUP_FRAMES = 10
STAGES = ("decode", "pose", "count", "overlay", "sinks")
STAGE_LABELS = {"decode": "decode", "pose": "pose", "count": "kinematics+counting", "overlay": "overlay",
                "sinks": "sinks"}


def find_clip(size: tuple[int, int] = (640, 480)) -> Path | None:
    """The first clip of the wanted size: the project's samples, then ../shared/rendered."""
    import cv2

    for folder in (PROJECT / "sample_videos", SHARED / "rendered"):
        clips = sorted(folder.glob("*.mp4"), key=lambda p: ("dorsi" not in p.name, p.name)) if folder.exists() else []
        for p in clips:
            cap = cv2.VideoCapture(str(p))
            ok = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == size
            cap.release()
            if ok:
                return p
    return None


class CameraClip(FrameSource):
    """A video file re-timed to ``fps`` (a camera), stamping each frame's decode time and
    the moment it is handed over (for the latency)."""

    def __init__(self, path: Path, fps: float = CAMERA_FPS, limit: int | None = None):
        self.video = VideoFileSource(path)
        vi = self.video.info
        self.info = SourceInfo("video", vi.name, fps, vi.width, vi.height, vi.frame_count)
        self.fps, self.limit = fps, limit
        self.decode_s: dict[int, float] = {}
        self.handed: dict[int, float] = {}
        self.t0: float | None = None

    def __iter__(self):
        self.t0 = time.perf_counter()
        it = iter(self.video)
        i = 0
        while self.limit is None or i < self.limit:
            c0 = time.perf_counter()
            try:
                f = next(it)
            except StopIteration:
                return
            c1 = time.perf_counter()
            self.decode_s[i] = c1 - c0
            t = i / self.fps
            # LatestFrameReader publishes the frame at t0 + t (pacing) or now, if decoding was late
            self.handed[i] = max(c1, self.t0 + t)
            yield Frame(i, t, f.image)
            i += 1

    def close(self) -> None:
        self.video.close()


def _stats(values_s) -> dict:
    v = np.asarray(list(values_s), float) * 1000.0
    if len(v) == 0:
        return {"median": None, "p95": None, "mean": None}
    return {"median": float(np.median(v)), "p95": float(np.percentile(v, 95)), "mean": float(np.mean(v))}


def raw_landmarker(path: Path, model: str, limit: int | None = None, num_poses: int = 2) -> dict:
    """The landmarker alone, frame by frame in VIDEO mode on the full frames.

    ``num_poses`` as the live estimator uses it (2: the person lock needs a helper's pose
    too). With 1 it is about twice as fast, because the detector then stops running on
    every frame; the benchmark reports both so that trade-off stays visible."""
    import cv2

    from tracker.pose.model_files import resolve_model
    from tracker.pose.native import import_tasks
    from tracker.pose.no_network import call_offline

    mp, vision, BaseOptions = import_tasks()
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(resolve_model(model))),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses)
    times = []
    landmarker, _ = call_offline(lambda: vision.PoseLandmarker.create_from_options(opts))  # as tracker's
    with landmarker as lm, VideoFileSource(path) as src:
        for i, f in enumerate(src):
            if limit is not None and i >= limit:
                break
            c0 = time.perf_counter()
            img = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB))
            lm.detect_for_video(img, int(i * 1000 / CAMERA_FPS))
            times.append(time.perf_counter() - c0)
    t = times[WARMUP_FRAMES:] or times
    return {"ms": _stats(t), "fps": float(1.0 / np.mean(t)) if t else None, "frames": len(times)}


def live_loop(path: Path, model: str, realtime: bool, limit: int | None = None) -> dict:
    """The real live loop (headless) over the clip played as a camera; per-frame timings."""
    from tracker.app.live.loop import run_session
    from tracker.app.live.screen import Screen
    from tracker.app.live.session import LiveSession
    from tracker.pose.estimator import PoseEstimator
    from tracker.sinks.csvfile import RepCSVSink

    src = CameraClip(path, limit=limit)
    rows: list[dict] = []
    rep_now = [False]

    def on_rep(session, rep):
        rep_now[0] = True

    def on_frame(frame, tm):
        rows.append(dict(tm, index=frame.index, rep=rep_now[0]))
        rep_now[0] = False

    with tempfile.TemporaryDirectory() as tmp, PoseEstimator(model) as est:
        sink = RepCSVSink(Path(tmp) / "reps.csv")
        session = LiveSession(est, "dorsiflexion", sinks=[sink], source=str(path), on_rep=on_rep)
        t0 = time.perf_counter()
        run_session(session, src, Screen(), realtime=realtime, on_frame=on_frame)
        wall = time.perf_counter() - t0
        sink.release()
    use = rows[WARMUP_FRAMES:] or rows
    first, last = (use[0], use[-1]) if use else (None, None)
    span = (last["ready"] - first["ready"]) if use and len(use) > 1 else wall
    out = {
        "processed": len(rows),
        "grabbed": len(src.handed),
        "dropped": len(src.handed) - len(rows),
        "fps": float((len(use) - 1) / span) if len(use) > 1 and span > 0 else None,
        "wall_s": wall,
        "reps": session.sets[0].reps_counted if session.sets else 0,
        "stages_ms": {
            "decode": _stats(src.decode_s[r["index"]] for r in use),
            "pose": _stats(r["pose_s"] for r in use),
            "count": _stats(r["count_s"] for r in use),
            "overlay": _stats(r["draw_s"] for r in use),
            "sinks": _stats(r["sinks_s"] for r in use),
        },
        "sinks_per_rep_ms": _stats(r["sinks_s"] for r in rows if r["rep"]),  # the CSV row, flushed + fsynced
        "own_ms": _stats(r["count_s"] + r["draw_s"] + r["sinks_s"] for r in use),
        "busy_ms": _stats(r["pose_s"] + r["count_s"] + r["draw_s"] + r["sinks_s"] for r in use),
    }
    if realtime:
        out["latency_ms"] = _stats(r["ready"] - src.handed[r["index"]] for r in use)
    return out


def run_speed(models, clip: str | os.PathLike | None = None, limit: int | None = None, log=None) -> dict:
    """Measure every model: raw landmarker, live loop at camera speed, loop top speed."""
    log = log or (lambda s: print(s, file=sys.stderr))
    path = Path(clip) if clip else find_clip()
    if path is None:
        return {"error": "no 640x480 clip found (sample_videos/ or ../shared/rendered)"}
    res: dict = {"clip": path.name, "camera_fps": CAMERA_FPS, "warmup_frames_excluded": WARMUP_FRAMES,
                 "models": {}}
    for m in models:
        log(f"== speed, model {m}: raw landmarker (2 poses, as live; then 1 pose)")
        raw = raw_landmarker(path, m, limit, num_poses=2)
        raw1 = raw_landmarker(path, m, limit, num_poses=1)
        log(f"== speed, model {m}: live loop, clip played as a {CAMERA_FPS:.0f} fps camera")
        rt = live_loop(path, m, realtime=True, limit=limit)
        log(f"== speed, model {m}: live loop, every frame as fast as possible")
        fast = live_loop(path, m, realtime=False, limit=limit)
        frame_ms = 1000.0 / rt["fps"] if rt["fps"] else None
        own = rt["own_ms"]["median"]
        res["models"][m] = {
            "raw": raw, "raw_1pose": raw1, "realtime": rt, "fast": fast,
            "own_pct_of_frame": 100.0 * own / frame_ms if frame_ms and own is not None else None,
            "own_pct_of_busy": 100.0 * own / rt["busy_ms"]["median"] if rt["busy_ms"]["median"] else None,
            "pose_vs_raw": (rt["stages_ms"]["pose"]["median"] / raw["ms"]["median"]
                            if raw["ms"]["median"] else None),
        }
    return res


def _f(v, fmt="{:.1f}") -> str:
    return "" if v is None else fmt.format(v)


def _mp(s: dict) -> str:
    return "n/a" if s.get("median") is None else f"{_f(s['median'])} / {_f(s['p95'])}"


ONE_POSE_NOTE = (
    "The landmarker runs with 2 poses (the person lock needs a helper's pose). With one person in view "
    "that makes its detector run on every frame, and the landmarks are identical to 1 pose in IMAGE mode "
    "(measured: max difference 0.0). With 1 pose in VIDEO mode the detector is skipped and each frame's "
    "crop is predicted from the last frame's landmarks (MediaPipe's tracking; its Tasks graph does no "
    "landmark smoothing): 1.6x cheaper, but the foot points degrade (full, analysed at 15 fps: range "
    "25.4 -> 20.4 deg on the rendered crossed-leg dorsiflexion clip, 17.9 -> 14.4 on the sample "
    "dorsiflexion clip, best rep 14.7 -> 12.8 deg and 8 of its 10 reps counted on the seated side one; "
    "without our own crop the range falls as much). The cause is MediaPipe's crop, so a re-detection every "
    "k frames would keep it on k-1 of k frames: the default stays 2 poses.")


def markdown_speed(speed: dict, machine: dict) -> str:
    if "error" in speed:
        return f"Speed not measured: {speed['error']}."
    lines = [
        f"Clip `{speed['clip']}` (640x480) played as a {speed['camera_fps']:.0f} fps camera through the live loop "
        f"(headless); first {speed['warmup_frames_excluded']} frames (warm-up) excluded. "
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores (shared: other jobs may run).",
        "",
        "| model | raw landmarker ms (median / p95) | raw fps | live fps at 30 fps camera | dropped | "
        "loop top fps (--fast) | camera→overlay latency ms (median / p95) | our work % of frame time | "
        "raw fps with 1 pose |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m, r in speed["models"].items():
        rt, raw, fast = r["realtime"], r["raw"], r["fast"]
        lines.append(f"| {m} | {_mp(raw['ms'])} | {_f(raw['fps'])} | {_f(rt['fps'])} | "
                     f"{rt['dropped']}/{rt['grabbed']} | {_f(fast['fps'])} | {_mp(rt['latency_ms'])} | "
                     f"{_f(r['own_pct_of_frame'])}% | {_f(r.get('raw_1pose', {}).get('fps'))} |")
    lines += ["", ONE_POSE_NOTE]
    lines += ["", "Per stage, ms per frame (median / p95), live loop at camera speed; pose / raw = the "
                  "estimator's time (crop, person lock) over the bare landmarker's:", "",
              "| model | " + " | ".join(STAGE_LABELS[s] for s in STAGES) + " | ours (count+overlay+sinks) | "
              "pose / raw |", "|---|" + "---|" * (len(STAGES) + 2)]
    for m, r in speed["models"].items():
        st = r["realtime"]["stages_ms"]
        lines.append(f"| {m} | " + " | ".join(_mp(st[s]) for s in STAGES) + f" | {_mp(r['realtime']['own_ms'])} | "
                     f"{_f(r['pose_vs_raw'], '{:.2f}')} |")
    per_rep = "; ".join(f"{m} {_mp(r['realtime']['sinks_per_rep_ms'])}" for m, r in speed["models"].items())
    lines += ["", f"Sinks on the frames where a rep was saved (CSV row written, flushed and fsynced), ms "
                  f"(median / p95): {per_rep}."]
    return "\n".join(lines)


def run_analysis_speed(models: list[str], log=print) -> list[dict]:
    """Offline analysis speed: per-frame decode and pose time (in process), and a real
    ``tracker analyze`` run in a subprocess for the real-time multiple and its peak RSS."""
    import subprocess

    import cv2

    from tracker.app.analyze import DEFAULT_MAX_FPS
    from tracker.pose.cache import cached_recording

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
                   "analyze_cpu_s": ru.ru_utime + ru.ru_stime, "cpu_per_wall": (ru.ru_utime + ru.ru_stime) / wall,
                   "analysis_fps": DEFAULT_MAX_FPS, "exit": os.waitstatus_to_exitcode(status)}
            rows.append(row)
            log(f"  {m:5s} {path.name} {size}: decode {row['decode_ms_median']:.1f} ms, pose "
                f"{row['pose_ms_median']:.1f} ms/frame; analyze {wall:.1f} s for {duration:.1f} s = "
                f"{row['realtime_x']:.2f}x real time, CPU {row['analyze_cpu_s']:.1f} s ({row['cpu_per_wall']:.2f} per "
                f"wall s), peak {row['analyze_peak_rss_mb']:.0f} MB")
    return rows


def markdown_analysis_speed(rows: list[dict]) -> str:
    lines = ["| model | clip | size | decode ms/frame | pose ms/frame (median / p95) | `tracker analyze` wall s "
             "| × real time | CPU s | CPU s / wall s | peak RSS MB |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['clip']} | {r['size']} @ {r['fps']:.0f} fps | {r['decode_ms_median']:.1f} | "
                     f"{r['pose_ms_median']:.1f} / {r['pose_ms_p95']:.1f} | {r['analyze_wall_s']:.1f} "
                     f"(clip {r['duration_s']:.1f} s) | {r['realtime_x']:.2f} | {r['analyze_cpu_s']:.1f} | "
                     f"{r['cpu_per_wall']:.2f} | {r['analyze_peak_rss_mb']:.0f} |")
    return "\n".join(lines)
