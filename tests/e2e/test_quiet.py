"""A quiet start: the native libraries' routine log lines appear only with --verbose, and
their errors (a crash message included) are never swallowed."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sample_clip import short_clip

from tracker.app.quiet import is_noise

from conftest import PROJECT

# What `tracker demo` printed before (one of each kind), and lines that must pass.
NATIVE_NOISE = [
    "INFO: [environment.cc:36] Creating LiteRT environment with options",
    "WARNING: [model_load.cc:402] Sparsity tensors may not yet be fully supported.",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    "WARNING: Logging before InitGoogle() is written to STDERR",
    "W0000 00:00:1796197665.787553   14500 inference_runner_litert.cc:1433] Input tensor memory is not aligned",
    "I0000 00:00:1796197665.839577   14500 gl_context.cc:357] GL version: 3.2",
    "[ WARN:0@1.234] global cap_v4l.cpp:999 open VIDEOIO(V4L2:/dev/video0): can't open camera by index",
]
KEPT = [
    "E0000 00:00:1796197665.8   14500 graph.cc:12] Calculator failed",
    "F0000 00:00:1796197665.8   14500 model.cc:99] Check failed: tensor != nullptr",
    "ERROR: failed to load the model",
    "tracker: clip.mp4 does not exist",
    "Traceback (most recent call last):",
]


def test_the_filter_drops_routine_native_lines_and_keeps_errors():
    assert [line for line in NATIVE_NOISE if not is_noise(line)] == []
    assert [line for line in KEPT if is_noise(line)] == []


MARKERS = ("W0000", "I0000", "INFO:", "WARNING:", "Sparsity", "absl", "LiteRT", "XNNPACK")


def _native_lines(text: str) -> list[str]:
    """Native log lines by what they contain (independent of the filter's own pattern)."""
    return [line for line in text.splitlines() if any(m in line for m in MARKERS)]


@pytest.mark.slow
def test_a_command_that_loads_the_model_prints_no_native_log_line_unless_verbose(tmp_path):
    clip = short_clip(tmp_path)
    cmd = [sys.executable, "-m", "tracker", "pose", str(clip), "--model", "lite"]
    quiet = subprocess.run(cmd + ["-o", str(tmp_path / "a.npz")], cwd=PROJECT, capture_output=True, text=True,
                           timeout=300)
    assert quiet.returncode == 0, quiet.stderr[-800:]
    assert "saved" in quiet.stdout
    assert _native_lines(quiet.stdout + quiet.stderr) == []
    verbose = subprocess.run(cmd + ["-o", str(tmp_path / "b.npz"), "--verbose"], cwd=PROJECT, capture_output=True,
                             text=True, timeout=300)
    assert verbose.returncode == 0, verbose.stderr[-800:]
    assert _native_lines(verbose.stderr), "with --verbose the library's own lines are shown"


@pytest.mark.slow
def test_analyze_and_our_own_errors_stay_visible(tmp_path):
    clip = short_clip(tmp_path)
    p = subprocess.run([sys.executable, "-m", "tracker", "analyze", str(clip), "-e", "heel_raise", "--no-history",
                        "--model", "lite"], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-800:]
    assert "heel_raise" in p.stdout and _native_lines(p.stdout + p.stderr) == []
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"not a model")
    p = subprocess.run([sys.executable, "-m", "tracker", "analyze", str(clip), "-e", "heel_raise", "--no-history",
                        "--model", str(bad)], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 3 and p.stderr.startswith("tracker: "), p.stderr[-800:]
    assert "bad.task" in p.stderr


def test_a_native_crash_message_survives_the_crash():
    """Native lines written just before the process aborts still reach the terminal: the
    filter is a separate process, and only routine INFO/WARNING lines are dropped."""
    code = ("import os\n"
            "from tracker.app.quiet import native_logs_hidden\n"
            "with native_logs_hidden():\n"
            "    os.write(2, b'WARNING: [model_load.cc:402] Sparsity tensors may not yet be fully supported.\\n')\n"
            "    os.write(2, b'F0000 00:00:1.0   1 model.cc:99] Check failed: tensor != nullptr\\n')\n"
            "    print('from python', file=__import__('sys').stderr)\n"
            "    os.abort()\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert "Check failed: tensor != nullptr" in p.stderr and "from python" in p.stderr
    assert "Sparsity" not in p.stderr


def _modules_after(code: str) -> list[str]:
    heavy = ("cv2", "numpy", "matplotlib", "scipy", "mediapipe", "sounddevice")
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m for m in {heavy!r} if m in sys.modules)))"
    p = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-800:]
    return p.stdout.split()


def test_the_command_line_starts_without_the_heavy_libraries():
    """`history`, `report` and `models` need none of them; each command imports its own."""
    assert _modules_after("import tracker.app.cli; tracker.app.cli.build_parser()") == []


def test_mediapipe_is_imported_without_matplotlib_and_sounddevice():
    code = ("from tracker.pose.native import import_tasks\n"
            "mp, vision, BaseOptions = import_tasks()\n"
            "assert vision.PoseLandmarker and BaseOptions\n")
    loaded = _modules_after(code)
    assert "mediapipe" in loaded and not {"matplotlib", "sounddevice", "scipy"} & set(loaded)
    # they stay importable, for real, for whoever needs them later (plots, MediaPipe's helpers)
    later = code + ("import matplotlib.pyplot as plt\n"
                    "from mediapipe.tasks.python.vision import drawing_utils\n"
                    "assert drawing_utils.plt.figure is plt.figure and hasattr(plt, 'subplots')\n")
    assert "matplotlib" in _modules_after(later)
