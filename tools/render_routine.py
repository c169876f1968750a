"""Routine clips for tools/render_samples.py ``--routine``: one body, several sets (issue 16).

Why a clip of its own kind: a patient films the whole session in one go, so a recording holds
several exercises in turn, with pauses and the moves between their positions (crossing and
uncrossing the leg, standing up from the chair and sitting back down). This renders such a
recording with one camera and one body, and writes, beside the per-frame truth of
render_samples (plus ``set``, ``exercise`` and ``segment`` columns), per-set truth in the
meta file: each set's exercise, start and end (first rep's start, last rep's end) and reps.

``--routine dorsiflexion:4,toe_raise:5,heel_raise:4`` (``exercise:reps[:amp]``); the item
``knee_swing:N`` is a stretch that is no exercise (the lower leg swings from the knee, the
ankle still; true count 0). Sets in the same position are separated by a 4-5 s pause;
crossed <-> standing goes through seated. Run it through render_samples.py (it is imported
from there and uses its body, posing, scene and writer).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from render_samples import (
    EXERCISE_SPEC,
    GT_COLUMNS,
    Body,
    Poser,
    Posture,
    Renderer,
    VideoWriter,
    _azimuth,
    angle_deg,
    box,
    degrade,
    ease,
    fmt,
    landmark_vertices,
    make_camera,
    make_schedule,
    paint,
    parse_outfit,
    parse_phenotype,
    rot,
    unit,
    write_truth,
)

X = np.array([1.0, 0.0, 0.0])
NOT_EXERCISES = {"knee_swing": 32.0}  # an item that is no exercise, and its swing (deg)
MOVE_S = {frozenset(("seated", "crossed")): (2.2, 3.2), frozenset(("seated", "standing")): (2.8, 3.8)}
ROUTINE_COLUMNS = GT_COLUMNS + ["set", "exercise", "segment"]


@dataclass
class Piece:
    """A stretch of the timeline: a set, a still pause or a move between positions."""

    kind: str  # "set" / "still" / "move"
    start: int  # first frame
    n: int  # frames
    posture: str  # the position (a move: where it goes)
    frm: str = ""  # a move: where it comes from
    item: str = ""  # a set: the exercise or the non-exercise
    sched: object = None  # a set: make_schedule's timeline (frames from the piece's start)
    amp: float = 0.0
    rep_s: float = 0.0
    rest: tuple = (0.0, 0.0, 0.0)  # a set: its foot angles at rest (dorsi, ever, abd)
    extra: dict = field(default_factory=dict)


def parse_routine(spec: str) -> list[tuple[str, int, float | None]]:
    """'dorsiflexion:4,toe_raise:5:12' -> [(item, reps, amp or None)]."""
    out = []
    for tok in (t.strip() for t in spec.split(",") if t.strip()):
        parts = tok.split(":")
        if parts[0] not in EXERCISE_SPEC and parts[0] not in NOT_EXERCISES:
            raise SystemExit(f"unknown routine item {parts[0]!r}")
        reps = int(parts[1]) if len(parts) > 1 else 4
        out.append((parts[0], reps, float(parts[2]) if len(parts) > 2 else None))
    if not out:
        raise SystemExit("--routine names no set")
    return out


def _posture_of(item: str, now: str) -> str:
    if item in NOT_EXERCISES:
        return now if now in ("seated", "crossed") else "seated"
    return EXERCISE_SPEC[item]["posture"]


def _hops(frm: str, to: str) -> list[str]:
    if frm == to:
        return []
    if "seated" in (frm, to):
        return [to]
    return ["seated", to]


def plan_routine(items, a, rng: np.random.Generator) -> list[Piece]:
    """The timeline: still start, then per item its moves (still, move, still) or a pause,
    then the set; a still end. Durations and each set's tempo and amplitude from ``rng``."""
    fps = a.fps
    frames = lambda s: max(1, int(round(s * fps)))  # noqa: E731
    pieces: list[Piece] = []
    now = _posture_of(items[0][0], "seated")
    t = 0

    def add(kind, n, posture, **kw):
        nonlocal t
        pieces.append(Piece(kind, t, n, posture, **kw))
        t += n

    add("still", frames(rng.uniform(1.2, 2.0)), now)
    for k, (item, reps, amp) in enumerate(items):
        target = _posture_of(item, now)
        hops = _hops(now, target)
        if not hops and k > 0:
            add("still", frames(rng.uniform(4.0, 5.0)), now)
        for hop in hops:
            add("still", frames(rng.uniform(0.8, 1.4)), now)
            lo, hi = MOVE_S[frozenset((now, hop))]
            add("move", frames(rng.uniform(lo, hi)), hop, frm=now)
            now = hop
            add("still", frames(rng.uniform(0.8, 1.4)), now)
        if item in NOT_EXERCISES:
            amp_k, rep_s, hold, rest = NOT_EXERCISES[item], rng.uniform(1.1, 1.5), 0.0, 0.1
            rest_angles = (0.0, 0.0, 0.0)
        else:
            spec = EXERCISE_SPEC[item]
            amp_k = amp if amp is not None else float(a.amp * rng.uniform(0.7, 1.15))
            rep_s = float(a.rep_s * rng.uniform(0.8, 1.25))
            hold = float(a.hold_s * rng.uniform(0.6, 1.4))
            rest = float(max(0.3, a.rest_s * rng.uniform(0.7, 1.3)))
            base = spec["base"] * amp_k
            rest_angles = tuple(base if spec["joint"] == j else 0.0 for j in ("dorsiflexion", "eversion", "abduction"))
        sched = make_schedule(reps, amp_k, rep_s, hold, rest, 0.0, 0.0, fps, a.jitter, rng)
        add("set", len(sched.t), now, item=item, sched=sched, amp=amp_k, rep_s=rep_s, rest=rest_angles,
            extra={"hold_s": round(hold, 3), "rest_s": round(rest, 3)})
    add("still", frames(rng.uniform(1.0, 1.5)), now)
    return pieces


