"""The developer benchmark: clips with known counts, accuracy (offline and live), speed."""
