"""A whole session in one recording: its sets found, each recognised and counted (issue 16).

Why moves first: between two exercises the body changes position (crosses or uncrosses the
leg, stands up or sits down), which carries a knee against the hips, or the hips against the
feet, much farther than any of the exercises does (they move the ankle and foot). Those moves
are found first (``body_tracks``, ``find_moves``) and never belong to a set, so nothing done
while changing position is counted; legs that move and come back where they were (a knee
swing) are said as unrecognised movement and never counted. Between moves, sets are the
active stretches of the foot signals (``segment.activity``); a short burst after which the
foot rests elsewhere (the foot settling between two sets in one position) is dropped before
pauses are bridged. Each set is recognised (``recognise``: the position and view each
exercise entry names, then its own counter must find a rep) and counted by its own
exercise's counter; a stretch no exercise fits, or one the recogniser is unsure of, is
reported, never counted. Thresholds were chosen on the tune half of tests/routine_corpus.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.counting.offline import SetResult, analyze_recording
from tracker.counting.recognise import MIN_CONFIDENCE, Recognition, recognise, to_pixels
from tracker.counting.segment import BURST_GAP_S, MAX_PAUSE_S, MIN_BURST_S, MIN_SET_S, Stretch, _runs, activity, cut
from tracker.exercises import get_exercise
from tracker.pose.landmarks import LEG, SIDES
from tracker.pose.recording import PoseRecording
from tracker.signals.features import SIGNALS, reference_scale, shank_length
from tracker.signals.filters import fill_gaps, quiet_runtime_warnings, smooth_offline

MOVE_WINDOW_S = 1.0  # a move is measured over half of this window before and after each frame
MOVE_SHANKS = 0.2  # a knee (against the hips) or a hip (against its ankle) carried farther: a change of position
MOVE_MIN_S = 0.5  # shorter: a jolt of the landmarks, not a move
MOVE_GAP_S = 0.6  # moves closer than this are one
LEGS_SHANKS = 0.4  # legs that come back: moving this much (80th percentile) is a movement of its own
MOVE_MARGIN_S = 0.6  # the body settles this long on either side of a move
SETTLE_S = 3.0  # a burst shorter than this that ends away from where it began is no rep
SETTLE_STEP = 0.6  # ... "away": its level after moved by this share of its range
SETTLE_LOOK_S = 0.6  # the levels before and after a burst: medians over this long
SET_MARGIN_S = 0.8  # the counter sees this much rest on either side of a set (its baseline)
# Two sets in one position joined (the pause between them no stiller than the sets): a stretch
# is cut at its quietest moments (the mean activity over this window, lowest first) ...
SPLIT_WINDOW_S = 2.0
SPLIT_TRIES = 3  # ... at most this many of them ...
# ... where its two sides show two different exercises (``split_joined``)


@dataclass(frozen=True)
class RoutineSet:
    """One set of the recording: where it is, what it was recognised as, and its count
    (``result`` is None when no exercise was recognised: nothing is counted). A stretch where
    the legs moved and came back (``recognition`` None) is no exercise and never counted."""

    stretch: Stretch
    recognition: Recognition | None
    result: SetResult | None

    @property
    def exercise(self) -> str | None:
        return self.recognition.exercise if self.result is not None else None

    @property
    def span(self) -> tuple[float, float]:
        """Where the set is (s): from its first counted rep's start to its last one's end; the
        active stretch when nothing was counted (activity is judged over a second, so a
        stretch starts a little before the first rep and may run into a change of position)."""
        reps = [r for r in self.result.reps if r.counted] if self.result is not None else []
        if reps:
            return reps[0].start_t, reps[-1].end_t
        return self.stretch.start_s, self.stretch.end_s

    def describe(self) -> str:
        a, b = self.span
        span = f"{a:.1f}-{b:.1f} s"
        if self.recognition is None:
            return f"{span}: unrecognised movement (the legs moved and came back, not only the foot); not counted"
        if self.result is not None:
            return f"{span}: {self.recognition.describe()}"
        if self.recognition.verdict == "unsure":
            return f"{span}: {self.recognition.describe()}; not counted"
        return f"{span}: unrecognised movement ({self.recognition.describe()}); not counted"


@dataclass(frozen=True)
class Routine:
    sets: tuple[RoutineSet, ...]
    moves: tuple[Stretch, ...]  # changes of position (never counted)


def body_tracks(rec: PoseRecording) -> list[np.ndarray]:
    """Where each knee is against the hips' midpoint and each hip against its own ankle,
    smoothed, (N, 2) each, in shank lengths (the body's own scale: near and far cameras
    agree). Relative positions, because a heel raise lifts the whole body (hips, knees and
    ankles together) and a swaying trunk carries the hips a little, while crossing the leg
    moves a knee against the hips and standing up moves the hips against the feet."""
    px = to_pixels(rec)
    t = rec.t
    with quiet_runtime_warnings():
        scale = float(np.nanmedian(np.concatenate([shank_length(px, s) for s in SIDES])))
    if not np.isfinite(scale) or scale <= 0:
        return []
    smooth = lambda x: smooth_offline(fill_gaps(x, t, 0.5), t)  # noqa: E731
    hips = 0.5 * (px[:, LEG["left"]["hip"]] + px[:, LEG["right"]["hip"]])
    rels = [r for side in SIDES for r in (px[:, LEG[side]["knee"]] - hips, px[:, LEG[side]["hip"]] -
                                          px[:, LEG[side]["ankle"]])]
    return [np.stack([smooth(r[:, 0]), smooth(r[:, 1])], axis=1) / scale for r in rels]


def body_motion(rec: PoseRecording, tracks: list[np.ndarray] | None = None) -> np.ndarray:
    """Per frame: the farthest any of ``body_tracks`` goes in half of ``MOVE_WINDOW_S``
    before or after it (a turn, as in crossing the leg and back, stays a move)."""
    tracks = body_tracks(rec) if tracks is None else tracks
    half = max(1, int(round(MOVE_WINDOW_S * rec.fps / 2)))
    out = np.zeros(len(rec.t))
    if len(rec.t) <= half:  # shorter than half the window: too short to have moved
        return out
    for p in tracks:
        ahead = np.vstack([p[half:], np.repeat(p[-1:], half, 0)])
        behind = np.vstack([np.repeat(p[:1], half, 0), p[:-half]])
        far = np.fmax(np.linalg.norm(ahead - p, axis=1), np.linalg.norm(p - behind, axis=1))
        out = np.fmax(out, np.nan_to_num(far))
    return out


def _changes_position(t: np.ndarray, tracks: list[np.ndarray], a: int, b: int) -> bool:
    """The body rests elsewhere after frames [a, b] than before them (a knee swing, a
    shuffle in the chair come back to where they were: they are no change of position)."""
    before = slice(int(np.searchsorted(t, t[a] - SETTLE_LOOK_S)), a + 1)
    after = slice(b, int(np.searchsorted(t, t[b] + SETTLE_LOOK_S, side="right")))
    with quiet_runtime_warnings():
        gone = [np.linalg.norm(np.nanmedian(p[after], axis=0) - np.nanmedian(p[before], axis=0)) for p in tracks]
    return not tracks or bool(np.nanmax(gone) >= MOVE_SHANKS) if np.isfinite(gone).any() else True


def find_moves(t: np.ndarray, motion: np.ndarray, tracks: list[np.ndarray] | None = None,
               came_back: bool = False) -> list[Stretch]:
    """Changes of position: the body carried farther than ``MOVE_SHANKS``, for at least
    ``MOVE_MIN_S``; widened by ``MOVE_MARGIN_S`` on each side (the body settles); given the
    ``tracks``, only where the body then rests in another position (``came_back``: only
    where it rests where it was: the legs moved, as in a knee swing, and no position changed)."""
    on = np.flatnonzero(motion > MOVE_SHANKS)
    wide = []
    for a, b in _runs(t, zip(on, on), MOVE_GAP_S):
        if t[b] - t[a] >= MOVE_MIN_S:
            wide.append((int(np.searchsorted(t, t[a] - MOVE_MARGIN_S)),
                         int(np.searchsorted(t, t[b] + MOVE_MARGIN_S, side="right")) - 1))
    moves = _runs(t, wide, 0.0)
    if tracks is not None:
        moves = [(a, b) for a, b in moves if _changes_position(t, tracks, a, b) != came_back]
    return [Stretch(a, b + 1, float(t[a]), float(t[b])) for a, b in moves]


def _regions(n: int, moves: list[Stretch]) -> list[tuple[int, int]]:
    """The frame ranges [start, end) between moves: where the body stays in one position."""
    out, start = [], 0
    for m in moves:
        if m.start > start:
            out.append((start, m.start))
        start = max(start, m.end)
    if start < n:
        out.append((start, n))
    return out


def foot_signals(rec: PoseRecording) -> list[np.ndarray]:
    """Every foot signal of either leg, smoothed (degrees), as ``segment.activity`` sees them."""
    px = to_pixels(rec)
    out = []
    for side in SIDES:
        scale = reference_scale(px, side)
        out += [smooth_offline(fill_gaps(fn(px, side, scale), rec.t, 0.5), rec.t) for fn in SIGNALS.values()]
    return out


def _settles(t: np.ndarray, signals: list[np.ndarray], a: int, b: int) -> bool:
    """A short burst after which the foot rests somewhere else (it went one way: the foot
    settling, not a rep, which comes back)."""
    if t[b] - t[a] >= SETTLE_S:
        return False
    before = slice(int(np.searchsorted(t, t[a] - SETTLE_LOOK_S)), a + 1)
    after = slice(b, int(np.searchsorted(t, t[b] + SETTLE_LOOK_S, side="right")))
    with quiet_runtime_warnings():
        ranges = [np.nanmax(x[a:b + 1]) - np.nanmin(x[a:b + 1]) if np.isfinite(x[a:b + 1]).any() else 0.0
                  for x in signals]
        x = signals[int(np.argmax(ranges))]
        step = abs(np.nanmedian(x[after]) - np.nanmedian(x[before]))
    return bool(np.isfinite(step) and step >= SETTLE_STEP * max(ranges))


def set_stretches(t: np.ndarray, act: np.ndarray, lo: int, hi: int,
                  signals: list[np.ndarray] | None = None) -> list[Stretch]:
    """Sets inside one position (frames [lo, hi)): bursts of activity, the foot settling
    dropped (given the ``signals``), pauses under ``MAX_PAUSE_S`` bridged, stretches under
    ``MIN_SET_S`` dropped."""
    from tracker.counting.segment import ACTIVE_DEG

    on = lo + np.flatnonzero(act[lo:hi] > ACTIVE_DEG)
    bursts = [(a, b) for a, b in _runs(t, zip(on, on), BURST_GAP_S) if t[b] - t[a] >= MIN_BURST_S]
    kept = [(a, b) for a, b in bursts if signals is None or not _settles(t, signals, a, b)]
    sets = _runs(t, kept, MAX_PAUSE_S)
    return [Stretch(int(a), int(b) + 1, float(t[a]), float(t[b])) for a, b in sets if t[b] - t[a] >= MIN_SET_S]


def _with_margin(t: np.ndarray, s: Stretch, lo: int, hi: int) -> Stretch:
    a = max(lo, int(np.searchsorted(t, s.start_s - SET_MARGIN_S)))
    b = min(hi, int(np.searchsorted(t, s.end_s + SET_MARGIN_S, side="right")))
    return Stretch(a, b, float(t[a]), float(t[b - 1]))


def _quiet_cuts(t: np.ndarray, act: np.ndarray, s: Stretch) -> list[int]:
    """Frames inside ``s``, at least ``MIN_SET_S`` from either end, where the mean activity
    over ``SPLIT_WINDOW_S`` is at a local low, quietest first."""
    n = max(1, int(round(SPLIT_WINDOW_S / float(np.median(np.diff(t)))))) if len(t) > 1 else 1
    mean = np.convolve(act[s.start:s.end], np.ones(n) / n, mode="same")
    inside = [i for i in range(len(mean)) if t[s.start + i] - s.start_s >= MIN_SET_S
              and s.end_s - t[s.start + i] >= MIN_SET_S]
    lows = [i for i in inside if mean[i] <= mean[max(0, i - n // 2): i + n // 2 + 1].min()]
    return [s.start + i for i in sorted(lows, key=lambda i: mean[i])]


def split_joined(rec: PoseRecording, act: np.ndarray, s: Stretch, lo: int, hi: int, side: str = "auto",
                 min_confidence: float = MIN_CONFIDENCE,
                 known: Recognition | None = None) -> list[tuple[Stretch, Recognition]]:
    """A stretch with its recognition, or its parts with theirs where it joins sets of
    different exercises (the pause between them no stiller than the sets, so activity could
    not cut there): at the first of its ``SPLIT_TRIES`` quietest moments (``_quiet_cuts``)
    whose two sides, the quiet ``SPLIT_WINDOW_S`` around it left out, show two different
    exercises' best fits, one side recognised and neither "no exercise". One exercise
    throughout, however long its holds, gives the same best fit on both sides; a view that
    cannot tell two exercises apart leaves both sides unsure, and the stretch whole. Each side
    is cut again the same way (three sets joined), a side already recognised (``known``) only
    where both of its own sides are recognised."""
    t = rec.t

    def judge(p: Stretch, a: int, b: int) -> Recognition:
        return recognise(cut(rec, _with_margin(t, p, a, b)), min_confidence=min_confidence, side=side)

    best = None
    for c in _quiet_cuts(t, act, s)[:SPLIT_TRIES]:
        a, b = int(np.searchsorted(t, t[c] - SPLIT_WINDOW_S / 2)), int(np.searchsorted(t, t[c] + SPLIT_WINDOW_S / 2))
        parts = (Stretch(s.start, a, s.start_s, float(t[a - 1])), Stretch(b, s.end, float(t[b]), s.end_s))
        rs = (judge(parts[0], lo, c), judge(parts[1], c, hi))
        verdicts = {r.verdict for r in rs}
        sure = known is not None and known.verdict == "recognised"
        enough = verdicts == {"recognised"} if sure else "recognised" in verdicts and "none" not in verdicts
        if rs[0].best.exercise != rs[1].best.exercise and enough:
            best = (c, parts, rs)
            break
    if best is None:
        return [(s, known if known is not None else judge(s, lo, hi))]
    c, parts, rs = best
    out: list[tuple[Stretch, Recognition]] = []
    for p, r, (a, b) in zip(parts, rs, ((lo, c), (c, hi))):
        out += split_joined(rec, act, p, a, b, side, min_confidence, known=r)
    return out


def analyse_routine(rec: PoseRecording, side: str = "auto", mode: str = "active", target: int = 10,
                    source: str | None = None, profile: str = "default",
                    min_confidence: float = MIN_CONFIDENCE) -> Routine:
    """Moves found, sets found between them, each set recognised and (when recognised)
    counted with its own exercise's counter over the set and a little rest around it."""
    t, tracks = rec.t, body_tracks(rec)
    motion = body_motion(rec, tracks)
    moves, legs = find_moves(t, motion, tracks), find_moves(t, motion, tracks, came_back=True)
    act, signals = activity(rec), foot_signals(rec)
    # the legs moved and came back, and kept moving (a knee swing): no set, said and not counted;
    # weaker, it is the landmarks of a crossed leg wavering with its foot, and ignored
    legs = [m for m in legs if np.percentile(motion[m.start:m.end], 80) >= LEGS_SHANKS]
    sets = [RoutineSet(m, None, None) for m in legs]
    for lo, hi in _regions(len(t), sorted(moves + legs, key=lambda m: m.start)):
        found = [x for s in set_stretches(t, act, lo, hi, signals)
                 for x in split_joined(rec, act, s, lo, hi, side, min_confidence)]
        for s, r in found:
            part = cut(rec, _with_margin(t, s, lo, hi))
            res = None
            if r.verdict == "recognised":
                res = analyze_recording(part, get_exercise(r.exercise), side, mode, target, source=source,
                                        profile=profile)
            sets.append(RoutineSet(s, r, res))
    return Routine(tuple(sorted(sets, key=lambda x: x.stretch.start)), tuple(moves))