def slerp(A: np.ndarray, B: np.ndarray, u: float) -> np.ndarray:
    """The rotation a share ``u`` of the way from A to B (about their relative axis)."""
    R = A.T @ B
    ang = math.acos(max(-1.0, min(1.0, (np.trace(R) - 1) / 2)))
    if ang < 1e-7:
        return A
    axis = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    return A @ rot(axis, math.degrees(ang * u))


class RoutinePoser:
    """Poses the body for any frame of the timeline: in a set as render_samples does for that
    exercise, in a move by blending the two positions' bone rotations with the feet planted."""

    def __init__(self, body: Body, side: str, pieces: list[Piece], fps: float):
        self.b, self.side, self.pieces, self.fps = body, side, pieces, fps
        self.other = "R" if side == "L" else "L"
        self.posers = {k: Poser(body, Posture(kind=k, side=side)) for k in ("seated", "crossed", "standing")}
        self.lm = landmark_vertices(body, side)
        self.sole_ids = self._sole(side)
        V, _ = body.pose(self.locals("seated", (0.0, 0.0, 0.0), {}), np.zeros(3))
        self.root_seat = np.array([0.0, 0.0, -V[self._sole(self.other), 2].min()])
        self.ref_sole = V[self.sole_ids, 2].min() + self.root_seat[2]
        self.ref_heel = V[self.lm["heel"], 2] + self.root_seat[2]
        self.anchor = self.root_seat + self._ankles(self.locals("seated", (0.0, 0.0, 0.0), {}))
        Ls = self.locals("standing", (0.0, 0.0, 0.0), {})
        root = self.anchor - self._ankles(Ls)
        Vs, _ = body.pose(Ls, root)
        self.stand_dz = -float(Vs[:, 2].min())
        self.root_stand = root + np.array([0.0, 0.0, self.stand_dz])
        self.ball = {sd: np.mean([body.head(f"toe{t}-1.{sd}") for t in range(1, 6)], axis=0) for sd in ("L", "R")}
        self.frame_piece = np.concatenate([np.full(p.n, k) for k, p in enumerate(pieces)])
        self._angles = self._foot_angles()

    def _sole(self, sd: str) -> np.ndarray:
        b = self.b
        ids = [b.idx[x] for x in b.labels if x.endswith("." + sd) and x.startswith(("foot", "toe"))]
        return np.nonzero(np.isin(b.dom, ids))[0]

    def _ankles(self, L: dict) -> np.ndarray:
        _, heads = self.b.pose(L, np.zeros(3))
        return 0.5 * (heads[self.b.idx["foot.L"]] + heads[self.b.idx["foot.R"]])

    def locals(self, posture: str, ang, idle: dict, lift: float = 0.0) -> dict:
        return self.posers[posture].locals(*ang, lift, idle, both_feet=posture == "standing")

    def _foot_angles(self) -> np.ndarray:
        """Per frame (dorsi, ever, abd): the set's own in a set; between sets the previous
        set's rest angles turn into the next one's during the first move (or mid-pause)."""
        n = sum(p.n for p in self.pieces)
        out = np.zeros((n, 3))
        sets = [k for k, p in enumerate(self.pieces) if p.kind == "set"]
        for k in sets:
            p = self.pieces[k]
            out[p.start:p.start + p.n] = [self._set_angles(p, j) for j in range(p.n)]
        bounds = [-1] + sets + [len(self.pieces)]
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            prev = np.array(self.pieces[lo].rest if lo >= 0 else self.pieces[sets[0]].rest)
            nxt = np.array(self.pieces[hi].rest if hi < len(self.pieces) else prev)
            gap = self.pieces[lo + 1:hi]
            if not gap:
                continue
            moves = [p for p in gap if p.kind == "move"]
            if moves:
                w0, w1 = moves[0].start, moves[0].start + moves[0].n
            else:
                mid = (gap[0].start + gap[-1].start + gap[-1].n) // 2
                w0, w1 = mid - int(0.6 * self.fps), mid + int(0.6 * self.fps)
            for i in range(gap[0].start, gap[-1].start + gap[-1].n):
                u = ease((i - w0) / max(1, w1 - w0))
                out[i] = prev + (nxt - prev) * u
        return out

    @staticmethod
    def _set_angles(p: Piece, j: int) -> tuple:
        if p.item in NOT_EXERCISES:
            return (0.0, 0.0, 0.0)
        spec = EXERCISE_SPEC[p.item]
        k = p.sched.rep[j]
        a_k = p.sched.rep_amp[k - 1] if k > 0 else p.amp
        val = spec["sign"] * a_k * p.sched.progress[j]
        return tuple(r + (val if spec["joint"] == jn else 0.0)
                     for r, jn in zip(p.rest, ("dorsiflexion", "eversion", "abduction")))

    def frame(self, i: int, idle: dict):
        """Vertices, bone heads and the foot angles of frame ``i``."""
        p = self.pieces[self.frame_piece[i]]
        ang = tuple(float(x) for x in self._angles[i])
        if p.kind == "move":
            return (*self._move(p, (i - p.start) / max(1, p.n - 1), ang, idle), ang)
        if p.posture == "standing":
            return (*self._standing(ang, idle), ang)
        if p.kind == "set" and p.item in NOT_EXERCISES:
            L = self.locals(p.posture, ang, idle)
            knee0 = self.posers["crossed"].p.cross_knee if p.posture == "crossed" else 90.0
            j = i - p.start
            k = p.sched.rep[j]
            val = p.sched.rep_amp[k - 1] * p.sched.progress[j] if k > 0 else 0.0
            L[f"lowerleg01.{self.side}"] = rot(X, knee0 - val)
            return (*self.b.pose(L, self.root_seat), ang)
        if p.posture == "seated" and abs(ang[0]) + abs(ang[1]) > 1e-6:
            return (*self._seated_contact(p, ang, idle), ang)
        return (*self.b.pose(self.locals(p.posture, ang, idle), self.root_seat), ang)

    def _standing(self, ang, idle):
        L = self.locals("standing", ang, idle)
        G = self.b.world_rotations(L)
        shift = np.zeros(3)
        for sd in ("L", "R"):
            ank = self.b.head(f"foot.{sd}")
            moved = ank + G[self.b.idx[f"foot.{sd}"]] @ (self.ball[sd] - ank)
            shift += (self.ball[sd] - moved) / 2
        return self.b.pose(L, self.root_stand + shift)

    def _seated_contact(self, p: Piece, ang, idle):
        """Lift the moving leg until its contact point (the heel in a toe raise, else the
        lowest point of the sole) is back on the floor (secant steps, as render_samples)."""
        heel = p.item == "toe_raise"

        def err(x):
            V, h = self.b.pose(self.locals("seated", ang, idle, x), self.root_seat)
            c = V[self.lm["heel"], 2] if heel else V[self.sole_ids, 2].min()
            return c - (self.ref_heel if heel else self.ref_sole), V, h

        x0, (f0, V, h) = 0.0, err(0.0)
        if abs(f0) <= 2e-4:
            return V, h
        x1 = -f0 / 0.0075
        f1, V, h = err(x1)
        for _ in range(8):
            if abs(f1) < 5e-5 or f1 == f0:
                break
            x2 = min(12.0, max(-3.0, x1 - f1 * (x1 - x0) / (f1 - f0)))
            x0, f0, x1 = x1, f1, x2
            f1, V, h = err(x1)
        return V, h

    def _move(self, p: Piece, u: float, ang, idle):
        """Blend the two positions; a leg crossing lifts the foot over the other knee, standing
        up leans the trunk forward; the feet stay where they are (the root follows them)."""
        e = ease(u)
        LA, LB = self.locals(p.frm, ang, idle), self.locals(p.posture, ang, idle)
        L = {b: slerp(LA.get(b, np.eye(3)), LB.get(b, np.eye(3)), e) for b in set(LA) | set(LB)}
        bump = math.sin(math.pi * e)
        if "standing" not in (p.frm, p.posture):
            key = f"upperleg01.{self.side}"
            L[key] = rot(-X, 25.0 * bump) @ L[key]
            return self.b.pose(L, self.root_seat)
        L["spine01"] = rot(X, 22.0 * bump) @ L["spine01"]
        L["spine03"] = rot(X, 12.0 * bump) @ L["spine03"]
        stood = e if p.posture == "standing" else 1.0 - e
        root = self.anchor - self._ankles(L) + np.array([0.0, 0.0, self.stand_dz * stood])
        return self.b.pose(L, root)


