"""BlazePose landmark indices and the leg skeleton: the one place landmark numbers live."""
from __future__ import annotations

NUM_LANDMARKS = 33

NOSE = 0
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_PINKY, RIGHT_PINKY = 17, 18
LEFT_INDEX, RIGHT_INDEX = 19, 20
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32

SIDES = ("left", "right")

# Per side (the person's own left/right): the leg chain and the hand points.
LEG = {
    "left": {"hip": LEFT_HIP, "knee": LEFT_KNEE, "ankle": LEFT_ANKLE, "heel": LEFT_HEEL,
             "toe": LEFT_FOOT_INDEX},
    "right": {"hip": RIGHT_HIP, "knee": RIGHT_KNEE, "ankle": RIGHT_ANKLE, "heel": RIGHT_HEEL,
              "toe": RIGHT_FOOT_INDEX},
}
HAND = {
    "left": (LEFT_WRIST, LEFT_PINKY, LEFT_INDEX),
    "right": (RIGHT_WRIST, RIGHT_PINKY, RIGHT_INDEX),
}
FOOT_POINTS = {s: (LEG[s]["ankle"], LEG[s]["heel"], LEG[s]["toe"]) for s in SIDES}

def other_side(side: str) -> str:
    return "right" if side == "left" else "left"
