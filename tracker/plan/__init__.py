"""A therapist's plan: the prescribed exercises, sets, reps, holds and targets (plan.toml).

``model`` holds the typed plan, ``load`` reads and validates a file (one line per mistake,
naming its line), ``write`` writes one (defaults, or from a few questions).
"""
