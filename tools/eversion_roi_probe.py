"""Feasibility probe (issue 13, eversion from the front): can a measurement of the pixels in
a foot box placed by the body landmarks read the eversion angle that the landmarks barely
show? Prints, against the rendered truth (the benchmark's ``paired_angle_metrics``):

- the landmark eversion signal (``foot_sideways``, as counting uses it now);
- the close-up edge-histogram turn (``tracker.closeup.edgetrack.turns``) in the box;
- the box's moved-corner rotation (``tracker.pose.foot_roi``).

Boxes, alignment and rest are the same for both image measures (``foot_roi``). On a clip
whose truth has no eversion it prints how far each signal strays (p95 of |x - median|) and
how much it follows the clip's own movement (r with the dorsiflexion / heel height truth).

    PYTHONPATH=$PWD python tools/eversion_roi_probe.py /work/shared/rendered/seated_eversion_front_casual.mp4 \\
        /work/shared/rendered/seated_dorsi_front_casual.mp4 [--side left] [--roi-shanks 0.75]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

INNER = 0.1  # share of the box at each border the edge method leaves out (alignment, kernels)
OTHER_MOVES = ("dorsiflexion_deg", "heel_height_m")  # truth columns of the other exercises


def timed(f, *args):
    t0 = time.perf_counter()
    out = f(*args)
    return out, 1000.0 * (time.perf_counter() - t0)


def aligned_boxes(video: Path, boxes) -> tuple[list[np.ndarray | None], np.ndarray, float]:
    """(every frame's box aligned to the rest box, None without landmarks: ``foot_roi.aligned_boxes``;
    frame times; ms per frame to crop and align, decoding left out)."""
    import cv2

    from tracker.pose.foot_roi import aligned_boxes as align
    from tracker.sources.capture import open_source

    t_s, decode = [], [0.0]

    def grays(src):
        t0 = time.perf_counter()
        for i, fr in enumerate(src):
            if i >= len(boxes.centre):
                break
            t_s.append(fr.t)
            g = cv2.cvtColor(fr.image, cv2.COLOR_BGR2GRAY)
            decode[0] += time.perf_counter() - t0
            yield g
            t0 = time.perf_counter()

    with open_source(video) as src:
        crops, ms = timed(align, grays(src), boxes)
    return crops, np.asarray(t_s), (ms - 1000.0 * decode[0]) / max(1, len(crops))


def edge_turns(crops: list[np.ndarray | None], t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(turn per frame, changed edge weight; NaN where there is no box): the close-up edge
    method on the boxes, from the rest box (the first, unless the clip starts off rest:
    ``rest_index``)."""
    from tracker.closeup.edges import rest_index
    from tracker.closeup.edgetrack import turns

    have = np.array([c is not None for c in crops])
    boxes = [c for c in crops if c is not None]
    n = boxes[0].shape[0]
    b = int(INNER * n)
    box = (b, b, n - b, n - b)
    ang, w = turns(boxes, box)
    rest = rest_index(ang, t[have])
    ang, w = turns(boxes, box, rest) if rest else (ang, w)
    out_a, out_w = np.full(len(crops), np.nan), np.full(len(crops), np.nan)
    out_a[have], out_w[have] = ang, w
    return out_a, out_w


def metrics(t: np.ndarray, sig: np.ndarray, truth, others: dict) -> str:
    """Against the eversion truth when it moves; else how far the signal strays from its
    median (p95) and how much it follows the clip's other movement (r)."""
    from tracker.bench.accuracy import paired_angle_metrics

    m = paired_angle_metrics(*truth, t, sig) if truth else None
    flat = f"p95|x-med| {np.nanpercentile(np.abs(sig - np.nanmedian(sig)), 95):5.1f}°"
    if m:
        return f"gain {m['gain']:+.2f} rmse {m['rmse_deg']:4.1f}° r {m['r']:+.2f} {flat}"
    out = f"no eversion in the truth: {flat}"
    for col, tr in others.items():
        mo = paired_angle_metrics(*tr, t, sig)
        if mo:
            out += f", r {mo['r']:+.2f} with {col}"
    return out