def _props(body: Body, V0: np.ndarray, heads0: np.ndarray, cam, rng_scene) -> list:
    """A stool under the seated body and a wall behind, as render_samples' scene."""
    import trimesh

    props = []
    hip = 0.5 * (heads0[body.idx["upperleg01.L"]] + heads0[body.idx["upperleg01.R"]])
    near = (np.abs(V0[:, 0] - hip[0]) < 0.2) & (V0[:, 1] > hip[1] - 0.12) & (V0[:, 1] < hip[1] + 0.15)
    near &= V0[:, 2] < hip[2]
    seat_top = float(V0[near, 2].min()) + 0.012
    sw, sd_, th = 0.44, 0.40, 0.045
    cy = hip[1] + 0.04
    wood, dark = (0.36, 0.24, 0.15), (0.30, 0.20, 0.12)
    props.append((box((sw, sd_, th), (hip[0], cy, seat_top - th / 2)), wood))
    leg_h = seat_top - th
    for sx in (-1, 1):
        for sy in (-1, 1):
            c = (hip[0] + sx * (sw / 2 - 0.03), cy + sy * (sd_ / 2 - 0.03), leg_h / 2)
            props.append((box((0.035, 0.035, leg_h), c), dark))
    props.append((box((sw - 0.06, 0.02, 0.03), (hip[0], cy - sd_ / 2 + 0.03, leg_h * 0.35)), dark))
    cam_xy = cam.pose[:3, 3].copy()
    cam_xy[2] = 0
    back = -unit(cam_xy)
    wc, wt = back * 1.6, np.cross(-back, (0, 0, 1))
    wv = np.array([wc - wt * 6, wc + wt * 6, wc + wt * 6 + [0, 0, 3.0], wc - wt * 6 + [0, 0, 3.0]])
    wall = trimesh.Trimesh(vertices=wv, faces=[[0, 1, 2], [0, 2, 3], [0, 2, 1], [0, 3, 2]], process=False)
    walls = [(0.86, 0.84, 0.78), (0.78, 0.82, 0.84), (0.88, 0.86, 0.82)]
    props.append((wall, tuple(float(c) for c in walls[int(rng_scene.integers(len(walls)))])))
    return props


