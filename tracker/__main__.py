from tracker.app.cli import main

if __name__ == "__main__":  # guarded: --jobs spawns workers that re-import the main module
    raise SystemExit(main())
