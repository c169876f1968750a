"""The benchmark: accuracy (offline and live) and speed over every clip we can find.

    python -m tracker.bench                  # all clips, lite + full (+ heavy if built)
    python -m tracker.bench --quick          # one sample clip, full model (used by a test)
    python -m tracker.bench --models full --no-cache --speed
    python -m tracker.bench --corpus                 # the generated corpus (tests/corpus), no model
    python -m tracker.bench --corpus DIR --split report --jobs 2
    python -m tracker.bench --corpus --recognise     # --exercise auto: confusion matrices
    python -m tracker.bench --closeup                # close-ups: rendered (tests/closeup_corpus) + real
    python -m tracker.bench --routine                # whole sessions (tests/routine_corpus): per set

Clips: the project's ``sample_videos/`` (truth files), ``../shared/rendered`` (truth
files) and ``../shared/clips`` (hand-counted ``labels.csv``), the last two only when
present. Landmarks are cached per (clip hash, model hash) so re-running the counting part
takes seconds; ``--no-cache`` forces the model to run. The live column plays the landmarks
of every video frame (a camera's rate); offline uses the analysis rate, as ``tracker analyze``.
``--corpus`` runs only the generated corpus, from its landmark recordings (see
``tracker/bench/corpus.py``). Prints Markdown tables, writes JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tracker.bench.accuracy import (
    PATHS,
    markdown_accuracy,
    markdown_closeups,
    markdown_summary,
    run_accuracy,
    summarize,
)
from tracker.bench.clips import discover
from tracker.bench.machine import json_default, machine, peak_rss_mb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tracker.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=None, help="lite full heavy (default: lite full, heavy if built)")
    ap.add_argument("--quick", action="store_true", help="one sample clip, full model, no speed section")
    ap.add_argument("--no-cache", action="store_true", help="run the pose model even if landmarks are cached")
    ap.add_argument("--speed", action="store_true", help="also measure per-stage speed (runs the model)")
    ap.add_argument("--clips", nargs="*", help="only clips whose name contains one of these")
    ap.add_argument("--max-fps", type=float, default=None,
                    help="analysis rate as in 'tracker analyze' (default 15; 0 = every frame)")
    ap.add_argument("--no-shared", action="store_true", help="only the project's sample_videos")
    ap.add_argument("--live-at-analysis-rate", action="store_true",
                    help="live column from the analysis-rate landmarks (default: every video frame)")
    ap.add_argument("--corpus", nargs="?", const="", default=None, metavar="DIR",
                    help="run only the generated corpus (default DIR: tests/corpus), from its recordings")
    ap.add_argument("--split", choices=("tune", "report", "both"), default="both", help="corpus split to run")
    ap.add_argument("--jobs", type=int, default=None, help="corpus: processes (default: all cores)")
    ap.add_argument("--side-known", action="store_true",
                    help="corpus: count the clip's known side (default: --side auto, as 'tracker analyze')")
    ap.add_argument("--recognise", action="store_true",
                    help="corpus: which exercise --exercise auto recognises per clip (confusion matrices)")
    ap.add_argument("--closeup", action="store_true",
                    help="run only the close-up method: rendered close-ups (tests/closeup_corpus) and the real ones")
    ap.add_argument("--no-live", action="store_true", help="closeup, routine: offline only")
    ap.add_argument("--routine", nargs="?", const="", default=None, metavar="DIR",
                    help="whole-session recordings (default DIR: tests/routine_corpus): sets found, recognised, "
                         "counted")
    ap.add_argument("--json", default=None,
                    help="where to write the JSON (default: bench_results.json, corpus_results.json with --corpus)")
    args = ap.parse_args(argv)
    if args.closeup:
        return run_closeup_command(args)
    if args.routine is not None:
        from tracker.bench.routine import run_routine_bench

        return run_routine_bench(args.routine or None, args.split, "known" if args.side_known else "auto", args.json,
                                 live=not args.no_live)
    if args.corpus is not None:
        return run_recognise_command(args) if args.recognise else run_corpus_command(args)
    args.json = args.json or "bench_results.json"

    from tracker.errors import ModelError
    from tracker.pose.model_files import resolve_model

    models = args.models or ["lite", "full"] + (["heavy"] if _has("heavy") else [])
    clips = discover(include_shared=not args.no_shared and not args.quick)
    if args.quick:
        clips = clips[:1]
        models = ["full"]
    if args.clips:
        clips = [c for c in clips if any(k in c.name for k in args.clips)]
    if not clips:
        print("bench: no clips found (sample_videos/ is empty and ../shared is absent)", file=sys.stderr)
        return 3
    for m in models:
        try:
            resolve_model(m)
        except ModelError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 3
    all_rows, summ = [], {}
    t0 = time.perf_counter()
    for m in models:
        print(f"== accuracy, model {m}", file=sys.stderr)
        rows = run_accuracy(clips, m, use_cache=not args.no_cache, log=lambda s: print(s, file=sys.stderr),
                            max_fps=args.max_fps, live_every_frame=not args.live_at_analysis_rate)
        all_rows += rows
        summ[m] = {path: summarize(rows, path) for path in PATHS}
    result = {"machine": machine(), "models": models, "summary": summ, "clips": all_rows}
    text = ["## Accuracy", "", markdown_summary(summ), "", markdown_accuracy(all_rows)]
    if markdown_closeups(all_rows):
        text += ["", "## Real close-ups of the feet, through the close-up method", "", markdown_closeups(all_rows)]
    if args.speed and not args.quick:
        from tracker.bench.speed import markdown_analysis_speed, markdown_speed, run_analysis_speed, run_speed

        print("== speed: recorded-video analysis", file=sys.stderr)
        ana = run_analysis_speed(models, log=lambda s: print(s, file=sys.stderr))
        result["analysis_speed"] = ana
        speed = run_speed(models)
        result["speed"] = speed
        text += ["", "## Speed: recorded-video analysis (`tracker analyze`, "
                     f"analysed at up to {ana[0]['analysis_fps']:g} fps)" if ana else "", "",
                 markdown_analysis_speed(ana), "", "## Speed: live loop", "", markdown_speed(speed, result["machine"])]
    result["peak_rss_mb"] = peak_rss_mb()
    result["elapsed_s"] = time.perf_counter() - t0
    text += ["", f"Machine: {result['machine']['cpu']}, {result['machine']['cores']} cores; "
                 f"benchmark peak RSS {result['peak_rss_mb']:.0f} MB; {result['elapsed_s']:.0f} s."]
    print("\n".join(text))
    Path(args.json).write_text(json.dumps(result, indent=1, default=json_default))
    return 0


def run_corpus_command(args) -> int:
    """``--corpus``: every (clip, exercise) of the corpus offline and live; tables and JSON."""
    from tracker.bench.corpus import CORPUS, ROUTES, SPLITS, discover_corpus, manifest_clips, run_corpus
    from tracker.bench.corpus_tables import corpus_markdown, summarize_corpus
    from tracker.errors import InputError

    folder = Path(args.corpus) if args.corpus else CORPUS
    try:
        cases = discover_corpus(folder, args.split)
    except InputError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 3
    if not cases:
        print(f"bench: no corpus entries in {folder} (split {args.split})", file=sys.stderr)
        return 3
    t0 = time.perf_counter()
    rows = run_corpus(cases, max_fps=args.max_fps, jobs=args.jobs, side="known" if args.side_known else "auto",
                      log=lambda s: print(s, file=sys.stderr))
    elapsed = time.perf_counter() - t0
    clips = {r["clip"] for r in rows}
    unlisted = sorted(set(manifest_clips(folder)) - clips) if args.split == "both" else []
    summ = {sp: {route: summarize_corpus([r for r in rows if r["split"] == sp], route) for route in ROUTES}
            for sp in SPLITS}
    result = {"machine": machine(), "corpus": str(folder), "split": args.split, "summary": summ, "cases": rows,
              "manifest_without_meta": unlisted, "elapsed_s": elapsed, "peak_rss_mb": peak_rss_mb()}
    text = [corpus_markdown(rows), "", f"{len(clips)} clips, {len(rows)} cases (offline + live each) in "
            f"{elapsed:.1f} s on {result['machine']['cores']} cores ({result['machine']['cpu']}); "
            f"peak RSS {result['peak_rss_mb']:.0f} MB."]
    if unlisted:
        text.append(f"In manifest.csv without a meta file: {', '.join(unlisted)}.")
    print("\n".join(text))
    Path(args.json or "corpus_results.json").write_text(json.dumps(result, indent=1, default=json_default))
    return 0


def run_closeup_command(args) -> int:
    """``--closeup``: every rendered and real close-up, offline and live; a table and JSON."""
    from tracker.bench.closeup import discover_real, discover_rendered, markdown, run_case, summarize

    cases = discover_rendered(split=args.split) + ([] if args.no_shared else discover_real())
    if args.clips:
        cases = [c for c in cases if any(k in c.name for k in args.clips)]
    if not cases:
        print("bench: no close-up clips (tests/closeup_corpus is empty and ../shared is absent)", file=sys.stderr)
        return 3
    t0 = time.perf_counter()
    rows = []
    for c in cases:
        rows.append(run_case(c, live=not args.no_live))
        print(f"{c.name}: true {c.true_reps}, counted {rows[-1]['counted']}", file=sys.stderr)
    result = {"machine": machine(), "rows": rows, "elapsed_s": time.perf_counter() - t0,
              "summary": {sp: summarize([r for r in rows if r["split"] == sp]) for sp in ("tune", "report", "real")}}
    print(markdown(rows) + f"\n\n{len(rows)} clips in {result['elapsed_s']:.0f} s ({result['machine']['cpu']}).")
    Path(args.json or "closeup_results.json").write_text(json.dumps(result, indent=1, default=json_default))
    return 0


def run_recognise_command(args) -> int:
    """``--corpus --recognise``: the recogniser on every clip; tables and JSON."""
    from tracker.bench.corpus import CORPUS
    from tracker.bench.recognition import corpus_clips, markdown_recognition, run_recognition, summarize

    folder = Path(args.corpus) if args.corpus else CORPUS
    clips = corpus_clips(folder, args.split)
    if not clips:
        print(f"bench: no corpus entries in {folder} (split {args.split})", file=sys.stderr)
        return 3
    t0 = time.perf_counter()
    rows = run_recognition(clips, max_fps=args.max_fps, jobs=args.jobs)
    elapsed = time.perf_counter() - t0
    result = {"machine": machine(), "corpus": str(folder), "split": args.split, "rows": rows,
              "summary": {sp: summarize([r for r in rows if r["split"] == sp]) for sp in ("tune", "report")},
              "elapsed_s": elapsed}
    print(markdown_recognition(rows) + f"\n\n{len(rows)} clips in {elapsed:.1f} s.")
    Path(args.json or "recognition_results.json").write_text(json.dumps(result, indent=1, default=json_default))
    return 0


def _has(model: str) -> bool:
    from tracker.errors import ModelError
    from tracker.pose.model_files import resolve_model

    try:
        resolve_model(model, verify=False)
        return True
    except ModelError:
        return False


if __name__ == "__main__":
    sys.exit(main())
