#!/usr/bin/env python3
"""Render sample clips of foot-drop exercises with exactly known angles and counts.

A rigged, skinned body (the PyPI ``anny`` model, CC0 data) is posed frame by frame doing
one of the five exercises, painted with clothes and skin by 3-D position, put on a floor
with a stool where seated, rendered offscreen (pyrender + OSMesa) and written as:

- ``<name>.mp4``       the video (H.264 through the ffmpeg program if present, else OpenCV)
- ``<name>_gt.csv``    one row per frame: time, rep index, phase, commanded ankle angles,
                       knee-ankle-toe angle in 3-D and in the image, heel lift, and the
                       pixel positions of the knee/ankle joint centres and the heel, toe and
                       lateral-malleolus skin points of the moving foot
- ``<name>_meta.json`` the parameters and a few measured facts (render time per frame)

It is a tool of the project, never a runtime dependency: it needs the ``synth`` extra
(see ``sample_videos/README.md`` for the set-up) and is run by hand. The truth file is
a pure function of the arguments (the seed included), so it is byte-identical between runs.

Conventions (all angles in degrees, rotations about the moving foot's ankle joint centre,
relative to the shank, "side" = the person's own side):
- dorsiflexion_deg: about the body's medial-lateral axis, + = toes up (dorsiflexion),
  - = plantarflexion (a heel raise is negative);
- eversion_deg: about the foot's long axis (heel to second toe), + = sole turns outward
  (outer edge lifts);
- abduction_deg: about the shank axis, + = toes point outward (abduction).
``amp`` is always the change of the exercised angle from the rest position to the top
of a repetition. Crossed-leg dorsiflexion and ab/adduction start from ``base``
(default -amp/2: the foot hangs slightly plantarflexed / turned in and swings through
neutral); the other exercises start from neutral (0).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

GENERATOR = "tools/render_samples.py"
EXERCISES = ("dorsiflexion", "abduction", "toe_raise", "heel_raise", "eversion")
VIEWS = ("side", "oblique", "front")
RECOMMENDED_VIEW = {
    "dorsiflexion": "side",
    "abduction": "front",
    "toe_raise": "side",
    "heel_raise": "side",
    "eversion": "front",
}
# posture, the angle that moves, its sign at the top of a rep, default rest angle (x amp)
EXERCISE_SPEC = {
    "dorsiflexion": dict(posture="crossed", joint="dorsiflexion", sign=+1, base=-0.5),
    "abduction": dict(posture="crossed", joint="abduction", sign=+1, base=-0.5),
    "toe_raise": dict(posture="seated", joint="dorsiflexion", sign=+1, base=0.0),
    "heel_raise": dict(posture="standing", joint="dorsiflexion", sign=-1, base=0.0),
    "eversion": dict(posture="seated", joint="eversion", sign=+1, base=0.0),
}
# Negatives (true count 0): a movement that is not an exercise rep. Each has a default
# posture and the postures it can be done in; its timeline is make_schedule()'s, with
# "moves" in place of reps, and the truth file keeps rep = 0 / phase "rest" throughout.
MOTIONS = {
    "still": ("seated", "crossed", "standing"),  # sitting/standing still (use --sway/--drift)
    "weight_shift": ("standing",),  # weight shifts side to side, both feet flat
    "knee_swing": ("seated", "crossed"),  # lower leg swings from the knee, ankle fixed
    "calf_stretch": ("standing",),  # knees bend forward over flat feet (wall calf stretch)
    "chair_shift": ("seated", "crossed"),  # shifting on the seat: body/leg move, ankle fixed
    "cross_uncross": ("seated",),  # crossing the moving leg over the other knee and back
}
# default moves, amplitude (deg, or the scale of a chair shift), s per move, hold, rest
MOTION_DEFAULTS = {
    "still": (0, 0.0, 2.0, 0.0, 0.6),
    "weight_shift": (6, 4.0, 2.5, 1.0, 0.8),
    "knee_swing": (7, 35.0, 1.3, 0.0, 0.0),
    "calf_stretch": (4, 15.0, 3.0, 2.0, 1.0),
    "chair_shift": (4, 1.0, 1.6, 2.0, 1.5),
    "cross_uncross": (2, 1.0, 3.0, 3.0, 2.0),
}
GT_COLUMNS = [
    "frame", "time_s", "rep", "phase", "progress", "dorsiflexion_deg", "eversion_deg",
    "knee_ankle_toe_3d_deg", "knee_ankle_toe_2d_deg", "heel_height_m",
    "knee_x", "knee_y", "ankle_x", "ankle_y", "heel_x", "heel_y", "toe_x", "toe_y",
    "malleolus_x", "malleolus_y", "abduction_deg",
]

PHENOTYPES = {
    # anny phenotype values in [0, 1]; age 0.67 = young adult, 1.0 = old
    "man": dict(gender=0.0, age=0.78, muscle=0.5, weight=0.5, height=0.45, proportions=0.5),
    "woman": dict(gender=1.0, age=0.80, muscle=0.45, weight=0.55, height=0.40, proportions=0.5),
    "older_man": dict(gender=0.0, age=0.95, muscle=0.35, weight=0.65, height=0.35, proportions=0.5),
    "older_woman": dict(gender=0.9, age=0.95, muscle=0.35, weight=0.6, height=0.3, proportions=0.5),
    "slim": dict(gender=0.3, age=0.72, muscle=0.5, weight=0.3, height=0.6, proportions=0.5),
}
OUTFITS = {
    # colours as RGB 0-255; trousers: shorts / capri / long; sleeves: short / long;
    # socks None = barefoot
    "casual": dict(skin=(224, 172, 140), hair=(60, 42, 30), shirt=(40, 90, 160),
                   trousers=(55, 55, 60), trouser_length="long", sleeves="short",
                   socks=(150, 150, 160)),
    "sport": dict(skin=(198, 140, 105), hair=(25, 20, 18), shirt=(200, 50, 45),
                  trousers=(30, 35, 45), trouser_length="shorts", sleeves="short",
                  socks=(240, 240, 240)),
    "home": dict(skin=(230, 190, 165), hair=(170, 170, 165), shirt=(120, 150, 90),
                 trousers=(95, 75, 60), trouser_length="long", sleeves="long", socks=None),
    "dark": dict(skin=(120, 80, 58), hair=(15, 12, 10), shirt=(235, 225, 200),
                 trousers=(40, 60, 95), trouser_length="shorts", sleeves="short",
                 socks=(60, 60, 70)),
    "warm": dict(skin=(210, 160, 125), hair=(120, 70, 35), shirt=(230, 160, 40),
                 trousers=(70, 45, 80), trouser_length="long", sleeves="long",
                 socks=(190, 70, 60)),
}


# ----------------------------------------------------------------------------- maths

def rot(axis, deg: float) -> np.ndarray:
    """Rotation matrix about ``axis`` (any length) by ``deg`` degrees, right-handed."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    t = math.radians(deg)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * (k @ k)


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def angle_deg(a, b) -> float:
    c = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def fmt(x: float, nd: int) -> str:
    """Fixed-point text without a negative zero."""
    return f"{round(float(x), nd) + 0.0:.{nd}f}"


def degrade(img: np.ndarray, blur: float, noise: float, rng) -> np.ndarray:
    """A rendered frame made less perfect, as a camera would: Gaussian blur and sensor noise."""
    import cv2

    if blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    if noise > 0:
        img = np.clip(img + rng.normal(0.0, noise, img.shape), 0, 255).astype(np.uint8)
    return img


