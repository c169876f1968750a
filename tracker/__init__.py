"""footdrop tracker: counts foot-drop rehabilitation exercises from video with MediaPipe pose.

The pipeline, one folder per stage, data flowing one way (each stage imports only from the
ones before it; ``tests/unit/test_layout.py`` checks it):

1. ``sources``  frames in: video files, cameras, image folders
2. ``pose``     frames → landmarks (MediaPipe), landmark recordings and their cache
3. ``signals``  landmarks → per-frame features of each leg; the gate (which frames count)
4. ``counting`` features → reps: the one rep engine, driven ``offline`` or ``live``
5. ``sinks``    reps → CSV, history, the overlay (view model + drawing), videos, plots
6. ``app``      the commands: ``live``, ``analyze``/``demo``, ``history``, ``report``
7. ``bench``    the developer benchmark

Shared vocabulary sits at the top: ``exercises`` (one entry per exercise), ``records``
(Rep, SetInfo, SetSummary, CountState), ``errors``, ``files``.
"""

__version__ = "0.1.0"
