"""footdrop tracker: counts foot-drop rehabilitation exercises from video with MediaPipe pose."""

__version__ = "0.1.0"
