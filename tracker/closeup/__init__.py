"""Stage 2b, beside pose: frames of a feet-only close-up → the foot's rotation relative to
the shank, for when the pose model finds no body (``motion``: the maths; ``track``: the pass
over a video). Counted by ``tracker.counting.closeup``; chosen by ``tracker.app.closeup``."""
