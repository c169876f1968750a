"""``python -m tracker`` and the ``tracker`` command: Ctrl-C while the libraries load (the
first ~0.3 s) is one line and exit 130 too, never a traceback."""
import sys


def run(argv: list[str] | None = None) -> int:
    try:
        from tracker.app.cli import main

        return main(argv)
    except KeyboardInterrupt:  # before (or around) main's own handler: nothing was started yet
        print("tracker: interrupted", file=sys.stderr)
        return 130  # tracker.errors.EXIT_INTERRUPTED


if __name__ == "__main__":  # guarded: --jobs spawns workers that re-import the main module
    raise SystemExit(run())
