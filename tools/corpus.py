#!/usr/bin/env python3
"""The generated evaluation corpus (issue 13): plan it, render it, run the pose model on it.

    python tools/corpus.py plan --n 112 --out tests/corpus/manifest.csv       # any python + numpy
    python tools/corpus.py render --jobs 2 --videos /work/corpus_videos       # runs the synth venv
    .venv/bin/python tools/corpus.py pose --videos /work/corpus_videos --out tests/corpus

``plan`` draws one ``tools/render_samples.py`` command per seed; everything about a clip
(exercise or negative, body, outfit, side, camera, tempo, holds, amplitude, reps, fps,
size, start, sway and drift) is a pure function of its seed, so the manifest is the same
on every machine. Seeds are taken in pairs (2k-1, 2k) of one kind; odd seeds are the
"report" split and even seeds the "tune" split, so both splits hold the same number of
clips of every exercise and every negative kind.

``render`` renders the manifest's clips that are missing from the videos folder (niced,
``--jobs`` at once). ``pose`` runs MediaPipe (full model, VIDEO mode, every frame) through
the project's own code on every rendered clip not yet done and writes, per clip, into
``tests/corpus``: ``<name>.npz`` (the landmark recording), ``<name>_meta.json`` (the
renderer's meta plus split, count_as, expect, expected_reps, conditions and the command)
and ``<name>_gt.csv.gz`` (the renderer's per-frame truth, gzipped).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RENDERER = "tools/render_samples.py"
SYNTH_PY = os.environ.get("SYNTH_PYTHON", "/work/synthvenv/bin/python")
DEFAULT_VIDEOS = "/work/corpus_videos"
STREAM = 13  # the issue number: seeds the sampler's generator together with each clip's seed

EXERCISES = ("dorsiflexion", "abduction", "toe_raise", "heel_raise", "eversion")
NEGATIVES = ("still", "knee_swing", "weight_shift", "calf_stretch", "chair_shift", "cross_uncross")
# one cycle of kinds, one seed pair each: every exercise twice, every negative once
CYCLE = ("dorsiflexion", "neg_still", "abduction", "neg_knee_swing", "toe_raise", "neg_weight_shift",
         "heel_raise", "neg_calf_stretch", "eversion", "neg_chair_shift", "dorsiflexion",
         "neg_cross_uncross", "abduction", "toe_raise", "heel_raise", "eversion")
POSTURE = {"dorsiflexion": "crossed", "abduction": "crossed", "toe_raise": "seated",
           "heel_raise": "standing", "eversion": "seated"}
RECOMMENDED = {"dorsiflexion": "side", "abduction": "front", "toe_raise": "side",
               "heel_raise": "side", "eversion": "front"}
BY_POSTURE = {"seated": ["toe_raise", "eversion"], "crossed": ["dorsiflexion", "abduction"],
              "standing": ["heel_raise"]}
AZIMUTH = {"side": (-30.0, 30.0), "oblique": (35.0, 55.0), "front": (65.0, 115.0)}
SIZES = (("480x360", 0.32), ("640x360", 0.22), ("640x480", 0.12), ("360x480", 0.16),
         ("360x640", 0.12), ("960x540", 0.06))
PRESETS = ("man", "woman", "older_man", "older_woman", "slim")
OUTFITS = ("casual", "sport", "home", "dark", "warm")
SKINS = ("255:205:170", "224:172:140", "198:140:105", "160:110:80", "120:80:58", "90:60:45")
MAX_FRAMES = 270  # per clip: the render budget (about 0.3-0.8 s per frame on 2 shared cores)
MANIFEST_COLUMNS = ["name", "seed", "split", "kind", "exercise", "motion", "posture", "count_as", "expect",
                    "expected_reps", "side", "view", "azimuth_deg", "cam_height_arg", "cam_dist_arg", "fill",
                    "fps", "size", "shadows", "reps", "amp", "rep_s", "hold_s", "rest_s", "start_still_s",
                    "sway", "drift", "phenotype", "outfit", "est_frames", "command"]


# ------------------------------------------------------------------------ sampling

LONG_FROM = 97  # seeds from here on: whole sets as a patient does them (see sample_long)


def kind_of(seed: int) -> str:
    if seed >= LONG_FROM:
        return EXERCISES[((seed - LONG_FROM) // 2) % len(EXERCISES)]
    return CYCLE[((seed - 1) // 2) % len(CYCLE)]


def _r(x: float, nd: int = 2) -> float:
    return round(float(x), nd)


def loguniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def sample_body(rng: np.random.Generator) -> tuple[str, str]:
    preset = str(rng.choice(PRESETS))
    gender = rng.uniform(0.0, 0.25) if rng.random() < 0.5 else rng.uniform(0.75, 1.0)
    phen = (f"{preset},gender={gender:.2f},age={rng.uniform(0.68, 1.0):.2f},weight={rng.uniform(0.2, 0.9):.2f},"
            f"height={rng.uniform(0.2, 0.8):.2f},muscle={rng.uniform(0.3, 0.65):.2f}")
    col = lambda: ":".join(str(int(c)) for c in rng.integers(25, 235, 3))
    socks = "none" if rng.random() < 0.3 else col()
    length = str(rng.choice(["shorts", "capri", "long", "long"]))
    outfit = (f"{rng.choice(OUTFITS)},skin={rng.choice(SKINS)},shirt={col()},trousers={col()},"
              f"trouser_length={length},sleeves={rng.choice(['short', 'long'])},socks={socks}")
    return phen, outfit


def sample_camera(rng: np.random.Generator, view: str, portrait: bool) -> dict:
    az = _r(rng.uniform(*AZIMUTH[view]), 1)
    if rng.random() < 0.18 and not portrait:
        # "higher and farther": a phone on a table about 3 m away, looking down
        return dict(azimuth=az, height=_r(rng.uniform(1.2, 1.5)), dist=_r(rng.uniform(2.7, 3.3)), fill=None)
    h = _r(rng.uniform(0.3, 1.1) if rng.random() < 0.8 else rng.uniform(1.1, 1.5))
    return dict(azimuth=az, height=h, dist=None, fill=_r(rng.uniform(0.45, 0.86)))


def sample_common(rng: np.random.Generator) -> dict:
    sizes, w = zip(*SIZES)
    size = str(rng.choice(sizes, p=np.array(w) / sum(w)))
    return dict(
        side=str(rng.choice(["left", "right"])), size=size,
        portrait=int(size.split("x")[1]) > int(size.split("x")[0]),
        shadows=bool(rng.random() < 0.08), sway=_r(rng.uniform(0.3, 1.5)), drift=_r(rng.uniform(0.15, 0.7)),
        jitter=_r(rng.uniform(0.03, 0.12)), noise=_r(rng.uniform(1.0, 3.0), 1), blur=_r(rng.uniform(0.3, 0.9)),
        light=_r(rng.uniform(0.8, 1.15)),
        # a third start already moving or with less than 0.5 s still
        still=_r(rng.uniform(0.0, 0.45)) if rng.random() < 0.33 else _r(rng.uniform(0.5, 1.0)),
        tail=_r(rng.uniform(0.3, 0.5)))


def sample_fps(rng: np.random.Generator) -> float:
    return float(rng.choice([15.0, 30.0, 60.0], p=[0.85, 0.1, 0.05]))


def frame_target(rng: np.random.Generator, fps: float) -> float:
    """Frames a clip may take (the render budget): mostly short clips, a few up to MAX_FRAMES."""
    if fps >= 60:
        return float(rng.uniform(120, 150))
    if fps >= 30:
        return float(rng.uniform(75, 110))
    u = rng.random()
    if u < 0.1:  # a few long clips: many reps or long holds
        return float(rng.uniform(150, 220))
    return float(rng.uniform(80, 130) if u < 0.4 else rng.uniform(50, 80))


def sample_exercise(rng: np.random.Generator, exercise: str, c: dict) -> dict:
    rec = RECOMMENDED[exercise]
    view = rec if rng.random() < 0.75 else "oblique"
    fps = sample_fps(rng)
    reps = 3 + int(13 * rng.random() ** 3)  # 3-15, mostly few
    rep_s = _r(loguniform(rng, 0.8, 6.0))
    hold = 0.0 if rng.random() < 0.45 else _r(loguniform(rng, 0.3, 5.0))
    rest = _r(rng.uniform(0.2, 0.7))
    amp = _r(loguniform(rng, 3.0, 30.0), 1)
    budget = frame_target(rng, fps) / fps
    if fps >= 30:  # 30 and 60 fps only for short clips of quick reps
        if fps >= 60:
            rep_s, hold = _r(min(rep_s, rng.uniform(0.8, 1.1))), 0.0
        rest = min(rest, 0.5)
        c = dict(c, still=min(c["still"], 0.4), tail=min(c["tail"], 0.4))

    def dur(r, h, t):
        return c["still"] + r * (t + h + rest) + c["tail"]

    budget = min(max(budget, dur(3, hold, rep_s)), 1.3 * budget, MAX_FRAMES / fps)  # slow reps: longer
    # many reps come quicker: a new tempo from what fits, then fewer reps, shorter holds, faster reps
    fit = (budget - c["still"] - c["tail"]) / reps - hold - rest
    if rep_s > fit and fit >= 1.0:
        rep_s = _r(loguniform(rng, 0.8, fit))
    while reps > 3 and dur(reps, hold, rep_s) > budget:
        reps -= 1
    while dur(reps, hold, rep_s) > budget and hold > 0.0:
        hold = _r(max(0.0, hold - 0.5)) if hold > 0.5 else 0.0
    while dur(reps, hold, rep_s) > budget and rep_s > 0.8:
        rep_s = _r(max(0.8, rep_s * 0.85))
    return dict(view=view, fps=fps, reps=reps, rep_s=rep_s, hold=hold, rest=rest, amp=amp,
                duration=dur(reps, hold, rep_s), still=c["still"], tail=c["tail"])


def sample_long(rng: np.random.Generator, exercise: str, c: dict) -> dict:
    """A whole set as a patient does it: half slow (6-8 reps of 2.5-5 s), half brisk (6-15 reps
    in what fits), holds in half of them, a still start long enough to be told "keep your foot
    still" (1-3 s), 15 fps, 16-40 s."""
    rec = RECOMMENDED[exercise]
    view = rec if rng.random() < 0.75 else "oblique"
    slow = rng.random() < 0.5
    reps = int(rng.integers(6, 9) if slow else rng.integers(6, 16))
    rep_s = _r(loguniform(rng, 2.5, 5.0) if slow else loguniform(rng, 1.0, 3.0))
    hold = 0.0 if rng.random() < 0.5 else _r(loguniform(rng, 0.5, 4.0))
    rest = _r(rng.uniform(0.3, 1.2))
    amp = _r(loguniform(rng, 4.0, 30.0), 1)
    c = dict(c, still=_r(rng.uniform(1.0, 3.0)), tail=_r(rng.uniform(0.5, 1.0)))
    budget = float(rng.uniform(30.0, 40.0) if slow else rng.uniform(16.0, 30.0))

    def dur(r, h, t):
        return c["still"] + r * (t + h + rest) + c["tail"]

    fit = (budget - c["still"] - c["tail"]) / reps - hold - rest  # the tempo that fits this many reps
    while fit < 1.0 and reps > 6:
        reps -= 1
        fit = (budget - c["still"] - c["tail"]) / reps - hold - rest
    rep_s = _r(min(rep_s, max(1.0, fit)))
    while dur(reps, hold, rep_s) > budget and hold > 0.0:
        hold = _r(max(0.0, hold - 0.5))
    return dict(view=view, fps=15.0, reps=reps, rep_s=rep_s, hold=hold, rest=rest, amp=amp,
                duration=dur(reps, hold, rep_s), still=c["still"], tail=c["tail"])


