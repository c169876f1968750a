"""Stage 3, landmarks → per-frame features: geometry, the exercise signals, filters, and the
gate that says which frames may count."""
