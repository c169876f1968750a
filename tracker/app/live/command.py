"""``tracker live``: count sets in front of a webcam (or a video standing in for one)."""
from __future__ import annotations

import argparse
import os
import sys

from tracker.app.live.guide import KEY_HELP
from tracker.app.options import add_set_options, saved_in
from tracker.app.plan_use import add_plan_option, plan_options
from tracker.errors import EXIT_INPUT, EXIT_INTERRUPTED, UsageError, printable
from tracker.exercises import DEFAULT_EXERCISE, EXERCISES, ROUTINE
from tracker.records import SetSummary

END_HOLD_S = 3.0  # window mode: the final view stays up this long at the end of a file


def _require_display() -> None:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError("no screen to show the live window on (DISPLAY is not set); run with --headless, "
                         "and --write-video out.mp4 to keep the overlay")


def set_line(s: SetSummary) -> str:
    ex = EXERCISES[s.info.exercise]
    step = f" (set {s.info.plan.set_no} of {s.info.plan.sets})" if s.info.plan else ""
    parts = [f"{ex.title}{step}, {s.info.side}: {s.reps_counted} of {s.info.target} reps"]
    if s.reps_low_confidence:
        parts.append(f"{s.reps_low_confidence} low-confidence")
    if s.mean_rom_deg is not None:
        parts.append(f"mean range {s.mean_rom_deg:.0f} deg, best {s.best_rom_deg:.0f} deg")
    return "; ".join(parts) + "".join(f"\n  warning: {printable(w)}" for w in s.warnings)


def _print_rep(sess, rep) -> None:
    print(f"{'rep' if rep.counted else 'low-confidence rep'} {rep.index}/{sess.target}: "
          f"{rep.rom_deg:.0f} deg{' (' + rep.note + ')' if rep.note else ''}", flush=True)


def run_live(args) -> int:
    # Imported here, not at the top: every command builds the parser, and these bring in
    # numpy and OpenCV, which `history`, `report` and `models` do not need.
    from tracker.app.live.loop import run_session
    from tracker.app.live.preflight import Preflight
    from tracker.app.live.screen import Screen
    from tracker.app.live.session import LiveSession
    from tracker.app.live.speech import Speaker
    from tracker.pose.estimator import PoseEstimator
    from tracker.sinks.history import HistorySink
    from tracker.sources.capture import open_source

    plan, opts = plan_options(args, live=True)
    camera_file = [args.camera] if os.path.exists(args.camera) else []  # a video standing in for the camera
    opts.check_outputs(camera_file, {"--write-video": args.write_video})
    if not args.headless:
        _require_display()
    if args.reconnect_for is not None and not args.reconnect_for >= 0:
        raise UsageError("--reconnect-for needs a number of seconds (0 or more)")
    speaker = Speaker.create(log=lambda m: print(m, file=sys.stderr)) if args.speak else None
    source = open_source(args.camera, reconnect_for=args.reconnect_for)
    recorder, screen = None, None
    try:
        recorder = opts.recorder()  # the CSV files are claimed before the model loads
        estimator = None if args.view == "closeup" else PoseEstimator(opts.model)  # a close-up needs no pose
        session = LiveSession(estimator, opts.exercise or DEFAULT_EXERCISE, side=opts.side, mode=opts.mode,
                              target=opts.target, routine=args.routine, sinks=recorder, source=source.info.name,
                              profile=opts.profile, goal_lookup=opts.goal_lookup(), speaker=speaker,
                              chose_exercise=bool(opts.exercise or args.routine),
                              on_rep=_print_rep if args.headless else None, plan=plan, view=args.view)
        screen = Screen(window=not args.headless, video=args.write_video, fps=source.info.fps)
        # a plan sets the order: no start screen then, only the camera check
        chosen = bool(opts.exercise or args.routine or plan is not None)
        check = not args.no_check and args.view != "closeup"  # the placement check is the body's
        preflight = None if args.headless else Preflight(session, choose=not chosen, check=check)
        try:
            reason = run_session(session, source, screen, realtime=not args.fast or source.info.kind == "camera",
                                 preflight=preflight)
        except KeyboardInterrupt:
            n = sum(s.reps_counted for s in session.sets)
            print(f"tracker: interrupted; the {n} reps counted are saved" + saved_in(opts.csv), file=sys.stderr)
            return EXIT_INTERRUPTED
        for s in session.sets:
            print(set_line(s))
        saved = [printable(p) for p in (opts.csv, opts.summary, args.write_video) if p]
        saved += ["the history"] if recorder.has(HistorySink) else []
        if saved:
            print(f"saved: {', '.join(saved)}")
        if reason == "ended" and not args.headless:
            screen.hold(args.end_hold)
        return 0
    finally:
        if screen is not None:
            screen.close()
        if recorder is not None:
            recorder.release()
        if speaker is not None:
            speaker.close()
        source.close()


