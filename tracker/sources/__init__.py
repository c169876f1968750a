"""Stage 1, frames in: video files, cameras, image folders, and the newest-frame reader."""
