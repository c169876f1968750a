"""Stage 4, features → reps: the one rep engine (``engine``), rest and range (``rest``), the
per-rep measurement (``measure``), and its two drivers, ``offline`` (a whole recording) and
``live`` (one frame at a time). Where a rep is decided: ``engine.RepEngine.step``."""