def _idle(seed: int):
    rng = np.random.default_rng([seed, 2])
    ph, fr, amp = rng.uniform(0, 2 * np.pi, 3), rng.uniform(0.18, 0.3, 3), (0.6, 0.5, 0.8)
    return lambda t: {k: amp[j] * math.sin(2 * math.pi * fr[j] * t + ph[j])
                      for j, k in enumerate(("lean", "twist", "nod"))}


def _set_truth(pieces: list[Piece], fps: float) -> list[dict]:
    out = []
    for p in (q for q in pieces if q.kind == "set"):
        bounds = [(round(p.start / fps + a, 3), round(p.start / fps + b, 3)) for a, b in p.sched.rep_bounds]
        exercise = p.item if p.item in EXERCISE_SPEC else None
        out.append({"index": len(out) + 1, "exercise": exercise, "motion": p.item, "posture": p.posture,
                    "start_s": bounds[0][0], "end_s": bounds[-1][1], "reps": len(bounds) if exercise else 0,
                    "moves": len(bounds), "rep_bounds_s": bounds, "amp": round(p.amp, 3),
                    "rep_amps": p.sched.rep_amp, "rep_s": round(p.rep_s, 3), **p.extra})
    return out


def _truth_row(i, t, p: Piece, set_no: int, ang, V, heads, rp: RoutinePoser, cam, heel_rest) -> list:
    b, side, lm = rp.b, rp.side, rp.lm
    knee, ank = heads[b.idx[f"lowerleg01.{side}"]], heads[b.idx[f"foot.{side}"]]
    heel, toe, mall = V[lm["heel"]], V[lm["toe"]], V[lm["malleolus"]]
    px = cam.project(np.stack([knee, ank, heel, toe, mall]))
    j = i - p.start
    in_set = p.kind == "set" and p.item in EXERCISE_SPEC
    rep = int(p.sched.rep[j]) if in_set else 0
    phase = p.sched.phase[j] if in_set else "rest"
    prog = float(p.sched.progress[j]) if in_set else 0.0
    d, e, ab = ang
    return [i, fmt(t, 4), rep, phase, fmt(prog, 4), fmt(d, 4), fmt(e, 4),
            fmt(angle_deg(knee - ank, toe - ank), 4), fmt(angle_deg(px[0] - px[1], px[3] - px[1]), 4),
            fmt(heel[2] - heel_rest, 4), *(fmt(c, 2) for c in px.reshape(-1)), fmt(ab, 4),
            set_no if p.kind == "set" else 0, p.item if p.kind == "set" else "", p.kind]