def write_truth(path: Path, columns, rows) -> None:
    """The per-frame truth as CSV (written at once, after the video, so a crash leaves none)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    path.write_text(buf.getvalue())


def ease(x: float) -> float:
    """Smooth 0->1 over x in [0, 1] (half cosine): zero velocity at both ends."""
    x = min(1.0, max(0.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)


def look_at(eye, target, up=(0.0, 0.0, 1.0)) -> np.ndarray:
    """Camera-to-world pose for an OpenGL camera (looks along -z, y up)."""
    eye = np.asarray(eye, float)
    f = unit(np.asarray(target, float) - eye)
    r = unit(np.cross(f, up))
    u = np.cross(r, f)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = r, u, -f, eye
    return pose


# ----------------------------------------------------------------------- timeline

@dataclass
class Schedule:
    fps: float
    t: np.ndarray
    rep: np.ndarray
    phase: list
    progress: np.ndarray
    rep_amp: list  # actual amplitude of each rep (deg)
    rep_bounds: list  # (start_s, end_s) of each rep


def make_schedule(reps: int, amp: float, rep_s: float, hold_s: float, rest_s: float,
                  still_s: float, tail_s: float, fps: float, jitter: float,
                  rng: np.random.Generator) -> Schedule:
    """Per-frame rep index, phase and progress (0 rest .. 1 top) for ``reps`` repetitions.

    A rep is an ``up`` half, an optional ``hold`` at the top and a ``down`` half
    (up + down = ``rep_s``), followed by ``rest_s`` at rest. ``jitter`` (fraction) varies
    each rep's amplitude and tempo a little, as a person would, from ``rng``.
    """
    events = []  # (start, up, hold, down, rest, amp)
    t0 = still_s
    amps = []
    for _ in range(reps):
        fa = 1.0 + jitter * float(np.clip(rng.normal(), -2, 2))
        ft = 1.0 + jitter * float(np.clip(rng.normal(), -2, 2))
        fr = 1.0 + 2 * jitter * float(np.clip(rng.normal(), -2, 2))
        up = down = 0.5 * rep_s * ft
        hold = hold_s * ft
        rest = max(0.25, rest_s * fr) if rest_s > 0 else 0.0
        a = amp * fa
        events.append((t0, up, hold, down, rest, a))
        amps.append(round(a, 4))
        t0 += up + hold + down + rest
    total = t0 + tail_s
    n = int(round(total * fps))
    t = np.arange(n) / fps
    rep = np.zeros(n, dtype=int)
    phase = ["rest"] * n
    prog = np.zeros(n)
    bounds = []
    for k, (s, up, hold, down, rest, a) in enumerate(events, start=1):
        bounds.append((round(s, 4), round(s + up + hold + down, 4)))
        for i in range(n):
            x = t[i] - s
            if 0 <= x < up:
                rep[i], phase[i], prog[i] = k, "up", ease(x / up)
            elif up <= x < up + hold:
                rep[i], phase[i], prog[i] = k, "hold", 1.0
            elif up + hold <= x < up + hold + down:
                rep[i], phase[i], prog[i] = k, "down", 1.0 - ease((x - up - hold) / down)
    return Schedule(fps, t, rep, phase, prog, amps, bounds)


# --------------------------------------------------------------------------- body

class Body:
    """The anny body with one phenotype: poses it from per-bone rotations.

    Rotations are given per bone as ``local`` matrices expressed in the rest pose's world
    axes (Z up, -Y forward, +X the person's left) about the bone's head; each bone's world
    rotation is its parent's times its own local one. anny's ``world-orient``
    parameterisation takes each bone's world orientation, i.e. world rotation x rest
    orientation, and moves each head with its parent.
    """

    def __init__(self, phenotype: dict):
        import torch
        import anny

        torch.set_num_threads(1)
        self.torch = torch
        self.model = anny.Anny(pose_parameterization="world-orient", skinning_method="lbs")
        self.phen = {k: float(v) for k, v in phenotype.items()}
        with torch.no_grad():
            out = self.model(phenotype_kwargs=self.phen)
        self.labels = list(self.model.bone_labels)
        self.idx = {b: i for i, b in enumerate(self.labels)}
        self.parents = list(self.model.bone_parents)
        self.rest_R = out["rest_bone_poses"][0, :, :3, :3].numpy().astype(np.float64)
        self.rest_h = out["rest_bone_heads"][0].numpy().astype(np.float64)
        self.rest_v = out["rest_vertices"][0].numpy().astype(np.float64)
        self.faces = self.model.get_triangular_faces().numpy().astype(np.int64)
        w = self.model.vertex_bone_weights.numpy()
        bi = self.model.vertex_bone_indices.numpy()
        self.dom = bi[np.arange(len(bi)), w.argmax(1)]  # dominant bone per vertex
        self.floor_z = float(self.rest_v[:, 2].min())

    def head(self, bone: str) -> np.ndarray:
        return self.rest_h[self.idx[bone]]

    def world_rotations(self, local: dict) -> np.ndarray:
        n = len(self.labels)
        G = np.empty((n, 3, 3))
        eye = np.eye(3)
        for c in range(n):
            p = self.parents[c]
            L = local.get(self.labels[c])
            base = G[p] if p >= 0 else eye
            G[c] = base @ L if L is not None else base
        return G

    def pose(self, local: dict, root_pos) -> tuple[np.ndarray, np.ndarray]:
        """Skinned vertices (V, 3) and posed bone heads (B, 3) in metres."""
        torch = self.torch
        G = self.world_rotations(local)
        D = np.zeros((1, len(self.labels), 4, 4))
        D[0, :, :3, :3] = G @ self.rest_R
        D[0, :, 3, 3] = 1.0
        D[0, 0, :3, 3] = np.asarray(root_pos, float)
        with torch.no_grad():
            out = self.model(pose_parameters=torch.from_numpy(D), phenotype_kwargs=self.phen)
        return (out["vertices"][0].numpy().astype(np.float64),
                out["bone_poses"][0, :, :3, 3].numpy().astype(np.float64))


# ----------------------------------------------------------------------- painting

def paint(body: Body, outfit: dict) -> np.ndarray:
    """One RGB colour per triangle, chosen by 3-D position in the rest pose and bone."""
    v = body.rest_v
    lab = body.labels
    dom = np.array([lab[i] for i in body.dom])
    z = v[:, 2]
    n = len(v)
    leg = np.array([d.startswith(("upperleg", "lowerleg", "foot", "toe", "pelvis")) for d in dom])
    footb = np.array([d.startswith(("foot", "toe")) for d in dom])
    arm = np.array([d.startswith(("upperarm", "lowerarm", "wrist", "finger", "metacarpal",
                                  "shoulder", "clavicle")) for d in dom])
    upper_arm = np.array([d.startswith(("upperarm", "shoulder", "clavicle")) for d in dom])
    headb = np.array([d.startswith(("head", "neck", "eye", "jaw", "special", "oris", "tongue",
                                    "levator", "orbicularis", "temporalis", "risorius",
                                    "cheek", "nose", "lip", "brow", "eyebrow")) for d in dom])
    eye = np.array([d.startswith("eye") for d in dom])
    z_ankle = body.head("foot.L")[2]
    z_knee = body.head("lowerleg01.L")[2]
    z_hip = body.head("upperleg01.L")[2]
    z_waist = z_hip + 0.13
    neck = body.head("neck01")
    head = body.head("head")
    eyes_c = 0.5 * (body.head("eye.L") + body.head("eye.R"))

    label = np.full(n, "skin", dtype=object)
    # trousers / shorts: legs above the hem, the pelvis up to the waist
    hem = {"shorts": z_knee + 0.14, "capri": z_knee - 0.16, "long": z_ankle + 0.06}[outfit["trouser_length"]]
    label[(~arm) & (~headb) & (z < z_waist) & (z > hem)] = "trousers"
    # shirt: the torso above the waist up to the neck, sleeves on the arms
    torso_up = (~arm) & (~headb) & (~leg) & (z >= z_waist) & (z < neck[2] - 0.01)
    label[torso_up] = "shirt"
    if outfit["sleeves"] == "long":
        wrist_z = body.head("wrist.L")[2]
        sleeve = arm & (z > wrist_z + 0.03) & ~np.array([d.startswith(("wrist", "finger", "metacarpal")) for d in dom])
    else:
        sleeve = upper_arm & (np.linalg.norm(v - np.where(v[:, :1] > 0, body.head("upperarm01.L"),
                                                          body.head("upperarm01.R")), axis=1) < 0.14)
    label[sleeve] = "shirt"
    # the shirt also covers the pelvis top a little in front and back
    # socks: foot and the ankle
    if outfit["socks"] is not None:
        label[footb | (leg & (z < z_ankle + 0.07))] = "socks"
    # hair: the top and back of the head
    rel = v - head
    hair = headb & (~eye) & (((rel[:, 2] > (eyes_c[2] - head[2]) + 0.055))
                            | ((v[:, 1] > head[1] + 0.005) & (rel[:, 2] > -0.02)))
    label[hair] = "hair"
    # eyes: dark iris/pupil on the front of the eyeball, white around it
    label[eye] = "eye_white"
    for s in ("L", "R"):
        ec = body.head(f"eye.{s}")
        front = eye & (np.linalg.norm(v[:, [0, 2]] - ec[[0, 2]], axis=1) < 0.0065) & (v[:, 1] < ec[1] - 0.005)
        label[front] = "iris"
    # eyebrows and lips as slightly darker / redder skin patches
    face = headb & ~eye & (label == "skin") & (v[:, 1] < head[1] - 0.06)
    brow = face & (np.abs(v[:, 2] - (eyes_c[2] + 0.022)) < 0.006) & (np.abs(np.abs(v[:, 0]) - 0.033) < 0.02)
    label[brow] = "brow"
    mouth_z = eyes_c[2] - 0.075
    lips = face & (np.abs(v[:, 2] - mouth_z) < 0.007) & (np.abs(v[:, 0]) < 0.024)
    label[lips] = "lips"

    skin = np.array(outfit["skin"], float)
    palette = {
        "skin": skin,
        "trousers": np.array(outfit["trousers"], float),
        "shirt": np.array(outfit["shirt"], float),
        "socks": np.array(outfit["socks"] if outfit["socks"] is not None else outfit["skin"], float),
        "hair": np.array(outfit["hair"], float),
        "eye_white": np.array((235, 232, 225), float),
        "iris": np.array((35, 28, 22), float),
        "brow": 0.35 * skin + 0.65 * np.array(outfit["hair"], float),
        "lips": 0.75 * skin + 0.25 * np.array((170, 60, 60), float),
    }
    order = ["iris", "eye_white", "hair", "brow", "lips", "shirt", "trousers", "socks", "skin"]
    f = body.faces
    face_col = np.zeros((len(f), 3))
    flab = label[f]  # (F, 3)
    chosen = np.full(len(f), "skin", dtype=object)
    # a face takes the label most of its corners have; ties go to the earlier in ``order``
    for name in reversed(order):
        cnt = (flab == name).sum(1)
        chosen[cnt >= 2] = name
    for name in order:
        face_col[chosen == name] = palette[name]
    return face_col / 255.0


def vertex_normals(v: np.ndarray, f: np.ndarray) -> np.ndarray:
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    n = np.zeros_like(v)
    for k in range(3):
        np.add.at(n, f[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


# ------------------------------------------------------------------------ posture

@dataclass
class Posture:
    """Posture parameters; angles in degrees."""
    kind: str  # seated / crossed / standing
    side: str  # "L" / "R" (the moving foot)
    lean: float = 6.0  # trunk forward lean
    head_tilt: float = 14.0  # head down toward the feet
    cross_flex: float = 105.0  # crossed leg: hip flexion
    cross_add: float = 24.0  # crossed leg: hip adduction
    cross_rot: float = 8.0  # crossed leg: hip external rotation
    cross_knee: float = 100.0  # crossed leg: knee flexion
    knees_apart: float = 6.0  # seated: hip abduction of each leg


class Poser:
    """Turns (posture, exercise angles, idle motion) into the bone rotations and root."""

    def __init__(self, body: Body, posture: Posture):
        self.b = body
        self.p = posture
        s = posture.side
        self.s = s
        self.o = "R" if s == "L" else "L"
        self.lat = {"L": +1.0, "R": -1.0}  # +X is the person's left
        # the foot's rest axes: long axis heel->second toe (horizontal), up, lateral
        self.foot_axes = {}
        for side in ("L", "R"):
            ank = body.head(f"foot.{side}")
            toe = body.head(f"toe2-1.{side}")
            f = toe - ank
            f[2] = 0.0
            f = unit(f)
            shank = unit(body.head(f"lowerleg01.{side}") - ank)  # points up
            self.foot_axes[side] = dict(long=f, shank=shank)
        # rest forearm direction for the elbow hinge
        self.elbow_axis = {}
        for side in ("L", "R"):
            d = unit(body.head(f"wrist.{side}") - body.head(f"lowerarm01.{side}"))
            self.elbow_axis[side] = unit(np.cross(d, (0.0, -1.0, 0.0)))

    def foot_rotation(self, side: str, dorsi: float, ever: float, abd: float) -> np.ndarray:
        ax = self.foot_axes[side]
        lat = self.lat[side]
        R_d = rot((-1.0, 0.0, 0.0), dorsi)  # toes up about the medial-lateral axis
        R_e = rot(ax["long"], lat * ever)  # outer edge up about the long axis
        R_a = rot(ax["shank"], lat * abd)  # toes out about the shank axis
        return R_a @ R_d @ R_e

    def locals(self, dorsi: float, ever: float, abd: float, lift: float, idle: dict,
               both_feet: bool = False) -> dict:
        p, s, lat = self.p, self.s, self.lat
        L = {}
        X = np.array([1.0, 0.0, 0.0])
        # trunk and head
        L["spine03"] = rot(X, p.lean * 0.5 + idle.get("lean", 0.0)) @ rot((0, 0, 1), idle.get("twist", 0.0))
        if "side" in idle:  # lateral trunk sway (--sway)
            L["spine03"] = L["spine03"] @ rot((0.0, 1.0, 0.0), idle["side"])
        L["spine01"] = rot(X, p.lean * 0.5)
        tilt = p.head_tilt * (0.4 if p.kind == "standing" else 1.0)
        L["neck01"] = rot(X, tilt + idle.get("nod", 0.0))
        # arms
        for side in ("L", "R"):
            ls = lat[side]
            if p.kind == "standing":
                add, flex, elbow = 40.0, 0.0, -38.0
            elif p.kind == "seated":
                add, flex, elbow = 38.0, 22.0, 5.0
            else:  # crossed: hands toward the top knee
                add, flex, elbow = 36.0, 26.0, 8.0
            L[f"upperarm01.{side}"] = rot(-X, flex) @ rot((0.0, ls, 0.0), add)
            L[f"lowerarm01.{side}"] = rot(self.elbow_axis[side], elbow)
        # legs
        if p.kind in ("seated", "crossed"):
            for side in ("L", "R"):
                ls = lat[side]
                L[f"upperleg01.{side}"] = rot(-X, 90.0) @ rot((0.0, -ls, 0.0), p.knees_apart)
                L[f"lowerleg01.{side}"] = rot(X, 90.0)
            if p.kind == "crossed":
                ls = lat[s]
                L[f"upperleg01.{s}"] = (rot(-X, p.cross_flex) @ rot((0.0, ls, 0.0), p.cross_add)
                                        @ rot((0.0, 0.0, ls), p.cross_rot))
                L[f"lowerleg01.{s}"] = rot(X, p.cross_knee)
            else:
                # lift the moving leg by flexing hip and knee equally: the shank stays
                # parallel to itself and rises (keeps the contact point on the floor)
                L[f"upperleg01.{s}"] = rot(-X, 90.0 + lift) @ rot((0.0, -lat[s], 0.0), p.knees_apart)
                L[f"lowerleg01.{s}"] = rot(X, 90.0 + lift)
        feet = ("L", "R") if both_feet else (s,)
        for side in feet:
            L[f"foot.{side}"] = self.foot_rotation(side, dorsi, ever, abd)
            if p.kind == "standing" and dorsi < 0:
                # toes stay flat on the floor while the heel rises
                for t in range(1, 6):
                    L[f"toe{t}-1.{side}"] = rot((-1.0, 0.0, 0.0), -dorsi)
        return L


# --------------------------------------------------------------------------- scene

def plank_texture(rng: np.random.Generator, size: int = 512) -> np.ndarray:
    """A wooden floor: planks with colour variation, grain and dark seams (RGB uint8)."""
    img = np.zeros((size, size, 3))
    n_pl = 8
    w = size // n_pl
    base = np.array([150, 108, 70], float)
    y = np.arange(size)[:, None, None]
    for k in range(n_pl):
        shade = base * (0.85 + 0.3 * rng.random())
        grain = 0.06 * np.sin(y / size * 2 * np.pi * rng.integers(6, 14) + rng.random() * 6)
        img[:, k * w:(k + 1) * w] = shade * (1 + grain)
        img[:, k * w:k * w + 2] *= 0.55
        cut = int(rng.integers(0, size))
        img[cut:cut + 2, k * w:(k + 1) * w] *= 0.6
    img *= 1 + 0.04 * rng.standard_normal((size, size, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


@dataclass
class Camera:
    pose: np.ndarray
    yfov: float
    width: int
    height: int
    proj: np.ndarray = field(default=None)

    def project(self, pts: np.ndarray) -> np.ndarray:
        pts = np.atleast_2d(pts)
        view = np.linalg.inv(self.pose)
        h = np.c_[pts, np.ones(len(pts))] @ (self.proj @ view).T
        ndc = h[:, :3] / h[:, 3:4]
        x = (ndc[:, 0] + 1) * 0.5 * self.width
        y = (1 - ndc[:, 1]) * 0.5 * self.height
        return np.c_[x, y]


def make_camera(view: str, side: str, verts: np.ndarray, width: int, height: int,
                rng: np.random.Generator, fill: float = 0.86, cam_height: float | None = None,
                yfov_deg: float = 46.0, azimuth: float | None = None,
                distance: float | None = None) -> Camera:
    """Place a tripod camera so the person fills ``fill`` of the frame in the given view.

    ``azimuth`` (deg; 0 = the moving foot's side, 90 = in front) replaces the view's
    angle and its random +/-5 deg; ``distance`` (m, horizontal, to the body's centre)
    replaces the distance that makes the person fill ``fill`` of the frame height.
    """
    lat = 1.0 if side == "L" else -1.0
    base_az = {"side": 0.0, "oblique": 45.0, "front": 90.0}[view]
    az = math.radians(base_az + float(rng.uniform(-5, 5)))
    if azimuth is not None:
        az = math.radians(azimuth)
    # az 0 = the moving foot's side (+/-X), 90 = in front (-Y)
    d = np.array([lat * math.cos(az), -math.sin(az), 0.0])
    lo, hi = verts.min(0), verts.max(0)
    target = 0.5 * (lo + hi)
    target[2] = lo[2] + 0.47 * (hi[2] - lo[2])
    # a phone on a low stool or tripod beside/in front of the person
    ch = cam_height if cam_height is not None else lo[2] + 0.30 * (hi[2] - lo[2]) + float(rng.uniform(0.0, 0.1))
    import pyrender

    yfov = math.radians(yfov_deg)
    proj = pyrender.PerspectiveCamera(yfov=yfov, aspectRatio=width / height).get_projection_matrix(width, height)
    sub = verts[::7]
    dist = 2.5 if distance is None else float(distance)
    wfill = min(0.92, fill * 1.07)
    for _ in range(30 if distance is None else 1):
        eye = target + d * dist
        eye[2] = ch
        cam = Camera(look_at(eye, target), yfov, width, height, proj)
        if distance is not None:
            break
        px = cam.project(sub)
        bw = (px[:, 0].max() - px[:, 0].min()) / width
        bh = (px[:, 1].max() - px[:, 1].min()) / height
        k = max(bw / wfill, bh / fill)
        if abs(k - 1) < 0.003:
            break
        dist *= k ** 0.9
    # centre the person in the frame
    px = cam.project(sub)
    cx = 0.5 * (px[:, 0].max() + px[:, 0].min()) - width / 2
    cy = 0.5 * (px[:, 1].max() + px[:, 1].min()) - height / 2
    right, up = cam.pose[:3, 0], cam.pose[:3, 1]
    scale = 2 * dist * math.tan(yfov / 2) / height
    target = target + right * cx * scale - up * cy * scale
    eye = target + d * dist
    eye[2] = ch + (-up * cy * scale)[2]
    return Camera(look_at(eye, target), yfov, width, height, proj)


# ------------------------------------------------------------------ close-up camera

CLOSEUP_VIEWS = ("side", "front")
CLOSEUP_YFOV = 50.0  # deg, vertical: a phone's main camera held landscape


def make_closeup_camera(view: str, side: str, body, V: np.ndarray, heads: np.ndarray, lm: dict,
                        width: int, height: int, rng: np.random.Generator,
                        distance: float | None = None, cam_height: float | None = None) -> Camera:
    """A phone on the floor or a low stool 0.3-0.8 m from the moving foot, looking at the
    foot and the lower shank (the head far out of the picture): ``side`` from the foot's
    outer side, ``front`` facing the toes. ``distance`` (m, from the foot) and
    ``cam_height`` (m above the foot's centre) replace the seed's choices."""
    import pyrender

    lat = 1.0 if side == "L" else -1.0
    az = math.radians({"side": 0.0, "front": 90.0}[view] + float(rng.uniform(-8, 8)))
    d = np.array([lat * math.cos(az), -math.sin(az), 0.0])
    knee, ank = heads[body.idx[f"lowerleg01.{side}"]], heads[body.idx[f"foot.{side}"]]
    heel, toe = V[lm["heel"]], V[lm["toe"]]
    shank_pt = ank + 0.14 * unit(knee - ank)
    target = np.mean([ank, heel, toe, shank_pt], axis=0)
    dist = float(rng.uniform(0.4, 0.7)) if distance is None else float(distance)
    up = float(rng.uniform(0.0, 0.12)) if cam_height is None else float(cam_height)
    eye = target + d * dist
    eye[2] = max(0.05, target[2] + up)
    yfov = math.radians(CLOSEUP_YFOV)
    proj = pyrender.PerspectiveCamera(yfov=yfov, aspectRatio=width / height).get_projection_matrix(width, height)
    return Camera(look_at(eye, target), yfov, width, height, proj)


def closeup_shake(rng: np.random.Generator, amp_deg: float):
    """A hand-held phone: t -> 4x4 motion in the camera's own frame, a few smooth tremors
    (0.4-3 Hz) of about ``amp_deg`` in pitch, yaw and roll and ~4 mm per degree of
    translation, zero at t = 0."""
    f = rng.uniform(0.4, 3.0, (6, 3))
    ph = rng.uniform(0, 2 * np.pi, (6, 3))
    w = rng.uniform(0.5, 1.0, (6, 3))
    w /= np.sqrt((w ** 2).sum(1, keepdims=True) / 2)  # each axis' rms ~ amp

    def at(t: float) -> np.ndarray:
        v = (w * (np.sin(2 * np.pi * f * t + ph) - np.sin(ph))).sum(1) / 3
        m = np.eye(4)
        m[:3, :3] = rot((1, 0, 0), amp_deg * v[0]) @ rot((0, 1, 0), amp_deg * v[1]) @ rot((0, 0, 1), amp_deg * v[2])
        m[:3, 3] = 0.004 * amp_deg * v[3:6]
        return m

    return at


def shaken(cam: Camera, delta: np.ndarray) -> Camera:
    """The camera moved by ``delta`` (in its own frame)."""
    return Camera(cam.pose @ delta, cam.yfov, cam.width, cam.height, cam.proj)


class Renderer:
    RENEW = 15

    def __init__(self, width: int, height: int, face_colors: np.ndarray, faces: np.ndarray,
                 cam: Camera, props: list, rng: np.random.Generator, shadows: bool = True,
                 light: float = 1.0):
        import pyrender
        import trimesh

        self.pr = pyrender
        self.faces = faces
        # one primitive per paint colour (pyrender darkens per-vertex colours, and a
        # material per colour keeps the clothing edges crisp)
        cols, inv = np.unique(np.round(face_colors, 4), axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        self.groups = []
        for k, c in enumerate(cols):
            mat = pyrender.MetallicRoughnessMaterial(baseColorFactor=(*c, 1.0), metallicFactor=0.0,
                                                     roughnessFactor=0.75)
            self.groups.append((faces[inv == k].astype(np.uint32), mat))
        amb = 0.33 * light
        self.scene = pyrender.Scene(bg_color=(0.82, 0.84, 0.86, 1.0), ambient_light=(amb, amb, amb))
        # floor with a plank texture
        tex = plank_texture(rng)
        size = 8.0
        fl = trimesh.Trimesh(
            vertices=np.array([[-size, -size, 0], [size, -size, 0], [size, size, 0], [-size, size, 0]], float),
            faces=np.array([[0, 1, 2], [0, 2, 3]]), process=False)
        uv = np.array([[0, 0], [6, 0], [6, 6], [0, 6]], float)
        fl.visual = trimesh.visual.TextureVisuals(uv=uv, image=None)
        mat = pyrender.MetallicRoughnessMaterial(
            baseColorTexture=pyrender.Texture(source=tex, source_channels="RGB",
                                              sampler=pyrender.Sampler(wrapS=10497, wrapT=10497)),
            metallicFactor=0.0, roughnessFactor=0.8)
        prim = pyrender.Primitive(positions=fl.vertices.astype(np.float32),
                                  normals=np.tile([0, 0, 1.0], (4, 1)).astype(np.float32),
                                  texcoord_0=uv.astype(np.float32), indices=fl.faces, material=mat)
        self.scene.add(pyrender.Mesh([prim]))
        for mesh, color in props:
            m = pyrender.MetallicRoughnessMaterial(baseColorFactor=(*color, 1.0), metallicFactor=0.0,
                                                   roughnessFactor=0.7)
            self.scene.add(pyrender.Mesh.from_trimesh(mesh, material=m, smooth=False))
        self.scene.add(pyrender.PerspectiveCamera(yfov=cam.yfov, aspectRatio=width / height), pose=cam.pose)
        # key light from above, on the camera's side; a weaker fill from the other side
        cam_dir = cam.pose[:3, 3] - cam.pose[:3, 3] * np.array([0, 0, 1])
        key_from = unit(unit(cam_dir) * 0.8 + np.array([0.25, -0.3, 1.4]))
        self.scene.add(pyrender.DirectionalLight(color=np.ones(3), intensity=3.2 * light),
                       pose=look_at(key_from, np.zeros(3)))
        fill_from = unit(-unit(cam_dir) * 0.6 + np.array([0.0, -0.5, 0.8]))
        self.scene.add(pyrender.DirectionalLight(color=np.ones(3), intensity=1.2 * light),
                       pose=look_at(fill_from, np.zeros(3)))
        self.size = (width, height)
        self.r = pyrender.OffscreenRenderer(width, height)
        self.frames = 0
        self.flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows else pyrender.RenderFlags.NONE
        self.node = None

    def render(self, verts: np.ndarray) -> np.ndarray:
        pr = self.pr
        n = vertex_normals(verts, self.faces).astype(np.float32)
        pos = verts.astype(np.float32)
        prims = [pr.Primitive(positions=pos, normals=n, indices=idx, material=mat)
                 for idx, mat in self.groups]
        if self.node is not None:
            self.scene.remove_node(self.node)
        self.node = self.scene.add(pr.Mesh(prims))
        # Mesa's OSMesa context grows by tens of MB per frame here (native memory, freed only
        # with the context), so start a fresh context every RENEW frames
        self.frames += 1
        if self.frames % self.RENEW == 0:
            self.r.delete()
            self.r = pr.OffscreenRenderer(*self.size)
        color, _ = self.r.render(self.scene, flags=self.flags)
        return color

    def close(self):
        self.r.delete()


def box(extents, center) -> "object":
    import trimesh

    m = trimesh.creation.box(extents=extents)
    m.apply_translation(center)
    return m


# ------------------------------------------------------------------------- writer

class VideoWriter:
    """H.264 through the ffmpeg program when present, else OpenCV (avc1, then mp4v)."""

    def __init__(self, path: Path, fps: float, width: int, height: int, crf: int = 23):
        self.path = path
        self.proc = None
        self.cv = None
        self.codec = None
        ff = shutil.which("ffmpeg")
        if ff and _ffmpeg_has_x264(ff):
            self.proc = subprocess.Popen(
                [ff, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                 "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-", "-an",
                 "-c:v", "libx264", "-preset", "medium", "-crf", str(crf), "-threads", "1",
                 "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
                stdin=subprocess.PIPE)
            self.codec = "h264 (ffmpeg libx264)"
            return
        import cv2

        for fourcc, name in (("avc1", "h264 (OpenCV)"), ("mp4v", "mpeg-4 part 2 (OpenCV mp4v)")):
            w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
            if w.isOpened():
                self.cv, self.codec = w, name
                return
        raise RuntimeError("no video encoder: install ffmpeg or opencv")

    def write(self, bgr: np.ndarray) -> None:
        if self.proc is not None:
            self.proc.stdin.write(np.ascontiguousarray(bgr).tobytes())
        else:
            self.cv.write(bgr)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            if self.proc.wait() != 0:
                raise RuntimeError("ffmpeg failed")
        else:
            self.cv.release()


def _ffmpeg_has_x264(ff: str) -> bool:
    try:
        out = subprocess.run([ff, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=20)
        return "libx264" in out.stdout
    except (OSError, subprocess.SubprocessError):
        return False


# ------------------------------------------------------------------------ the clip

def landmark_vertices(body: Body, side: str) -> dict:
    """Skin vertices of one foot: heel (back-bottom), toe (tip) and lateral malleolus."""
    v = body.rest_v
    lab = body.labels
    fb = {body.idx[b] for b in lab if b.endswith("." + side) and b.startswith(("foot", "toe", "lowerleg02"))}
    cand = np.array([d in fb for d in body.dom])
    ids = np.nonzero(cand)[0]
    ank = body.head(f"foot.{side}")
    lat = 1.0 if side == "L" else -1.0
    pv = v[ids]
    low = pv[:, 2] < ank[2] - 0.03
    # heel: the most posterior point among the low ones, nudged to the bottom
    score = pv[:, 1] + 0.5 * (ank[2] - pv[:, 2])
    heel = ids[np.argmax(np.where(low, score, -np.inf))]
    # toe: the most anterior point of the foot (the tip of the longest toe)
    toe = ids[np.argmin(pv[:, 1])]
    # lateral malleolus: the most lateral point within 1.5 cm of the ankle centre's height
    near = np.abs(pv[:, 2] - (ank[2] - 0.005)) < 0.015
    near &= np.abs(pv[:, 1] - ank[1]) < 0.03
    mall = ids[np.argmax(np.where(near, lat * pv[:, 0], -np.inf))]
    return {"heel": int(heel), "toe": int(toe), "malleolus": int(mall)}


def build_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--exercise", choices=EXERCISES, default="dorsiflexion")
    ap.add_argument("--side", choices=("left", "right"), default="left",
                    help="the moving foot, the person's own side")
    ap.add_argument("--view", choices=VIEWS, default=None, help="default: the recommended view")
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--amp", type=float, default=20.0, help="deg, rest -> top of a rep")
    ap.add_argument("--base", type=float, default=None,
                    help="deg, the rest angle; default -amp/2 for crossed-leg exercises, else 0")
    ap.add_argument("--rep-s", type=float, default=2.0, help="s, up + down of one rep")
    ap.add_argument("--hold-s", type=float, default=0.0, help="s, hold at the top")
    ap.add_argument("--rest-s", type=float, default=0.6, help="s, at rest between reps")
    ap.add_argument("--still-s", type=float, default=1.5, help="s, sitting/standing still first")
    ap.add_argument("--tail-s", type=float, default=1.0, help="s, still at the end")
    ap.add_argument("--jitter", type=float, default=0.06,
                    help="fractional rep-to-rep variation of amplitude and tempo")
    ap.add_argument("--fps", type=float, default=15.0)
    ap.add_argument("--size", default="640x480", help="WIDTHxHEIGHT")
    ap.add_argument("--phenotype", default="man",
                    help=f"a preset ({', '.join(PHENOTYPES)}) optionally followed by "
                         "key=value overrides, e.g. 'woman,weight=0.7'")
    ap.add_argument("--outfit", default="casual",
                    help=f"a preset ({', '.join(OUTFITS)}) optionally followed by overrides, "
                         "e.g. 'casual,shirt=200:40:40,trouser_length=shorts,socks=none'")
    ap.add_argument("--noise", type=float, default=2.0, help="sensor noise, std of 8-bit levels")
    ap.add_argument("--blur", type=float, default=0.5, help="lens blur sigma (px)")
    ap.add_argument("--crf", type=int, default=23, help="x264 quality (lower = bigger file)")
    ap.add_argument("--no-shadows", action="store_true")
    ap.add_argument("--light", type=float, default=1.0, help="scale of all light intensities")
    ap.add_argument("--cam-height", type=float, default=None,
                    help="m above the floor; default: about mid-body, varied by the seed")
    ap.add_argument("--fill", type=float, default=0.86,
                    help="share of the frame height the person fills (sets the camera distance)")
    ap.add_argument("--cam-dist", type=float, default=None,
                    help="m, horizontal camera distance to the body's centre (replaces --fill)")
    ap.add_argument("--cam-azimuth", type=float, default=None,
                    help="deg, 0 = the moving foot's side, 45 = oblique, 90 = front; default: the "
                         "view's angle +/-5 deg by the seed (--view still names the view)")
    ap.add_argument("--sway", type=float, default=0.0,
                    help="deg, slow trunk sway (forward and sideways, periods 7-20 s)")
    ap.add_argument("--drift", type=float, default=0.0,
                    help="deg, slow drift of the ankle angles (periods 10-30 s), in the truth")
    ap.add_argument("--motion", choices=("exercise", *MOTIONS), default="exercise",
                    help="a negative (true count 0) instead of the exercise: " + ", ".join(MOTIONS))
    ap.add_argument("--posture", choices=("seated", "crossed", "standing"), default=None,
                    help="posture of a negative (default: the motion's first)")
    ap.add_argument("--moves", type=int, default=None,
                    help="negatives: number of swings/shifts/stretches/crossings")
    ap.add_argument("--move-amp", type=float, default=None,
                    help="negatives: deg of a knee swing / weight shift / calf stretch; "
                         "scale of a chair shift")
    ap.add_argument("--move-s", type=float, default=None, help="negatives: s of one move (there and back)")
    ap.add_argument("--move-hold-s", type=float, default=None, help="negatives: s held at the far end")
    ap.add_argument("--move-rest-s", type=float, default=None, help="negatives: s between moves")
    ap.add_argument("--duration", type=float, default=None,
                    help="negatives: total s (lengthens the still end); default: the moves' length")
    ap.add_argument("--closeup", choices=CLOSEUP_VIEWS, default=None,
                    help="a close-up of the moving foot (0.3-0.8 m, low, head out of the picture) from "
                         "its side or its front; --cam-dist / --cam-height are then from the foot")
    ap.add_argument("--shake", type=float, default=0.0,
                    help="deg, a hand-held camera's tremor (close-ups)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="sample_videos", help="output folder")
    ap.add_argument("--name", default=None, help="file stem; default <exercise>_<view>_<side>")
    ap.add_argument("--max-frames", type=int, default=0, help="stop early (debugging)")
    ap.add_argument("--preview", default=None, help="write the first frame as this PNG and stop")
    ap.add_argument("--routine", default=None,
                    help="a routine in one clip: 'dorsiflexion:4,toe_raise:5,heel_raise:4' "
                         "(exercise:reps[:amp]; knee_swing:N is no exercise); see tools/render_routine.py")
    ap.add_argument("--curated", action="store_true",
                    help="render the committed set (see CURATED) into --out")
    return ap.parse_args(argv)


def _parse_preset(spec: str, presets: dict, default: str, what: str, convert) -> tuple[str, dict]:
    """'preset,key=value,...' → (preset name, its settings with the overrides applied)."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    preset = parts[0] if parts and "=" not in parts[0] else default
    settings = dict(presets[preset])
    for p in parts:
        if "=" in p:
            k, v = p.split("=", 1)
            if k not in settings:
                raise SystemExit(f"unknown {what} key {k!r}; known: {', '.join(settings)}")
            settings[k] = convert(k, v)
    return preset, settings


def parse_phenotype(spec: str) -> tuple[str, dict]:
    return _parse_preset(spec, PHENOTYPES, "man", "phenotype", lambda k, v: float(v))


def _outfit_value(k: str, v: str):
    if k in ("trouser_length", "sleeves"):
        return v
    if v.lower() == "none":
        return None
    return tuple(int(c) for c in v.split(":"))


def parse_outfit(spec: str) -> tuple[str, dict]:
    return _parse_preset(spec, OUTFITS, "casual", "outfit", _outfit_value)


def render_clip(a: argparse.Namespace) -> dict:
    t_start = time.time()
    spec = EXERCISE_SPEC[a.exercise]
    negative = a.motion != "exercise"
    view = a.view or (RECOMMENDED_VIEW[a.exercise] if not negative else "side")
    side = "L" if a.side == "left" else "R"
    width, height = (int(x) for x in a.size.lower().split("x"))
    if negative:
        posture_kind = a.posture or MOTIONS[a.motion][0]
        if posture_kind not in MOTIONS[a.motion]:
            raise SystemExit(f"--motion {a.motion} is done {' or '.join(MOTIONS[a.motion])}, not {posture_kind}")
        name = a.name or f"neg_{a.motion}_{posture_kind}_{view}_{a.side}"
    else:
        posture_kind = spec["posture"]
        name = a.name or f"{a.exercise}_{view}_{a.side}"
    if a.closeup:
        view = a.closeup
        name = a.name or f"closeup_{name}"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ph_preset, phen = parse_phenotype(a.phenotype)
    of_preset, outfit = parse_outfit(a.outfit)
    base = a.base if a.base is not None else spec["base"] * a.amp
    if negative:
        base = 0.0

    # one generator per purpose so that e.g. --noise never changes the truth
    rng_sched = np.random.default_rng([a.seed, 1])
    rng_idle = np.random.default_rng([a.seed, 2])
    rng_cam = np.random.default_rng([a.seed, 3])
    rng_scene = np.random.default_rng([a.seed, 4])
    rng_noise = np.random.default_rng([a.seed, 5])

    if negative:
        # the moves of a negative on make_schedule's timeline; the truth keeps rep = 0
        rng_motion = np.random.default_rng([a.seed, 8])
        m_n, m_amp, m_s, m_hold, m_rest = MOTION_DEFAULTS[a.motion]
        m_n = m_n if a.moves is None else a.moves
        m_amp = m_amp if a.move_amp is None else a.move_amp
        m_s = m_s if a.move_s is None else a.move_s
        m_hold = m_hold if a.move_hold_s is None else a.move_hold_s
        m_rest = m_rest if a.move_rest_s is None else a.move_rest_s
        msched = make_schedule(m_n, m_amp, m_s, m_hold, m_rest, a.still_s, 0.0, a.fps, a.jitter, rng_motion)
        tail = a.tail_s if a.duration is None else max(a.tail_s, a.duration - len(msched.t) / a.fps)
        msched = make_schedule(m_n, m_amp, m_s, m_hold, m_rest, a.still_s, tail, a.fps, a.jitter,
                               np.random.default_rng([a.seed, 8]))
        # chair shifts: where each shift goes (dx, dy m; yaw, lean, hip abduction deg)
        shifts = [(rng_motion.uniform(-0.05, 0.05), rng_motion.uniform(-0.06, 0.04), rng_motion.uniform(-7, 7),
                   rng_motion.uniform(-4, 9), rng_motion.uniform(-6, 8)) for _ in range(m_n)]
        nm = len(msched.t)
        sched = Schedule(a.fps, msched.t, np.zeros(nm, dtype=int), ["rest"] * nm, np.zeros(nm), [], [])
    else:
        sched = make_schedule(a.reps, a.amp, a.rep_s, a.hold_s, a.rest_s, a.still_s, a.tail_s,
                              a.fps, a.jitter, rng_sched)
    n = len(sched.t)
    if a.max_frames:
        n = min(n, a.max_frames)

    t0 = time.time()
    body = Body(phen)
    t_model = time.time() - t0
    posture = Posture(kind=posture_kind, side=side)
    poser = Poser(body, posture)
    lm = landmark_vertices(body, side)

    # idle motion: slow breathing-like sway of the trunk and head
    ip = rng_idle.uniform(0, 2 * np.pi, 3)
    if_ = rng_idle.uniform(0.18, 0.3, 3)
    ia = (0.6, 0.5, 0.8)

    # --sway: slower trunk sway forward and sideways; --drift: slow ankle-angle drift
    rng_sway = np.random.default_rng([a.seed, 6])
    sw_f = rng_sway.uniform(1 / 20, 1 / 7, 4)
    sw_p = rng_sway.uniform(0, 2 * np.pi, 4)
    rng_drift = np.random.default_rng([a.seed, 7])
    dr_f = rng_drift.uniform(1 / 30, 1 / 10, 6)
    dr_p = rng_drift.uniform(0, 2 * np.pi, 6)

    def idle_at(t: float) -> dict:
        idle = {"lean": ia[0] * math.sin(2 * math.pi * if_[0] * t + ip[0]),
                "twist": ia[1] * math.sin(2 * math.pi * if_[1] * t + ip[1]),
                "nod": ia[2] * math.sin(2 * math.pi * if_[2] * t + ip[2])}
        if a.sway > 0:
            w = [math.sin(2 * math.pi * sw_f[j] * t + sw_p[j]) for j in range(4)]
            idle["lean"] += a.sway * (0.7 * w[0] + 0.3 * w[1])
            idle["side"] = a.sway * (0.7 * w[2] + 0.3 * w[3])
        return idle

    def drift_at(t: float) -> tuple[float, float, float]:
        """Slow drift (deg) of (dorsiflexion, eversion, abduction); the exercised one fully."""
        w = [math.sin(2 * math.pi * dr_f[j] * t + dr_p[j]) - math.sin(dr_p[j]) for j in range(6)]
        full = {"dorsiflexion": 0, "eversion": 1, "abduction": 2}[spec["joint"] if not negative else "dorsiflexion"]
        out = []
        for j in range(3):
            k = 1.0 if j == full else 0.5
            out.append(k * a.drift * 0.5 * (w[2 * j] + w[2 * j + 1]))
        return out[0], out[1], out[2]

    joint = spec["joint"]
    amps = sched.rep_amp

    def angles_at(i: int) -> tuple[float, float, float]:
        k = sched.rep[i]
        a_k = amps[k - 1] if k > 0 else a.amp
        val = base + spec["sign"] * a_k * sched.progress[i]
        d = e = ab = 0.0
        if joint == "dorsiflexion":
            d = val
        elif joint == "eversion":
            e = val
        else:
            ab = val
        return d, e, ab

    kind = posture_kind
    sole_ids = np.nonzero(np.isin(body.dom, [body.idx[b] for b in body.labels
                                              if b.endswith("." + side) and b.startswith(("foot", "toe"))]))[0]
    other = "R" if side == "L" else "L"
    sole_other = np.nonzero(np.isin(body.dom, [body.idx[b] for b in body.labels
                                                if b.endswith("." + other) and b.startswith(("foot", "toe"))]))[0]

    def contact_height(V: np.ndarray) -> float:
        if a.exercise == "toe_raise":
            return V[lm["heel"], 2]
        return V[sole_ids, 2].min()

    # reference pose (rest angles, no lift) defines the floor and the contact heights
    d0, e0, ab0 = angles_at(0)
    zero_root = np.zeros(3)
    V_ref, _ = body.pose(poser.locals(d0, e0, ab0, 0.0, {}, both_feet=kind == "standing"), zero_root)
    if kind == "standing":
        floor = V_ref[:, 2].min()
    else:
        floor = V_ref[sole_other, 2].min()
    root0 = np.array([0.0, 0.0, -floor])  # puts the floor at z = 0
    ref_contact = contact_height(V_ref) - floor

    # balls of the feet for the heel raise (mean of the metatarsal-phalangeal heads)
    ball_rest = {sd: np.mean([body.head(f"toe{t}-1.{sd}") for t in range(1, 6)], axis=0) for sd in ("L", "R")}

    # rest-pose joint heads for the negatives that keep the feet in place
    hip_rest = {sd: body.head(f"upperleg01.{sd}") for sd in ("L", "R")}
    knee_rest = {sd: body.head(f"lowerleg01.{sd}") for sd in ("L", "R")}
    ank_rest = {sd: body.head(f"foot.{sd}") for sd in ("L", "R")}
    lat_of = {"L": 1.0, "R": -1.0}
    Y = np.array([0.0, 1.0, 0.0])
    X = np.array([1.0, 0.0, 0.0])

    def feet_fixed_shift(R_thigh: dict, R_shank: dict) -> np.ndarray:
        """Root shift that puts both ankles back where they stand in the rest pose."""
        moved = []
        for sd in ("L", "R"):
            h = hip_rest[sd]
            ank = h + R_thigh[sd] @ (knee_rest[sd] - h) + R_shank[sd] @ (ank_rest[sd] - knee_rest[sd])
            moved.append(ank - ank_rest[sd])
        return -np.mean(moved, axis=0)

    def pose_negative(i: int, t: float):
        d, e, ab = drift_at(t) if a.drift > 0 else (0.0, 0.0, 0.0)
        idle = idle_at(t)
        k = int(msched.rep[i])
        val = msched.rep_amp[k - 1] * float(msched.progress[i]) if k > 0 else 0.0
        s_, p_ = side, posture
        ls = lat_of[s_]
        root = root0.copy()
        if a.motion == "weight_shift":
            # legs tilt sideways as a parallelogram (pelvis level), feet stay flat: the
            # ankles evert/invert by the tilt; alternate sides
            th = val if k % 2 == 1 else -val
            L = poser.locals(d, e, ab, 0.0, idle, both_feet=True)
            for sd in ("L", "R"):
                L[f"upperleg01.{sd}"] = rot(Y, th)
                L[f"foot.{sd}"] = poser.foot_rotation(sd, d, e + lat_of[sd] * th, ab)
            R = {sd: rot(Y, th) for sd in ("L", "R")}
            root = root + feet_fixed_shift(R, R)
            e = e + ls * th
        elif a.motion == "calf_stretch":
            # both knees bend forward over flat feet: hip flexion ph, knee 2 ph, ankle
            # dorsiflexion ph; the pelvis sinks straight down
            ph = val
            L = poser.locals(d + ph, e, ab, 0.0, idle, both_feet=True)
            for sd in ("L", "R"):
                L[f"upperleg01.{sd}"] = rot(-X, ph)
                L[f"lowerleg01.{sd}"] = rot(X, 2 * ph)
            Rt = {sd: rot(-X, ph) for sd in ("L", "R")}
            Rs = {sd: rot(-X, ph) @ rot(X, 2 * ph) for sd in ("L", "R")}
            root = root + feet_fixed_shift(Rt, Rs)
            d = d + ph
        else:
            L = poser.locals(d, e, ab, 0.0, idle, both_feet=False)
            if a.motion == "knee_swing":
                knee0 = p_.cross_knee if p_.kind == "crossed" else 90.0
                L[f"lowerleg01.{s_}"] = rot(X, knee0 - val)
            elif a.motion == "chair_shift" and k > 0:
                dx, dy, yaw, lean, hab = shifts[k - 1]
                f = float(msched.progress[i]) * msched.rep_amp[k - 1] / max(m_amp, 1e-9)
                root = root + np.array([dx * f, dy * f, 0.0])
                L["root"] = rot((0.0, 0.0, 1.0), yaw * f)
                L["spine03"] = rot(X, lean * f) @ L["spine03"]
                if p_.kind == "seated":
                    L[f"upperleg01.{s_}"] = rot(-X, 90.0) @ rot((0.0, -ls, 0.0), p_.knees_apart + hab * f)
            elif a.motion == "cross_uncross":
                u = float(msched.progress[i])
                flex = 90.0 + (p_.cross_flex - 90.0) * u + 25.0 * math.sin(math.pi * u)
                add = -p_.knees_apart + (p_.cross_add + p_.knees_apart) * u
                L[f"upperleg01.{s_}"] = (rot(-X, flex) @ rot((0.0, ls, 0.0), add)
                                         @ rot((0.0, 0.0, ls), p_.cross_rot * u))
                L[f"lowerleg01.{s_}"] = rot(X, 90.0 + (p_.cross_knee - 90.0) * u)
        V, heads = body.pose(L, root)
        return V, heads, (d, e, ab), 0.0

    def pose_frame(i: int, t: float):
        if negative:
            return pose_negative(i, t)
        d, e, ab = angles_at(i)
        if a.drift > 0:
            dd = drift_at(t)
            d, e, ab = d + dd[0], e + dd[1], ab + dd[2]
        idle = idle_at(t)
        if kind == "standing":
            # rotate both feet about the ankles, keep the balls where they were
            L = poser.locals(d, e, ab, 0.0, idle, both_feet=True)
            G = body.world_rotations(L)
            shift = np.zeros(3)
            for sd in ("L", "R"):
                fi = body.idx[f"foot.{sd}"]
                ank = body.head(f"foot.{sd}")
                moved = ank + G[fi] @ (ball_rest[sd] - ank)
                shift += (ball_rest[sd] - moved) / 2
            V, heads = body.pose(L, root0 + shift)
            return V, heads, (d, e, ab), 0.0
        if kind == "crossed" or abs(d) + abs(e) < 1e-9 and a.exercise != "toe_raise":
            V, heads = body.pose(poser.locals(d, e, ab, 0.0, idle), root0)
            return V, heads, (d, e, ab), 0.0
        # seated with a contact point: lift the leg until the contact is back on the floor
        lift, lo_, hi_ = 0.0, -3.0, 12.0

        def err(x):
            V_, h_ = body.pose(poser.locals(d, e, ab, x, idle), root0)
            return contact_height(V_) - ref_contact, V_, h_

        f0, V, heads = err(0.0)
        if abs(f0) > 2e-4:
            # secant steps (the height is smooth and nearly linear in the lift; a degree
            # of lift raises the shank by about 7.5 mm)
            x0, x1 = 0.0, -f0 / 0.0075
            f1, V, heads = err(x1)
            for _ in range(8):
                if abs(f1) < 5e-5 or f1 == f0:
                    break
                x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
                x2 = min(hi_, max(lo_, x2))
                x0, f0 = x1, f1
                x1 = x2
                f1, V, heads = err(x1)
            lift = x1
        return V, heads, (d, e, ab), lift

    # camera from the first frame's body, plus scene props
    V0, heads0, _, _ = pose_frame(0, 0.0)
    if a.closeup:
        cam = make_closeup_camera(a.closeup, side, body, V0, heads0, lm, width, height, rng_cam,
                                  distance=a.cam_dist, cam_height=a.cam_height)
    else:
        cam = make_camera(view, side, V0, width, height, rng_cam, fill=a.fill, cam_height=a.cam_height,
                          azimuth=a.cam_azimuth, distance=a.cam_dist)
    shake = closeup_shake(np.random.default_rng([a.seed, 9]), a.shake) if a.shake > 0 else None
    props = []
    if kind in ("seated", "crossed"):
        hip = 0.5 * (heads0[body.idx["upperleg01.L"]] + heads0[body.idx["upperleg01.R"]])
        near = (np.abs(V0[:, 0] - hip[0]) < 0.2) & (V0[:, 1] > hip[1] - 0.12) & (V0[:, 1] < hip[1] + 0.15)
        near &= V0[:, 2] < hip[2]
        seat_top = float(V0[near, 2].min()) + 0.012
        sw, sd_, th = 0.44, 0.40, 0.045
        cy = hip[1] + 0.04
        props.append((box((sw, sd_, th), (hip[0], cy, seat_top - th / 2)), (0.36, 0.24, 0.15)))
        leg_h = seat_top - th
        for sx in (-1, 1):
            for sy in (-1, 1):
                props.append((box((0.035, 0.035, leg_h), (hip[0] + sx * (sw / 2 - 0.03), cy + sy * (sd_ / 2 - 0.03),
                                                           leg_h / 2)), (0.30, 0.20, 0.12)))
        props.append((box((sw - 0.06, 0.02, 0.03), (hip[0], cy - sd_ / 2 + 0.03, leg_h * 0.35)), (0.30, 0.20, 0.12)))
    # a wall behind the person, opposite the camera
    cam_xy = cam.pose[:3, 3].copy()
    cam_xy[2] = 0
    back = -unit(cam_xy)
    wall_c = back * 1.6
    wall_n = -back
    wall_t = np.cross(wall_n, (0, 0, 1))
    import trimesh

    wv = np.array([wall_c - wall_t * 6, wall_c + wall_t * 6, wall_c + wall_t * 6 + [0, 0, 3.0],
                   wall_c - wall_t * 6 + [0, 0, 3.0]])
    wall = trimesh.Trimesh(vertices=wv, faces=[[0, 1, 2], [0, 2, 3], [0, 2, 1], [0, 3, 2]], process=False)
    wcol = tuple(float(c) for c in rng_scene.choice([(0.86, 0.84, 0.78), (0.78, 0.82, 0.84), (0.88, 0.86, 0.82)]))
    props.append((wall, wcol))
    face_col = paint(body, outfit)
    renderer = Renderer(width, height, face_col, body.faces, cam, props, rng_scene, shadows=not a.no_shadows,
                        light=a.light)

    if a.preview:
        # the first frame and the top of the first rep side by side, truth points in red
        import cv2

        top = int(np.argmax(sched.progress)) if a.reps else 0
        tiles = []
        for i in (0, top):
            V, heads, _, _ = pose_frame(i, float(sched.t[i]))
            bgr = cv2.cvtColor(renderer.render(V), cv2.COLOR_RGB2BGR)
            for pt in (heads[body.idx[f"lowerleg01.{side}"]], heads[body.idx[f"foot.{side}"]],
                       V[lm["heel"]], V[lm["toe"]], V[lm["malleolus"]]):
                x, y = cam.project(pt)[0]
                cv2.circle(bgr, (int(round(x)), int(round(y))), 3, (0, 0, 255), -1)
            tiles.append(bgr)
        cv2.imwrite(a.preview, np.hstack(tiles))
        renderer.close()
        return {}

    import cv2

    writer = VideoWriter(out / f"{name}.mp4", a.fps, width, height, a.crf)
    rows = []
    heel_rest = None
    t_render = 0.0
    for i in range(n):
        t = float(sched.t[i])
        V, heads, (d, e, ab), lift = pose_frame(i, t)
        knee = heads[body.idx[f"lowerleg01.{side}"]]
        ank = heads[body.idx[f"foot.{side}"]]
        heel, toe, mall = V[lm["heel"]], V[lm["toe"]], V[lm["malleolus"]]
        if heel_rest is None:
            heel_rest = heel[2]
        cam_i = cam if shake is None else shaken(cam, shake(t))
        px = cam_i.project(np.stack([knee, ank, heel, toe, mall]))
        a3 = angle_deg(knee - ank, toe - ank)
        a2 = angle_deg(px[0] - px[1], px[3] - px[1])
        rows.append([
            i, fmt(t, 4), int(sched.rep[i]), sched.phase[i], fmt(sched.progress[i], 4),
            fmt(d, 4), fmt(e, 4), fmt(a3, 4), fmt(a2, 4), fmt(heel[2] - heel_rest, 4),
            *(fmt(c, 2) for c in px.reshape(-1)), fmt(ab, 4),
        ])
        tr = time.time()
        if shake is not None:
            renderer.scene.set_pose(renderer.scene.main_camera_node, cam_i.pose)
        img = renderer.render(V)
        t_render += time.time() - tr
        writer.write(cv2.cvtColor(degrade(img, a.blur, a.noise, rng_noise), cv2.COLOR_RGB2BGR))
    writer.close()
    renderer.close()
    write_truth(out / f"{name}_gt.csv", GT_COLUMNS, rows)

    reps_true = len({r for r in sched.rep[:n] if r > 0})
    meta = {
        "exercise": a.exercise if not negative else None,
        "view": view,
        "recommended_view": view == RECOMMENDED_VIEW[a.exercise] if not negative else None,
        "side": a.side,
        "reps": a.reps if not negative else 0,
        "reps_true": reps_true,
        "amp": a.amp if not negative else 0.0,
        "amp_definition": "deg, change of the exercised angle from rest to the top of a rep",
        "moving_angle": {"dorsiflexion": "dorsiflexion_deg", "eversion": "eversion_deg",
                         "abduction": "abduction_deg"}[joint] if not negative else None,
        "direction": spec["sign"] if not negative else None,
        "base": base,
        "rep_amps": sched.rep_amp,
        "rep_bounds_s": sched.rep_bounds,
        "rep_s": a.rep_s,
        "hold_s": a.hold_s,
        "rest_s": a.rest_s,
        "still_s": a.still_s,
        "tail_s": a.tail_s,
        "jitter": a.jitter,
        "posture": kind,
        "fps": a.fps,
        "size": f"{width}x{height}",
        "seed": a.seed,
        "noise": a.noise,
        "blur": a.blur,
        "shadows": not a.no_shadows,
        "phenotype_preset": ph_preset,
        "phenotype": phen,
        "outfit_preset": of_preset,
        "outfit": {k: (list(v) if isinstance(v, tuple) else v) for k, v in outfit.items()},
        "n_frames": n,
        "duration_s": round(n / a.fps, 3),
        "codec": writer.codec,
        "motion": a.motion,
        "sway_deg": a.sway,
        "drift_deg": a.drift,
        "fill": a.fill,
        "closeup": a.closeup,
        "shake_deg": a.shake,
        "cam_height_m": round(float(cam.pose[2, 3]), 3),
        "cam_dist_m": round(float(np.linalg.norm((cam.pose[:3, 3] - 0.5 * (V0.min(0) + V0.max(0)))[:2])), 3),
        "azimuth_deg": round(float(a.cam_azimuth) if a.cam_azimuth is not None else _azimuth(cam, side), 1),
        "camera": {"pose": np.round(cam.pose, 5).tolist(), "yfov_deg": round(math.degrees(cam.yfov), 3)},
        "landmark_vertices": lm,
        "t_model_s": round(t_model, 3),
        "t_total_s": round(time.time() - t_start, 2),
        "t_render_per_frame_s": round((time.time() - t_start) / max(n, 1), 4),
        "t_gl_per_frame_s": round(t_render / max(n, 1), 4),
        "generator": GENERATOR,
        "command": command_line(a),
        **({"negative": {"posture": kind, "moves": m_n, "move_amp": m_amp, "move_s": m_s,
                         "move_hold_s": m_hold, "move_rest_s": m_rest,
                         "move_amps": msched.rep_amp, "move_bounds_s": msched.rep_bounds}} if negative else {}),
        "notes": ("angles: commanded, relative to the shank, about the ankle joint centre; "
                  "heel_height_m: heel skin vertex lift above its height in frame 0; "
                  "*_x/_y: pixels (knee/ankle = joint centres, heel/toe/malleolus = skin vertices) "
                  "of the moving foot; knee_ankle_toe_*: angle at the ankle between knee and toe"),
    }
    (out / f"{name}_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def _azimuth(cam: Camera, side: str) -> float:
    """The camera's azimuth (deg; 0 = the moving foot's side, 90 = in front)."""
    x, y = cam.pose[0, 3], cam.pose[1, 3]
    lat = 1.0 if side == "L" else -1.0
    return math.degrees(math.atan2(-y, lat * x))


def command_line(a: argparse.Namespace) -> str:
    parts = ["python", GENERATOR]
    if a.motion != "exercise":
        parts += ["--motion", a.motion]
        if a.posture:
            parts += ["--posture", a.posture]
        for flag, val in (("--moves", a.moves), ("--move-amp", a.move_amp), ("--move-s", a.move_s),
                          ("--move-hold-s", a.move_hold_s), ("--move-rest-s", a.move_rest_s),
                          ("--duration", a.duration)):
            if val is not None:
                parts += [flag, f"{val:g}"]
    parts += ["--exercise", a.exercise, "--side", a.side]
    if a.view:
        parts += ["--view", a.view]
    parts += ["--reps", str(a.reps), "--amp", f"{a.amp:g}", "--rep-s", f"{a.rep_s:g}"]
    if a.base is not None:
        parts += ["--base", f"{a.base:g}"]
    for flag, val, default in (("--hold-s", a.hold_s, 0.0), ("--rest-s", a.rest_s, 0.6),
                               ("--still-s", a.still_s, 1.5), ("--tail-s", a.tail_s, 1.0),
                               ("--jitter", a.jitter, 0.06), ("--fps", a.fps, 15.0),
                               ("--noise", a.noise, 2.0), ("--blur", a.blur, 0.5), ("--crf", a.crf, 23)):
        if val != default:
            parts += [flag, f"{val:g}"]
    if a.closeup:
        parts += ["--closeup", a.closeup]
    if a.shake:
        parts += ["--shake", f"{a.shake:g}"]
    if a.size != "640x480":
        parts += ["--size", a.size]
    for flag, val, default in (("--sway", a.sway, 0.0), ("--drift", a.drift, 0.0), ("--fill", a.fill, 0.86)):
        if val != default:
            parts += [flag, f"{val:g}"]
    for flag, val in (("--cam-dist", a.cam_dist), ("--cam-azimuth", a.cam_azimuth), ("--cam-height", a.cam_height)):
        if val is not None:
            parts += [flag, f"{val:g}"]
    parts += ["--phenotype", a.phenotype, "--outfit", a.outfit, "--seed", str(a.seed)]
    if a.no_shadows:
        parts.append("--no-shadows")
    if a.light != 1.0:
        parts += ["--light", f"{a.light:g}"]
    if a.name:
        parts += ["--name", a.name]
    parts += ["--out", str(a.out)]
    return " ".join(parts)


# The committed set in sample_videos/: one clip per exercise in its recommended view plus
# one filmed from the wrong view. `--curated` renders exactly these.
CURATED = [
    "--exercise dorsiflexion --side left --view side --reps 6 --amp 24 --rep-s 2.0 --hold-s 0.5 "
    "--phenotype man --outfit casual --seed 11",
    "--exercise abduction --side right --view front --reps 5 --amp 20 --rep-s 2.5 "
    "--phenotype woman --outfit warm --seed 12",
    "--exercise toe_raise --side right --view side --reps 7 --amp 12 --rep-s 1.5 "
    "--phenotype older_man --outfit home --seed 13",
    "--exercise heel_raise --side left --view side --reps 8 --amp 18 --rep-s 2.0 --hold-s 1.0 "
    "--phenotype slim --outfit sport --seed 14",
    "--exercise eversion --side left --view front --reps 4 --amp 15 --rep-s 3.0 --hold-s 0.5 "
    "--phenotype older_woman --outfit dark --seed 15",
    "--exercise toe_raise --side left --view front --reps 5 --amp 15 --rep-s 2.0 "
    "--phenotype man --outfit sport --seed 16",
]


def _setup_env() -> None:
    os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
    root = Path(__file__).resolve().parents[2] / ".synthcache"
    os.environ.setdefault("ANNY_CACHE_DIR", str(root / "anny"))
    os.environ.setdefault("WARP_CACHE_PATH", str(root / "warp"))
    if not hasattr(np, "infty"):  # pyrender 0.1.45 still uses the alias numpy 2 removed
        np.infty = np.inf


def _check_stack() -> None:
    """Fail early, with the fix, when a piece of the synth stack is missing."""
    try:
        import anny  # noqa: F401
        import pyrender  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"{exc}: install the synth stack (sample_videos/README.md)") from exc
    if os.environ.get("PYOPENGL_PLATFORM") == "osmesa":
        try:
            from OpenGL.osmesa import OSMesaCreateContextAttribs  # noqa: F401
        except ImportError as exc:
            raise SystemExit(
                "PyOpenGL lacks OSMesaCreateContextAttribs (pyrender pins 3.1.0): run "
                "`pip install --no-deps pyopengl==3.1.7`; Debian needs libosmesa6") from exc


def main(argv=None) -> int:
    _setup_env()
    a = build_args(argv)
    _check_stack()
    if a.curated:
        for line in CURATED:
            sub = build_args(line.split() + ["--out", a.out])
            meta = render_clip(sub)
            print(f"{sub.exercise:12s} {meta['view']:7s} {sub.side:5s} reps={meta['reps']} "
                  f"frames={meta['n_frames']} {meta['t_render_per_frame_s']:.3f} s/frame", flush=True)
        return 0
    if a.routine:
        from render_routine import render_routine

        meta = render_routine(a)
        if meta:
            print(json.dumps({k: meta[k] for k in ("routine", "view", "side", "n_frames", "t_render_per_frame_s")}))
        return 0
    meta = render_clip(a)
    if meta:
        print(json.dumps({k: meta[k] for k in ("exercise", "view", "side", "reps", "n_frames",
                                               "t_render_per_frame_s", "codec")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
