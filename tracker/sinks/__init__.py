"""Stage 5, reps → outside: the recorder that fans each rep out, CSV files, the history
database, the overlay's view model and drawing, videos and plots. Sinks never recompute
anything from landmarks."""