def register_cli(sub) -> None:
    p = sub.add_parser(
        "live", help="count a set live in front of a webcam (or a video standing in for one)",
        description="Shows the camera picture with the count, the ankle angle and guidance, and saves each "
                    "rep as it is counted. Keys: " + KEY_HELP + " (Esc also quits).")
    add_set_options(p, exercise_required=False,
                    exercise_help=f" (default {DEFAULT_EXERCISE}; press n to change it while running)")
    p.add_argument("--camera", default="0",
                   help="camera number (0, 1, ...; see 'tracker cameras'), a phone's webcam app by URL (http://..., "
                        "rtsp://...; reconnects by itself), or a video file to play as the camera")
    p.add_argument("--reconnect-for", type=float, metavar="SECONDS",
                   help="how long a network camera may be gone before the session ends (default 60)")
    p.add_argument("--routine", action="store_true",
                   help=f"run the routine in order ({', '.join(ROUTINE)}), moving on at the target, on n, or when you "
                        "take another exercise's position (back to one done too)")
    p.add_argument("--no-check", action="store_true",
                   help="skip the camera placement check before the first set (c opens it later)")
    p.add_argument("--headless", action="store_true", help="no window (print reps; use --write-video to keep the "
                                                           "overlay)")
    p.add_argument("--write-video", metavar="OUT.mp4", help="also write the overlay frames to a video")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--realtime", dest="fast", action="store_false", default=False,
                      help="play a video file at its real speed, like a camera (default)")
    pace.add_argument("--fast", dest="fast", action="store_true",
                      help="process every frame of a video file as fast as possible")
    p.add_argument("--speak", action="store_true", help="say each count aloud (needs pyttsx3)")
    # body by default: the close-up method does not yet count rendered close-ups right (README),
    # and a patient must never see reps counted that were not done
    p.add_argument("--view", choices=("auto", "body", "closeup"), default="body",
                   help="body (default): full-body pose; closeup: the feet filmed from close by (no head in "
                        "view; no pose model; experimental); auto: the body, and the close-up when no person is "
                        "seen for a few seconds while a foot moves")
    add_plan_option(p)
    p.add_argument("--end-hold", type=float, default=END_HOLD_S, help=argparse.SUPPRESS)
    p.set_defaults(func=run_live)
    c = sub.add_parser("cameras", help="list the cameras this computer can open (for live --camera N)")
    c.set_defaults(func=run_cameras)


def run_cameras(args) -> int:
    """The local camera devices that deliver a picture, with their resolution."""
    from tracker.sources.camera import NAME_HINT, list_cameras

    found = list_cameras()
    for index, w, h in found:
        print(f"camera {index}: {w}x{h}  (tracker live --camera {index})")
    if not found:
        print(f"tracker: no camera found on this computer; {NAME_HINT}", file=sys.stderr)
        return EXIT_INPUT
    return 0