# motion: (moves lo, hi), move amp range (deg / scale), s per move, hold, rest
NEG_SPEC = {
    "still": ((0, 0), (0.0, 0.0), (2.0, 2.0), (0.0, 0.0), (0.6, 0.6)),
    "knee_swing": ((6, 8), (18.0, 45.0), (0.8, 1.3), (0.0, 0.0), (0.0, 0.0)),
    "weight_shift": ((2, 4), (2.5, 6.0), (1.5, 2.5), (0.3, 1.0), (0.3, 0.6)),
    "calf_stretch": ((3, 5), (8.0, 20.0), (1.4, 2.2), (0.2, 0.8), (0.2, 0.5)),
    "chair_shift": ((2, 3), (0.6, 1.3), (1.2, 2.0), (0.6, 1.5), (0.4, 1.0)),
    "cross_uncross": ((1, 2), (1.0, 1.0), (2.4, 3.2), (1.2, 2.5), (0.8, 1.5)),
}


def sample_negative(rng: np.random.Generator, motion: str, c: dict) -> dict:
    (n_lo, n_hi), amp_r, s_r, h_r, r_r = NEG_SPEC[motion]
    posture = {"still": str(rng.choice(["seated", "crossed", "standing"])),
               "knee_swing": str(rng.choice(["seated", "crossed"])),
               "chair_shift": str(rng.choice(["seated", "crossed"]))}.get(motion)
    posture = posture or {"weight_shift": "standing", "calf_stretch": "standing"}.get(motion, "seated")
    moves = int(rng.integers(n_lo, n_hi + 1))
    amp, move_s = _r(rng.uniform(*amp_r), 1), _r(rng.uniform(*s_r))
    hold, rest = _r(rng.uniform(*h_r)), _r(rng.uniform(*r_r))
    view = str(rng.choice(["side", "oblique", "front"]))
    fps = 15.0 if motion == "still" else float(rng.choice([15.0, 30.0], p=[0.8, 0.2]))
    duration = _r(rng.uniform(15.0, 15.5)) if motion == "still" else None
    budget = min(max(frame_target(rng, fps), 70), 100) / fps

    def dur(m, h):
        return c["still"] + m * (move_s + h + rest) + c["tail"]

    while moves > n_lo and dur(moves, hold) > budget:
        moves -= 1
    while dur(moves, hold) > budget and hold > 0.3:
        hold = _r(hold - 0.3)
    if dur(moves, hold) * fps > 130 and fps > 15:
        fps = 15.0
    est = dur(moves, hold)
    if motion == "cross_uncross":
        count_as = ["dorsiflexion", "abduction", "toe_raise", "eversion"]
    elif motion in ("weight_shift", "calf_stretch"):
        count_as = ["heel_raise"]  # the ankle really moves: not a negative for the other signals
    else:
        count_as = BY_POSTURE[posture]
    return dict(view=view, fps=fps, posture=posture, moves=moves, amp=amp, move_s=move_s, hold=hold, rest=rest,
                duration=duration if duration else est, count_as=count_as, fixed_duration=duration)