def render_routine(a) -> dict:
    """Render ``a.routine`` (render_samples' arguments) into ``a.out``; returns the meta."""
    t_start = time.time()
    items = parse_routine(a.routine)
    side = "L" if a.side == "left" else "R"
    width, height = (int(x) for x in a.size.lower().split("x"))
    view = a.view or "side"
    name = a.name or f"routine_{view}_{a.side}_{a.seed}"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ph_preset, phen = parse_phenotype(a.phenotype)
    of_preset, outfit = parse_outfit(a.outfit)
    pieces = plan_routine(items, a, np.random.default_rng([a.seed, 1]))
    n = sum(p.n for p in pieces)
    body = Body(phen)
    rp = RoutinePoser(body, side, pieces, a.fps)
    idle = _idle(a.seed)
    zero = (0.0, 0.0, 0.0)
    V_seat, h_seat = body.pose(rp.locals("seated", zero, {}), rp.root_seat)
    V_stand, _ = rp._standing(zero, {})
    V_cross, _ = body.pose(rp.locals("crossed", zero, {}), rp.root_seat)
    cam = make_camera(view, side, np.vstack([V_seat, V_stand, V_cross]), width, height,
                      np.random.default_rng([a.seed, 3]), fill=a.fill, cam_height=a.cam_height,
                      azimuth=a.cam_azimuth, distance=a.cam_dist)
    rng_scene = np.random.default_rng([a.seed, 4])
    renderer = Renderer(width, height, paint(body, outfit), body.faces, cam,
                        _props(body, V_seat, h_seat, cam, rng_scene), rng_scene,
                        shadows=not a.no_shadows, light=a.light)
    import cv2

    if a.preview:
        _preview(a.preview, pieces, rp, renderer, idle, a.fps)
        return {}
    rng_noise = np.random.default_rng([a.seed, 5])
    writer = VideoWriter(out / f"{name}.mp4", a.fps, width, height, a.crf)
    set_no = {k: j + 1 for j, k in enumerate(k for k, p in enumerate(pieces) if p.kind == "set")}
    rows, heel_rest = [], None
    n_out = min(n, a.max_frames) if a.max_frames else n
    for i in range(n_out):
        t = i / a.fps
        V, heads, ang = rp.frame(i, idle(t))
        heel_rest = V[rp.lm["heel"], 2] if heel_rest is None else heel_rest
        k = int(rp.frame_piece[i])
        rows.append(_truth_row(i, t, pieces[k], set_no.get(k, 0), ang, V, heads, rp, cam, heel_rest))
        img = degrade(renderer.render(V), a.blur, a.noise, rng_noise)
        writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    writer.close()
    renderer.close()
    write_truth(out / f"{name}_gt.csv", ROUTINE_COLUMNS, rows)
    meta = _meta(a, pieces, view, side, ph_preset, phen, of_preset, outfit, cam, V_seat, n, writer, t_start)
    (out / f"{name}_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def _preview(path: str, pieces: list[Piece], rp: RoutinePoser, renderer, idle, fps: float) -> None:
    """One frame from the middle of every piece (a move: a quarter, half and three quarters
    of the way), tiled into one PNG: a quick look at the positions and the moves."""
    import cv2

    frames = []
    for p in pieces:
        fr = (0.25, 0.5, 0.75) if p.kind == "move" else (0.5,)
        frames += [p.start + int(f * (p.n - 1)) for f in fr]
    tiles = [cv2.cvtColor(renderer.render(rp.frame(i, idle(i / fps))[0]), cv2.COLOR_RGB2BGR) for i in frames]
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % 4)
    cv2.imwrite(path, np.vstack([np.hstack(tiles[r:r + 4]) for r in range(0, len(tiles), 4)]))
    renderer.close()


