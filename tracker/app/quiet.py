"""Keep the native libraries' routine log lines off the terminal (shown with --verbose).

Why at the file-descriptor level: MediaPipe, LiteRT, absl and OpenCV write from C++ straight
to fd 2 (~55 lines per model load: "Sparsity tensors may not yet be fully supported" x38,
"W0000 ..." lines); Python's logging never sees them, and the switches meant for them
(GLOG_minloglevel, TF_CPP_MIN_LOG_LEVEL) have no effect on this build. So fd 2 becomes a
pipe into a small filter process that drops INFO and WARNING lines in those libraries'
formats and passes everything else through at once: errors, fatal "Check failed" messages,
a crash report. Being a separate process it keeps forwarding even when this one dies.
Python's own ``sys.stderr`` (our messages, progress bars, tracebacks) is pointed at the
original stream and does not pass through the filter.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager

# INFO:/WARNING: (LiteRT, TFLite), I0000/W0000 00:00:... file.cc:12] (absl, glog),
# [ INFO:0@1.2] / [ WARN:0@1.2] (OpenCV). Errors (E, F, ERROR:) are never dropped.
NOISE = (rb"^(?:(?:INFO|WARNING|VERBOSE\d*): "
         rb"|[IW]\d{4} [\d:.]+ +\d+ [\w.-]+:\d+\] "
         rb"|\[ ?(?:INFO|WARN|DEBUG|VERBOSE):)")

_FILTER = f"""
import os, re, signal
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the tracker, which then closes the pipe
noise = re.compile({NOISE!r})
rest = b""
while True:
    data = os.read(0, 65536)
    if not data:
        break
    *lines, rest = (rest + data).split(b"\\n")
    keep = b"".join(line + b"\\n" for line in lines if not noise.match(line))
    if keep:
        os.write(1, keep)
if rest and not noise.match(rest):
    os.write(1, rest)
"""


def is_noise(line: str) -> bool:
    """True for a routine native log line that the filter drops."""
    return re.match(NOISE, line.encode()) is not None


@contextmanager
def native_logs_hidden(enabled: bool = True):
    """Filter fd 2 for the duration; a no-op when disabled, not on POSIX, or on any failure."""
    if not enabled or os.name != "posix":
        yield
        return
    try:
        sys.stderr.flush()
        original = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen([sys.executable, "-I", "-S", "-c", _FILTER], stdin=read_end,
                                 stdout=original, stderr=original)
    except OSError:
        for fd in (read_end, write_end, original):
            os.close(fd)
        yield
        return
    os.close(read_end)
    python_stderr = _point_python_stderr_at(original)
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        _restore(original, python_stderr, child)


def _point_python_stderr_at(fd: int):
    """Python-level writes go straight to the terminal; only when sys.stderr is fd 2 (not a
    test's capture object). Returns the stream to put back, or None."""
    try:
        if sys.stderr.fileno() != 2:
            return None
    except (AttributeError, OSError, ValueError):
        return None
    saved = sys.stderr
    sys.stderr = os.fdopen(os.dup(fd), "w", buffering=1, encoding=saved.encoding,
                           errors=saved.errors or "backslashreplace")
    return saved


def _restore(original: int, python_stderr, child: subprocess.Popen) -> None:
    if python_stderr is not None:
        ours, sys.stderr = sys.stderr, python_stderr
        try:  # flushed, not closed: a logging handler that took it meanwhile (Dask's) keeps a
            ours.flush()  # usable stream (it writes to the terminal) instead of a closed file
        except (OSError, ValueError):
            pass
    os.dup2(original, 2)  # closes our end of the pipe: the filter sees the end and exits
    os.close(original)
    try:
        child.wait(timeout=5)  # its last lines before our next ones (and the shell prompt)
    except subprocess.TimeoutExpired:  # a child process of ours still holds the pipe
        pass