def probe(video: Path, side: str | None, model: str, roi_shanks: float | None = None) -> dict:
    """Print the three measures on one clip (``roi_shanks``: box side in shank lengths, None:
    ``foot_roi.ROI_SHANKS``) and return them per frame."""
    from tracker.bench.accuracy import read_truth
    from tracker.exercises import get_exercise
    from tracker.pose import foot_roi
    from tracker.pose.cache import cached_recording
    from tracker.pose.landmarks import FOOT_POINTS, LEG
    from tracker.signals.features import leg_features, reference_scale

    base = video.with_suffix("")
    meta_path = Path(f"{base}_meta.json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    side = side or {"L": "left", "R": "right"}.get(meta.get("side"), "left")
    truth = read_truth(Path(f"{base}_gt.csv"), "eversion_deg")
    others = {c: tr for c in OTHER_MOVES if (tr := read_truth(Path(f"{base}_gt.csv"), c)) is not None}
    rec = cached_recording(video, model)
    px = rec.norm[:, :, :2].astype(float) * np.array([rec.width, rec.height])
    ex = get_exercise("eversion")
    lm = ex.direction_by_side[0 if side == "left" else 1] * leg_features(px, rec.visibility, side, ex).signal
    boxes = foot_roi.foot_boxes(px[:, LEG[side]["ankle"]], np.nanmean(px[:, list(FOOT_POINTS[side])], axis=1),
                                float(reference_scale(px, side)[0]), roi_shanks or foot_roi.ROI_SHANKS)
    crops, t, ms_crop = aligned_boxes(video, boxes)
    if all(c is None for c in crops):
        print(f"{video.name}: no frame with the foot's landmarks")
        return {}
    (edge, w), ms_edge = timed(edge_turns, crops, t)
    rest = foot_roi.RestBox(next(c for c in crops if c is not None))
    point, ms_point = timed(lambda: np.array([rest.turn(c).angle_deg if c is not None else np.nan for c in crops]))
    sign = foot_roi.eversion_sign(side)
    edge, point, t = sign * edge, sign * point, rec.t[:len(crops)]
    n = len(crops)
    print(f"{video.name} ({side}, {rec.width}x{rec.height}, {len(rec.t)} frames): box {boxes.side_px:.0f} px -> "
          f"{foot_roi.ROI_PX} px, changed edge weight median {np.nanmedian(w):.0f} max {np.nanmax(w):.0f}; ms/frame: "
          f"crop+align {ms_crop:.1f}, edges {ms_edge / n:.1f}, corners {ms_point / n:.1f}; "
          f"no box {int(np.sum([c is None for c in crops]))}, corner turn NaN {int(np.isnan(point).sum())}")
    print(f"  landmarks foot_sideways   : {metrics(rec.t, lm, truth, others)}")
    print(f"  box edge-histogram turn   : {metrics(t, edge, truth, others)}")
    print(f"  box moved-corner rotation : {metrics(t, point, truth, others)}")
    return {"t": t, "edge": edge, "point": point, "landmarks": lm[:n], "weight": w}


def main(argv=None) -> None:
    from tracker.pose import foot_roi

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("videos", nargs="+", type=Path)
    ap.add_argument("--side", choices=("left", "right"), help="default: the clip's _meta.json, else left")
    ap.add_argument("--model", default="full")
    ap.add_argument("--roi-shanks", type=float, default=foot_roi.ROI_SHANKS, help="box side in shank lengths")
    ap.add_argument("--save", type=Path, help="write the last clip's per-frame signals to this .npz")
    a = ap.parse_args(argv)
    out = {}
    for v in a.videos:
        out = probe(v, a.side, a.model, a.roi_shanks)
    if a.save:
        np.savez(a.save, **out)


if __name__ == "__main__":
    main()