def plan_one(seed: int, videos: str = DEFAULT_VIDEOS) -> dict:
    """The manifest row of one seed (a pure function of the seed)."""
    rng = np.random.default_rng([STREAM, seed])
    kind = kind_of(seed)
    c = sample_common(rng)
    phen, outfit = sample_body(rng)
    negative = kind.startswith("neg_")
    motion = kind[4:] if negative else "exercise"
    if negative:
        s = sample_negative(rng, motion, c)
    else:
        s = (sample_long if seed >= LONG_FROM else sample_exercise)(rng, kind, c)
    cam = sample_camera(rng, s["view"], c["portrait"])
    name = f"c{seed:03d}_{kind}"
    argv = [RENDERER]
    if negative:
        argv += ["--motion", motion, "--posture", s["posture"], "--moves", str(s["moves"]),
                 "--move-amp", f"{s['amp']:g}", "--move-s", f"{s['move_s']:g}",
                 "--move-hold-s", f"{s['hold']:g}", "--move-rest-s", f"{s['rest']:g}"]
        if s["fixed_duration"]:
            argv += ["--duration", f"{s['fixed_duration']:g}"]
    else:
        argv += ["--exercise", kind, "--reps", str(s["reps"]), "--amp", f"{s['amp']:g}",
                 "--rep-s", f"{s['rep_s']:g}", "--hold-s", f"{s['hold']:g}", "--rest-s", f"{s['rest']:g}"]
    argv += ["--side", c["side"], "--view", s["view"], "--cam-azimuth", f"{cam['azimuth']:g}",
             "--cam-height", f"{cam['height']:g}"]
    argv += ["--cam-dist", f"{cam['dist']:g}"] if cam["dist"] else ["--fill", f"{cam['fill']:g}"]
    c = dict(c, still=s.get("still", c["still"]), tail=s.get("tail", c["tail"]))
    argv += ["--fps", f"{s['fps']:g}", "--size", c["size"], "--still-s", f"{c['still']:g}",
             "--tail-s", f"{c['tail']:g}", "--jitter", f"{c['jitter']:g}", "--sway", f"{c['sway']:g}",
             "--drift", f"{c['drift']:g}", "--noise", f"{c['noise']:g}", "--blur", f"{c['blur']:g}",
             "--light", f"{c['light']:g}", "--phenotype", phen, "--outfit", outfit, "--seed", str(seed)]
    if not c["shadows"]:
        argv.append("--no-shadows")
    argv += ["--name", name, "--out", videos]
    return {
        "name": name, "seed": seed, "split": "report" if seed % 2 else "tune", "kind": kind,
        "exercise": "" if negative else kind, "motion": motion,
        "posture": s["posture"] if negative else POSTURE[kind],
        "count_as": ";".join(s["count_as"] if negative else [kind]),
        "expect": "none" if negative else "count", "expected_reps": 0 if negative else s["reps"],
        "side": c["side"], "view": s["view"], "azimuth_deg": cam["azimuth"], "cam_height_arg": cam["height"],
        "cam_dist_arg": cam["dist"] or "", "fill": cam["fill"] or "", "fps": s["fps"], "size": c["size"],
        "shadows": int(c["shadows"]), "reps": 0 if negative else s["reps"],
        "amp": s["amp"] if not negative else (s["amp"] if motion != "still" else 0.0),
        "rep_s": s["move_s"] if negative else s["rep_s"], "hold_s": s["hold"], "rest_s": s["rest"],
        "start_still_s": c["still"], "sway": c["sway"], "drift": c["drift"], "phenotype": phen, "outfit": outfit,
        "est_frames": int(round(s["duration"] * s["fps"])), "command": "python " + shlex.join(argv),
    }