def _meta(a, pieces, view, side, ph_preset, phen, of_preset, outfit, cam, V0, n, writer, t_start) -> dict:
    moves = [{"from": p.frm, "to": p.posture, "start_s": round(p.start / a.fps, 3),
              "end_s": round((p.start + p.n) / a.fps, 3)} for p in pieces if p.kind == "move"]
    return {
        "kind": "routine", "routine": a.routine, "sets": _set_truth(pieces, a.fps), "moves": moves,
        "timeline": [{"kind": p.kind, "posture": p.posture, "item": p.item, "start_s": round(p.start / a.fps, 3),
                      "end_s": round((p.start + p.n) / a.fps, 3)} for p in pieces],
        "view": view, "side": a.side, "fps": a.fps, "size": a.size, "seed": a.seed,
        "noise": a.noise, "blur": a.blur, "shadows": not a.no_shadows, "light": a.light,
        "phenotype_preset": ph_preset, "phenotype": phen, "outfit_preset": of_preset,
        "outfit": {k: (list(v) if isinstance(v, tuple) else v) for k, v in outfit.items()},
        "n_frames": n, "duration_s": round(n / a.fps, 3), "codec": writer.codec, "fill": a.fill,
        "cam_height_m": round(float(cam.pose[2, 3]), 3),
        "cam_dist_m": round(float(np.linalg.norm((cam.pose[:3, 3] - 0.5 * (V0.min(0) + V0.max(0)))[:2])), 3),
        "azimuth_deg": round(float(a.cam_azimuth) if a.cam_azimuth is not None else _azimuth(cam, side), 1),
        "camera": {"pose": np.round(cam.pose, 5).tolist(), "yfov_deg": round(math.degrees(cam.yfov), 3)},
        "t_total_s": round(time.time() - t_start, 2),
        "t_render_per_frame_s": round((time.time() - t_start) / max(n, 1), 4),
        "generator": "tools/render_samples.py --routine (tools/render_routine.py)",
        "command": routine_command(a),
        "notes": "per-frame columns as render_samples' truth plus set (1.. in a set, 0 elsewhere), exercise "
                 "(the set's item) and segment (set / still / move); rep is the rep within its set; "
                 "sets[].start_s/end_s: the first rep's start and the last rep's end",
    }


def routine_command(a) -> str:
    parts = ["python tools/render_samples.py --routine", a.routine, "--side", a.side]
    if a.view:
        parts += ["--view", a.view]
    for flag, val in (("--amp", a.amp), ("--rep-s", a.rep_s), ("--hold-s", a.hold_s), ("--rest-s", a.rest_s),
                      ("--fps", a.fps), ("--fill", a.fill), ("--jitter", a.jitter)):
        parts += [flag, f"{val:g}"]
    for flag, val in (("--cam-dist", a.cam_dist), ("--cam-azimuth", a.cam_azimuth), ("--cam-height", a.cam_height)):
        if val is not None:
            parts += [flag, f"{val:g}"]
    parts += ["--size", a.size, "--phenotype", a.phenotype, "--outfit", a.outfit, "--seed", str(a.seed)]
    if a.no_shadows:
        parts.append("--no-shadows")
    if a.name:
        parts += ["--name", a.name]
    return " ".join(parts + ["--out", str(a.out)])
