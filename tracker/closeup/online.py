"""The close-up path frame by frame, for ``tracker live``: the foot found as the video goes.

Offline, ``edgetrack.edge_track`` looks at the whole video before it measures anything.
Live, every frame is aligned to the rest frame (the first) as it comes and what changed
since rest is summed; once something has changed persistently (the foot), its box is
fixed from the frames kept so far, those frames are measured at once (so the first rep is
not lost while the foot was being found), and from then on every frame as it arrives. The
measurement per frame is the offline one (``BoxTurn``: the turn of the changed edges
against the rest frame, nothing chained; ``ShankTurn``: the shank above the foot).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from tracker.closeup.edges import MIN_CHANGE_SHARE, blob_box, change_blobs
from tracker.closeup.edgetrack import BoxTurn, ChangeSum, RestAligner
from tracker.closeup.motion import GRID, to_work_gray, work_scale
from tracker.closeup.shank import ShankTurn, shank_band

FIND_AFTER_S = 2.0  # look for the foot once this much video was seen (1 s: live tune 5/9 exact, 2 s: 7/9) ...
FIND_EVERY_S = 0.5  # ... and again this often until it is found
GROW_EVERY_S = 2.0  # once found, the foot's box grows to what it sweeps later (first reps may be small)
KEEP_S = 15.0  # frames kept for the measurement at the moment the foot is found
KEEP_FRAMES = int(KEEP_S * 60)  # ... and at most this many (timestamps that stop advancing must not fill memory)
SWITCH_SCORE = 1.5  # a found foot still moving goes to a blob elsewhere only when that one scores this much more
# (``change_blobs``, the blobs' own scores): a front view's foot changes in two blobs of about equal score (tune k014:
# the other blob 1.02-1.08x the kept one's at every look), and the box flipped between them as they crossed (4 times),
# every flip a new signal mid-set: live 2 of 5. 1.5 is not tuned on k014's ratio (1.08 would keep it too)
RECENT_S = 3.0  # ... and only while it is still moving: its changed edge weight varied in the last this many seconds
MOVING_SHARE = 0.5  # ... by at least this share of its largest there (a foot goes back toward rest, its changed
# edges come and go; an object moved once and left there, or one that passed and left, changes steadily or not at all)


@dataclass(frozen=True)
class Sample:
    """One measured frame: foot and shank turn from rest (degrees), quality, changed edge weight."""

    t: float
    foot_deg: float
    shank_deg: float
    quality: float
    points: int


class LiveFoot:
    """``push(t, image)`` → the samples measured at this frame: none before the foot is
    found, all the kept frames when it is, then one per frame. The rest frame is the first
    usable one (not a dark frame of a camera starting); when the frame size changes, all
    starts over from that frame (a new rest, the foot found again)."""

    def __init__(self, width: int, height: int):
        self.scale = work_scale(width, height)
        self.aligner: RestAligner | None = None
        self.box: tuple[int, int, int, int] | None = None
        self.moved = False  # the last push found the foot elsewhere: its samples are all the kept frames again
        self._start(None)

    def _start(self, aligner: RestAligner | None) -> None:
        """Everything measured so far dropped; ``aligner`` holds the new rest frame."""
        self.aligner, self.box = aligner, None
        self._turn: BoxTurn | None = None
        self._shank: ShankTurn | None = None
        self._persist = ChangeSum(aligner.rest) if aligner is not None else None
        self._kept: deque[tuple[float, np.ndarray]] = deque(maxlen=KEEP_FRAMES)
        self._wmax = 0.0
        self._weights: deque[tuple[float, float]] = deque()  # (t, changed edge weight in the box) measured lately
        self._next_look = FIND_AFTER_S
        self._t0: float | None = None

    @property
    def found(self) -> bool:
        return self.box is not None

    def push(self, t: float, image: np.ndarray) -> list[Sample]:
        self.moved = False
        g = to_work_gray(image, self.scale)
        if self.aligner is None or g.shape != self.aligner.rest.shape:
            if not (rest := RestAligner(g)).usable:
                return []
            self._start(rest)
        a = self.aligner.align(g, t)
        self._persist.add(a, self.aligner)
        self._t0 = t if self._t0 is None else self._t0
        self._kept.append((t, a))
        while self._kept and t - self._kept[0][0] > KEEP_S:
            self._kept.popleft()
        if t - self._t0 >= self._next_look:
            self._next_look = t - self._t0 + (GROW_EVERY_S if self.found else FIND_EVERY_S)
            was_found = self.found
            if self._look():
                self.moved = was_found
                return self.replay()
        if not self.found:
            return []
        return [self._measure(t, a)]

    def replay(self) -> list[Sample]:
        """Every kept frame measured afresh (the foot was just found)."""
        self._wmax = 0.0
        self._weights.clear()
        self._shank = ShankTurn(self.aligner.rest, self.box)  # its points followed again from rest
        return [self._measure(tp, a) for tp, a in self._kept]

    def _look(self) -> bool:
        """Find the foot (True when just found, or found elsewhere: what moved in the first
        second may have been something else), or grow its box to what it sweeps since. The
        best blob takes a found foot elsewhere only when ``_moves_to`` says so; when it does
        not, the found foot's own blobs still grow its box."""
        share = self._persist.share() if self._persist is not None else None
        if share is None:
            return False
        lab, st, score = change_blobs(share)
        best = int(np.argmax(score)) if len(score) > 1 else 0
        if not best or score[best] <= 0.0:
            return False
        box = blob_box(st[best], share.shape)
        if box[2] - box[0] < 2 * GRID or box[3] - box[1] < 2 * GRID:  # a sliver is no foot
            return False
        if self.found:
            x0, y0, x1, y1 = self.box
            mine = np.unique(lab[y0:y1, x0:x1])
            mine = mine[mine > 0]  # the blobs of the found foot
            if best in mine:
                box = _union(self.box, box)
            elif not _overlap(self.box, box) and not self._moves_to(float(score[mine].sum()), float(score[best])):
                box = self.box  # the move refused: the found foot's own blobs still grow its box
                for k in mine:
                    box = _union(box, blob_box(st[k], share.shape))
            grown = _union(self.box, box)
            if grown == self.box:
                return False
            if _overlap(self.box, box):
                self.box, self._turn = grown, BoxTurn(self.aligner.rest, grown)
                if self._shank is None or shank_band(grown, self.aligner.rest.shape) != self._shank.band:
                    self._shank = self._followed(grown)  # the same band keeps its points (no jump)
                return False
        self.box, self._turn = box, BoxTurn(self.aligner.rest, box)
        return True

    def _moves_to(self, mine: float, other: float) -> bool:
        """Whether a found foot whose blobs score ``mine`` moves to another blob scoring ``other``
        (both scored by ``change_blobs`` on the same change map). While the found box still moves
        (``RECENT_S``), only a far stronger blob takes it (``SWITCH_SCORE``): two blobs of one foot
        must not trade it. A box gone still is left for any stronger blob: the change map sums since
        rest, so a wrong first box (a hand that passed, the other foot moved once and left there)
        keeps its score for long, and a ratio would keep the foot from the real one for many reps."""
        return other >= (SWITCH_SCORE if self._moving() else 1.0) * mine

    def _moving(self) -> bool:
        """The found box's changed edges came and went in the last ``RECENT_S``."""
        w = [x for _, x in self._weights]
        return bool(w) and max(w) > 0 and max(w) - min(w) >= MOVING_SHARE * max(w)

    def _followed(self, box: tuple[int, int, int, int]) -> ShankTurn:
        """A new band's points followed through the kept frames up to now: started from rest
        at the current frame, a turned shank's points would be looked for far from where they
        are and its reading would jump (a review measured 3.5° in one frame)."""
        shank = ShankTurn(self.aligner.rest, box)
        for _, a in list(self._kept)[:-1]:
            shank.turn(a)
        return shank

    def _measure(self, t: float, aligned: np.ndarray) -> Sample:
        """One frame against the rest frame; a frame whose changed edges are few against
        the largest seen so far is at rest (the offline ``turns``, causally)."""
        e = self._turn.turn(aligned)
        self._wmax = max(self._wmax, e.weight)
        self._weights.append((t, e.weight))
        while t - self._weights[0][0] > RECENT_S:
            self._weights.popleft()
        a = 0.0 if e.weight < MIN_CHANGE_SHARE * max(1e-9, self._wmax) else e.angle_deg
        return Sample(t, a, self._shank.turn(aligned), 1.0, int(e.weight))

    def anchor_px(self) -> np.ndarray:
        """The top middle of the foot's box (the ankle's side) in original pixels."""
        if self.box is None:
            return np.full(2, np.nan)
        x0, y0, x1, _ = self.box
        return np.array([(x0 + x1) / 2, y0]) / self.scale

    def foot_size_px(self) -> float:
        if self.box is None:
            return float("nan")
        x0, y0, x1, y1 = self.box
        return max(x1 - x0, y1 - y0) / self.scale


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return not (b[0] >= a[2] or a[0] >= b[2] or b[1] >= a[3] or a[1] >= b[3])


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box holding both."""
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