def cmd_plan(a: argparse.Namespace) -> int:
    rows = [plan_one(seed, a.videos) for seed in range(1, a.n + 1)]
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    frames = sum(r["est_frames"] for r in rows)
    kinds = {}
    for r in rows:
        kinds.setdefault(r["kind"], [0, 0])[r["split"] == "report"] += 1
    print(f"{len(rows)} clips, about {frames} frames -> {out}")
    for k, (tune, report) in sorted(kinds.items()):
        print(f"  {k:22s} tune {tune:2d}  report {report:2d}")
    return 0


def read_manifest(path: str | os.PathLike) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------------- render

def render_argv(row: dict, videos: str) -> list[str]:
    argv = shlex.split(row["command"])[1:]  # drop "python"
    argv[argv.index("--out") + 1] = videos
    return ["nice", "-n", "10", SYNTH_PY, *argv]


def rendered(row: dict, videos: Path) -> bool:
    """The clip exists and was made by the manifest's current command (``<name>.cmd``)."""
    cmd = videos / f"{row['name']}.cmd"
    return (videos / f"{row['name']}_meta.json").exists() and cmd.exists() and cmd.read_text() == row["command"]


def render_one(row: dict, videos: str, log: Path) -> tuple[str, float, str]:
    t0 = time.time()
    with (log / f"{row['name']}.log").open("w") as f:
        rc = subprocess.run(render_argv(row, videos), cwd=ROOT, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc == 0:
        (Path(videos) / f"{row['name']}.cmd").write_text(row["command"])
    return row["name"], time.time() - t0, "ok" if rc == 0 else f"failed ({rc})"


def cmd_render(a: argparse.Namespace) -> int:
    rows = read_manifest(a.manifest)
    if a.only:
        rows = [r for r in rows if r["name"] in set(a.only.split(","))]
    videos = Path(a.videos)
    videos.mkdir(parents=True, exist_ok=True)
    log = videos / "logs"
    log.mkdir(exist_ok=True)
    todo = [r for r in rows if not rendered(r, videos)]
    print(f"{len(rows) - len(todo)} rendered, {len(todo)} to render with {a.jobs} jobs", flush=True)
    failed = 0
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for name, dt, status in pool.map(lambda r: render_one(r, str(videos), log), todo):
            failed += status != "ok"
            print(f"{name:28s} {dt:6.0f} s  {status}", flush=True)
    return 1 if failed else 0


# --------------------------------------------------------------------------- pose

def conditions(row: dict, meta: dict) -> dict:
    neg = meta.get("negative") or {}
    moves = not neg or neg["moves"] > 0  # "still" has no moves: no tempo, hold or amplitude
    return {
        "hold_s": (meta["hold_s"] if not neg else neg["move_hold_s"]) if moves else None,
        "rep_s": (meta["rep_s"] if not neg else neg["move_s"]) if moves else None,
        "amp": (meta["amp"] if not neg else neg["move_amp"]) if moves else None,
        "cam_height_m": meta["cam_height_m"], "cam_dist_m": meta["cam_dist_m"],
        "azimuth_deg": meta["azimuth_deg"], "view": meta["view"], "fps": meta["fps"], "size": meta["size"],
        "phenotype": meta["phenotype"], "outfit": meta["outfit"], "start_still_s": meta["still_s"],
        "sway_deg": meta["sway_deg"], "drift_deg": meta["drift_deg"], "shadows": meta["shadows"],
        "posture": row["posture"], "side": meta["side"], "fill": meta["fill"],
    }


def write_meta(row: dict, videos: Path, out: Path, pose: dict) -> None:
    """``<name>_meta.json`` (the renderer's meta + the corpus fields) and ``<name>_gt.csv.gz``."""
    name = row["name"]
    meta = json.loads((videos / f"{name}_meta.json").read_text())
    with gzip.GzipFile(out / f"{name}_gt.csv.gz", "wb", mtime=0) as gz:
        gz.write((videos / f"{name}_gt.csv").read_bytes())
    meta.update(
        name=name, kind=row["kind"], split=row["split"], count_as=row["count_as"].split(";"), expect=row["expect"],
        expected_reps=int(row["expected_reps"]), conditions=conditions(row, meta), manifest_command=row["command"],
        pose=pose,
    )
    (out / f"{name}_meta.json").write_text(json.dumps(meta, indent=1) + "\n")


def pose_one(row: dict, videos: Path, out: Path) -> float:
    from tracker.pose.estimator import PoseEstimator
    from tracker.pose.recording import record_video
    from tracker.sources.capture import open_source

    name = row["name"]
    t0 = time.time()
    with open_source(videos / f"{name}.mp4", max_fps=None) as src, \
            PoseEstimator("full", mode="video", foot_turn=True) as est:
        rec = record_video(src, est)
    dt = time.time() - t0
    rec.save(out / f"{name}.npz")
    write_meta(row, videos, out, {"model": "full", "mode": "video", "every_frame": True, "frames": len(rec),
                                  "pipeline": rec.meta["pipeline"],
                                  "detected": float(np.mean(rec.people > 0)) if len(rec) else 0.0,
                                  "s_per_frame": round(dt / max(len(rec), 1), 4)})
    return dt


def report_older(older: dict[str, int], flag: str) -> None:
    """One line on the clips an older pose pipeline made (kept: they count, without what it lacked)."""
    from tracker.pose.estimator import PIPELINE_VERSION

    if older:
        names = ", ".join(sorted(older)[:3]) + (", ..." if len(older) > 3 else "")
        print(f"{len(older)} clips were posed by an older pose pipeline ({min(older.values())}-{max(older.values())} "
              f"< {PIPELINE_VERSION}; no foot turn before 3: {names}); re-pose them with {flag}")


def cmd_pose(a: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from tracker.pose.recording import older_pipeline

    rows = read_manifest(a.manifest)
    videos, out = Path(a.videos), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    done, older = 0, {}
    for row in rows:
        name = row["name"]
        if not rendered(row, videos):
            continue
        old = out / f"{name}_meta.json"
        if old.exists() and json.loads(old.read_text()).get("manifest_command") == row["command"]:
            v = older_pipeline(out / f"{name}.npz")
            if v is None or not a.repose_older:
                if v is not None:
                    older[name] = v
                if a.meta_only:  # rewrite the meta and truth files, keep the landmarks
                    write_meta(row, videos, out, json.loads(old.read_text())["pose"])
                continue
        dt = pose_one(row, videos, out)
        done += 1
        print(f"{name:28s} pose {dt:6.1f} s", flush=True)
    print(f"{done} clips posed")
    report_older(older, "--repose-older")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan", help="write the manifest (one render command per seed)")
    p.add_argument("--n", type=int, default=112)
    p.add_argument("--out", default="tests/corpus/manifest.csv")
    p.add_argument("--videos", default=DEFAULT_VIDEOS, help="the --out written into each command")
    p = sub.add_parser("render", help="render the missing clips with the synth venv")
    p.add_argument("--manifest", default="tests/corpus/manifest.csv")
    p.add_argument("--videos", default=DEFAULT_VIDEOS)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--only", default="", help="comma-separated clip names")
    p = sub.add_parser("pose", help="landmarks + meta + truth of the rendered clips into --out")
    p.add_argument("--manifest", default="tests/corpus/manifest.csv")
    p.add_argument("--videos", default=DEFAULT_VIDEOS)
    p.add_argument("--out", default="tests/corpus")
    p.add_argument("--meta-only", action="store_true", help="also rewrite the meta/truth files of clips done")
    p.add_argument("--repose-older", action="store_true",
                   help="re-pose clips an older pose pipeline made (else they are only listed)")
    a = ap.parse_args(argv)
    return {"plan": cmd_plan, "render": cmd_render, "pose": cmd_pose}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
