"""Command line: parse, dispatch to the module that does the work, turn errors into one line.

Every command's logic lives in a module that tests can call directly; this file only maps
options to function arguments. Each ``_add_<command>`` registers one subcommand.
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from tracker import __version__
from tracker.app import analyze, history, plan_cmd, report
from tracker.app.live import command as live_command
from tracker.app.options import add_model_option
from tracker.app.quiet import native_logs_hidden
from tracker.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_RUNTIME, EXIT_USAGE, TrackerError, printable


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line plus a hint, exit code 2."""

    def error(self, message: str):  # noqa: D401
        self.exit(EXIT_USAGE, f"tracker: {printable(message)} (see: {self.prog} --help)\n")


def _add_pose(sub) -> None:
    p = sub.add_parser("pose", help="save every frame's landmarks of a video to a recording (.npz)",
                       description="Run the pose model over a video once and save the landmarks, so "
                                   "analysis can be re-run in seconds (tracker analyze poses.npz).")
    p.add_argument("video", help="video file, image folder or camera index")
    p.add_argument("-o", "--output", required=True, help="recording to write (.npz)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("--image-mode", action="store_true",
                   help="run the model on every frame independently (no tracking); slower")
    add_model_option(p)
    p.set_defaults(func=_run_pose)


def _run_pose(args) -> int:
    from tracker.app.paths import check_distinct, check_output_path, progress_bar
    from tracker.pose.estimator import PoseEstimator
    from tracker.pose.recording import record_video
    from tracker.sources.capture import open_source

    out = check_output_path(args.output, force=args.force, suffix=".npz")
    check_distinct({"--output": out}, [args.video] if Path(args.video).exists() else [])
    with open_source(args.video) as src, \
            PoseEstimator(args.model, mode="image" if args.image_mode else "video", foot_turn=True) as est:
        with progress_bar(src.info.frame_count, desc=Path(src.info.name).name, unit="frame") as bar:
            try:
                rec = record_video(src, est, progress=bar)
            except KeyboardInterrupt as exc:
                partial = getattr(exc, "partial", None)
                if partial is not None:
                    partial.save(out)
                    print(f"interrupted: saved {len(partial)} frames to {printable(out)}", file=sys.stderr)
                return EXIT_INTERRUPTED
    rec.save(out)
    found = int(sum(1 for f in rec.frames() if f.detected))
    print(f"saved {len(rec)} frames ({found} with a person) to {printable(out)}")
    if rec.meta["source"].get("damaged"):
        print(f"tracker: warning: {rec.meta['source']['damaged']}", file=sys.stderr)
    return 0


def _add_models(sub) -> None:
    p = sub.add_parser("models", help="list the pose models, verify them, or build one offline")
    p.add_argument("--build", nargs="+", choices=("lite", "full", "heavy"),
                   help="build these .task bundles from the npm package @mediapipe/pose (needs npm)")
    p.set_defaults(func=_run_models)


def _run_models(args) -> int:
    from tracker.errors import ModelError
    from tracker.pose.model_files import MODEL_NAMES, cache_dir, models_dir, resolve_model

    if args.build:
        import os

        from tracker._models import build_models

        target = models_dir() if os.access(models_dir(), os.W_OK) else cache_dir()
        target.mkdir(parents=True, exist_ok=True)
        build_models.build(list(args.build), None, target)
    found = 0
    for name in MODEL_NAMES:
        try:
            print(f"{name:6s} ok       {printable(resolve_model(name))}")
            found += 1
        except ModelError as exc:
            print(f"{name:6s} missing  {printable(exc)}")
    if not found:
        print("tracker: no pose model is installed; reinstall footdrop tracker or build one: "
              "tracker models --build full", file=sys.stderr)
    return 0 if found else EXIT_INPUT


# Commands that load the pose model: their native libraries' log lines are filtered.
NATIVE_COMMANDS = {"analyze", "demo", "live", "pose"}

# Subcommand registrars, in the order --help lists them: what patients use first (live,
# analyze, demo), then the history, then the tools. Imported directly: a bug in a command
# module fails every command loudly instead of silently removing one.
REGISTRARS = [live_command.register_cli, analyze.register_cli, history.register_cli, report.register_cli,
              plan_cmd.register_cli, _add_pose, _add_models]


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="tracker", description="footdrop tracker: counts foot-drop rehabilitation "
                 "exercises from a webcam or a video and exports what happened.")
    ap.add_argument("--version", action="version", version=f"footdrop tracker {__version__}")
    verbose = "show full error traces and the pose library's own log lines"
    ap.add_argument("--verbose", action="store_true", help=verbose)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in REGISTRARS:
        register(sub)
    for p in sub.choices.values():  # also accepted after the command: `tracker demo --verbose`
        p.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help=verbose)
    return ap



def _on_sigterm(signum, frame):  # turn SIGTERM into the same clean path as Ctrl-C
    raise KeyboardInterrupt


def _escape_unprintable_output() -> None:
    """A terminal that cannot show a character (PYTHONIOENCODING=ascii, a C locale) gets it
    escaped instead of an error after everything was already saved."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # not a text stream we can reconfigure
            pass


def main(argv: list[str] | None = None) -> int:
    _escape_unprintable_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not in the main thread (tests)
        pass
    with native_logs_hidden(args.command in NATIVE_COMMANDS and not args.verbose):
        return _run(args)


def _run(args) -> int:
    try:
        return int(args.func(args) or 0)
    except TrackerError as exc:
        if args.verbose:
            raise
        print(f"tracker: {printable(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tracker: interrupted; what was recorded so far is saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        if args.verbose:
            raise
        print(f"tracker: {exc.strerror or exc} ({printable(getattr(exc, 'filename', '') or 'I/O')}); "
              "check the path, free disk space and permissions", file=sys.stderr)
        return EXIT_RUNTIME
    except Exception as exc:  # last resort: never a bare traceback for a patient
        if args.verbose:
            raise
        print(f"tracker: internal error: {type(exc).__name__}: {printable(exc)} (run with --verbose and report it)",
              file=sys.stderr)
        return EXIT_RUNTIME


if __name__ == "__main__":
    sys.exit(main())
