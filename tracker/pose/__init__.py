"""Stage 2, frames → landmarks: the MediaPipe estimator, landmark indices, the bundled model
files, landmark recordings (.npz) and their cache."""
