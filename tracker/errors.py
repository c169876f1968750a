"""Errors the user sees as one line on stderr, each with its own exit code.

Why: patients and therapists read these, not engineers; the CLI turns any of them into
``tracker: <message>`` and the exit code below, never a traceback (``--verbose`` shows it).
"""
from __future__ import annotations

EXIT_USAGE = 2  # bad options or names (argparse uses 2 as well)
EXIT_INPUT = 3  # a file, camera, model or recording that cannot be used
EXIT_RUNTIME = 4  # something failed while running (disk full, camera lost mid-set, ...)
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM after saving what was recorded


class TrackerError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user, naming problem and fix."""

    exit_code = EXIT_RUNTIME


class UsageError(TrackerError):
    exit_code = EXIT_USAGE


class InputError(TrackerError):
    exit_code = EXIT_INPUT


class ModelError(InputError):
    """The pose model file is missing, damaged or not a PoseLandmarker bundle."""


class RuntimeFailure(TrackerError):
    exit_code = EXIT_RUNTIME


def suggest(name: str, valid: list[str] | tuple[str, ...]) -> str:
    """'did you mean' text for an unknown name, listing the valid ones."""
    import difflib

    close = difflib.get_close_matches(name, list(valid), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{hint}; choose one of: {', '.join(valid)}"


def printable(text: object) -> str:
    """``text`` safe for a terminal: control characters (ANSI escapes, carriage returns,
    bidirectional overrides) and undecodable bytes of file names shown escaped, as ``\\x1b``.

    Why: profile and file names are chosen by whoever named the file; printed raw, they can
    rewrite the terminal. Every name the commands print goes through here.
    """
    import unicodedata

    out = []
    for ch in str(text):
        if "\udc80" <= ch <= "\udcff":  # a byte of a file name that is not UTF-8 (surrogateescape)
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch != "\u200d":  # ZWJ: emoji
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def each_file(files: list, failed, run) -> None:
    """``run(f)`` for each file of a batch. One file's failure is said through ``failed`` and
    skipped, never the end of the batch: a TrackerError as it is, anything unexpected as an
    internal error; a single file's is raised. An OSError (a full disk, a lost drive) always
    ends the batch: the rest would fail the same way."""
    for f in files:
        try:
            run(f)
        except TrackerError as exc:
            if len(files) == 1:
                raise
            failed(str(exc), " (skipped)")
        except OSError:
            raise
        except Exception as exc:
            if len(files) == 1:
                raise
            failed(f"{f}: internal error: {type(exc).__name__}: {exc} (please report it)", " (skipped)")
