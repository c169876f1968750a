"""Synthetic close-ups with exact truth: a textured shank and foot over a textured floor,
the foot rotating about an ankle pivot, optionally a shaking (hand-held) camera, a whole
leg swinging about the knee, and sensor noise. Pure numpy/cv2, no files.

Why: the three real close-ups are the only ones we have and they are what the method was
tuned on; this scene tests the algorithm with a known angle at every frame.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class SynthFrame:
    index: int
    t: float
    image: np.ndarray


def rep_angles(t: np.ndarray, reps: int, amp_deg: float, start_s: float = 1.5, rep_s: float = 1.2,
               gap_s: float = 0.8) -> np.ndarray:
    """0 at rest; each rep a raised cosine 0 → amp → 0 over ``rep_s``."""
    out = np.zeros_like(t)
    for k in range(reps):
        a = start_s + k * (rep_s + gap_s)
        inside = (t >= a) & (t < a + rep_s)
        out[inside] = amp_deg * 0.5 * (1 - np.cos(2 * math.pi * (t[inside] - a) / rep_s))
    return out


def _texture(rng: np.random.Generator, h: int, w: int, base: int, blur: int = 3) -> np.ndarray:
    tex = rng.normal(0, 45, (h // 4 + 1, w // 4 + 1)).astype(np.float32)
    tex = cv2.resize(tex, (w, h), interpolation=cv2.INTER_CUBIC)[:h, :w]
    tex = cv2.GaussianBlur(tex, (0, 0), blur * 0.5)
    return np.clip(base + tex, 0, 255).astype(np.uint8)


def _rot(center: tuple[float, float], deg: float) -> np.ndarray:
    return cv2.getRotationMatrix2D(center, deg, 1.0)


@dataclass
class Scene:
    """A side view of a foot: ``foot_deg(t)`` about the ankle, ``leg_deg(t)`` the whole leg
    about the knee (compensation), ``shake_px`` the camera's random jitter."""

    size: tuple[int, int] = (360, 640)  # h, w
    fps: float = 30.0
    seconds: float = 10.0
    seed: int = 0
    noise: float = 3.0
    shake_px: float = 0.0
    forearm: bool = False  # a helper's forearm holding the forefoot, fixed to the foot, up out of the picture
    jump_px: tuple[float, float] = (0.0, 0.0)  # the camera knocked: the picture moved this much (x, y) ...
    jump_at_s: float = 0.0  # ... from this time on, and stays there

    def render(self, foot_deg: np.ndarray, leg_deg: np.ndarray | None = None):
        """Yield frames; the truth is ``foot_deg`` (foot relative to the shank)."""
        rng = np.random.default_rng(self.seed)
        h, w = self.size
        floor = _texture(rng, h, w, 110, blur=2)
        skin = _texture(rng, h, w, 170, blur=4)
        sock = _texture(rng, h, w, 200, blur=3)
        knee, ankle = (w * 0.55, -h * 0.2), (w * 0.55, h * 0.62)
        shank_poly = np.array([[knee[0] - 40, knee[1]], [knee[0] + 40, knee[1]],
                               [ankle[0] + 30, ankle[1] + 10], [ankle[0] - 30, ankle[1] + 10]], np.float32)
        foot_poly = np.array([[ankle[0] + 35, ankle[1] - 25], [ankle[0] + 45, ankle[1] + 45],
                              [ankle[0] - 200, ankle[1] + 60], [ankle[0] - 205, ankle[1] + 25],
                              [ankle[0] - 20, ankle[1] - 30]], np.float32)
        arm_tex = _texture(rng, h, w, 140, blur=3) if self.forearm else None
        grip = (ankle[0] - 150, ankle[1] + 10)
        arm_poly = np.array([[grip[0] - 30, grip[1]], [grip[0] + 30, grip[1]], [grip[0] - 120, -40],
                             [grip[0] - 200, -40]], np.float32)
        n = len(foot_deg)
        leg_deg = np.zeros(n) if leg_deg is None else leg_deg
        walk = np.cumsum(rng.normal(0, 1, (n, 3)), axis=0)
        walk -= np.linspace(0, 1, n)[:, None] * walk[-1]  # a jitter that wanders but comes back
        for i in range(n):
            img = floor.copy()
            leg = _rot(knee, leg_deg[i])
            shank_i = cv2.transform(shank_poly[None], leg)[0]
            ank_i = cv2.transform(np.array([[ankle]], np.float32), leg)[0, 0]
            foot_m = np.vstack([_rot(tuple(ank_i), foot_deg[i]) @ np.vstack([leg, [0, 0, 1]])])
            self._paste(img, skin, shank_i, leg)
            self._paste(img, sock, cv2.transform(foot_poly[None], foot_m)[0], foot_m)
            if arm_tex is not None:
                self._paste(img, arm_tex, cv2.transform(arm_poly[None], foot_m)[0], foot_m)
            if self.shake_px or (any(self.jump_px) and i / self.fps >= self.jump_at_s):
                s = self.shake_px * walk[i] / max(1.0, np.abs(walk).max())
                cam = _rot((w / 2, h / 2), 0.3 * s[2])
                cam[:, 2] += s[:2] + (np.array(self.jump_px) if i / self.fps >= self.jump_at_s else 0.0)
                img = cv2.warpAffine(img, cam, (w, h), borderMode=cv2.BORDER_REFLECT)
            img = np.clip(img.astype(np.float32) + rng.normal(0, self.noise, img.shape), 0, 255).astype(np.uint8)
            yield SynthFrame(i, i / self.fps, cv2.cvtColor(img, cv2.COLOR_GRAY2BGR))

    @staticmethod
    def _paste(img: np.ndarray, tex: np.ndarray, poly: np.ndarray, m: np.ndarray) -> None:
        """Texture moving with the body part (warped by ``m``), cut to its polygon."""
        h, w = img.shape
        moved = cv2.warpAffine(tex, m[:2], (w, h), borderMode=cv2.BORDER_REFLECT)
        mask = np.zeros_like(img)
        cv2.fillPoly(mask, [poly.astype(np.int32)], 255)
        img[mask > 0] = moved[mask > 0]

    def times(self) -> np.ndarray:
        return np.arange(int(self.seconds * self.fps)) / self.fps


def write_video(path, amp: float, seconds: float = 7.0, start_s: float = 1.5) -> str:
    """A close-up video file of 3 reps of ``amp`` degrees (mp4v), for the command-line tests."""
    sc = Scene(seconds=seconds)
    h, w = sc.size
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), sc.fps, (w, h))
    for fr in sc.render(rep_angles(sc.times(), 3, amp, start_s=start_s)):
        out.write(fr.image)
    out.release()
    return str(path)
