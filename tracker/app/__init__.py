"""Thin commands over the stages: the CLI and its shared options, ``analyze``/``demo``,
``live`` (session, loop, speech), ``history`` and ``report``."""
