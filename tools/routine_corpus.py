#!/usr/bin/env python3
"""The routine corpus (issue 16): rendered routine clips -> landmark recordings + truth.

    .venv/bin/python tools/routine_corpus.py pose --videos /work/render/routine/videos \
        --out tests/routine_corpus

For every ``<name>.mp4`` whose renderer meta (``<name>_meta.json``, kind ``routine``) is
there and that is not yet posed with the same command, it runs MediaPipe (full model, VIDEO
mode, every frame) through the project's own code, as tools/corpus.py does, and writes
``<name>.npz``, ``<name>_gt.csv.gz`` and ``<name>_meta.json`` (the renderer's meta plus
``name``, ``split`` (odd seeds ``report``, even ``tune``) and ``pose``). A clip an older pose
pipeline made is listed, and re-posed with ``--repose-older``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def pose_one(video: Path, out: Path) -> float:
    from tracker.pose.estimator import PoseEstimator
    from tracker.pose.recording import record_video
    from tracker.sources.capture import open_source

    name = video.stem
    meta = json.loads(video.with_name(f"{name}_meta.json").read_text())
    t0 = time.time()
    with open_source(video, max_fps=None) as src, PoseEstimator("full", mode="video", foot_turn=True) as est:
        rec = record_video(src, est)
    dt = time.time() - t0
    rec.save(out / f"{name}.npz")
    with gzip.GzipFile(out / f"{name}_gt.csv.gz", "wb", mtime=0) as gz:
        gz.write(video.with_name(f"{name}_gt.csv").read_bytes())
    meta.update(name=name, split="report" if meta["seed"] % 2 else "tune",
                pose={"model": "full", "mode": "video", "every_frame": True, "frames": len(rec),
                      "pipeline": rec.meta["pipeline"],
                      "detected": float(np.mean(rec.people > 0)) if len(rec) else 0.0,
                      "s_per_frame": round(dt / max(len(rec), 1), 4)})
    (out / f"{name}_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return dt


def cmd_pose(a: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from tracker.pose.estimator import PIPELINE_VERSION
    from tracker.pose.recording import older_pipeline
    videos, out = Path(a.videos), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    done, older = 0, {}
    for video in sorted(videos.glob("*.mp4")):
        meta_path = video.with_name(f"{video.stem}_meta.json")
        if not meta_path.exists() or json.loads(meta_path.read_text()).get("kind") != "routine":
            continue  # still rendering, or not a routine clip
        old = out / meta_path.name
        if old.exists() and json.loads(old.read_text()).get("command") == json.loads(meta_path.read_text())["command"]:
            v = older_pipeline(out / f"{video.stem}.npz")
            if v is None or not a.repose_older:
                if v is not None:
                    older[video.stem] = v
                continue
        mark = out / f"{video.stem}.posing"  # another pose run has it (two can share the clips)
        try:
            mark.touch(exist_ok=False)
        except FileExistsError:
            continue
        try:
            print(f"{video.stem:8s} pose {pose_one(video, out):6.1f} s", flush=True)
        finally:
            mark.unlink()
        done += 1
    print(f"{done} clips posed")
    if older:  # kept: they count, without what their pipeline lacked (the foot turn before 3)
        print(f"{len(older)} clips were posed by an older pose pipeline (< {PIPELINE_VERSION}: "
              f"{', '.join(sorted(older)[:3])}); re-pose them with --repose-older")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pose", help="landmarks + meta + truth of the rendered routine clips into --out")
    p.add_argument("--videos", default="/work/render/routine/videos")
    p.add_argument("--out", default="tests/routine_corpus")
    p.add_argument("--repose-older", action="store_true",
                   help="re-pose clips an older pose pipeline made (else they are only listed)")
    a = ap.parse_args(argv)
    return {"pose": cmd_pose}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
