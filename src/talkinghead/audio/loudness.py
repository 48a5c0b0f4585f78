"""Per-video-frame loudness: RMS level in dB relative to full scale, and a speaker-relative [0, 1] version.

Frame ``i`` is measured over a window of one frame length (``sample_rate / fps`` samples) centred on its
centre time ``(i + 0.5) / fps``.
"""

from __future__ import annotations

import numpy as np

from talkinghead.audio.frames import centered_windows, frame_centers

__all__ = ["loudness", "relative_loudness", "FLOOR_DB"]

#: Level reported for digital silence.
FLOOR_DB = -100.0


def loudness(wave: np.ndarray, fps: float, num_frames: int, sample_rate: int = 16_000, first: int = 0) -> np.ndarray:
    """RMS level per video frame.

    Args:
        wave: ``(n,)`` float in [-1, 1]; sample 0 is the start of frame ``first``.
        fps: video frame rate.
        num_frames: ``T``, how many frames to measure.
        first: global index of the first frame (the wave of a chunk of a longer recording).

    Returns:
        ``(T,)`` float32 dBFS (``20 log10 rms``; a full-scale square wave is 0, a full-scale sine -3),
        at least :data:`FLOOR_DB`.
    """
    length = max(1, int(round(sample_rate / float(fps))))
    centers = np.round((frame_centers(num_frames, fps, first) - first / float(fps)) * sample_rate).astype(np.int64)
    windows = centered_windows(wave, centers, length).astype(np.float64)
    rms = np.sqrt(np.mean(windows**2, axis=1)) if num_frames else np.zeros(0)
    return np.maximum(20.0 * np.log10(np.maximum(rms, 1e-12)), FLOOR_DB).astype(np.float32)


def relative_loudness(level_db: np.ndarray, range_db: float = 30.0) -> np.ndarray:
    """Loudness relative to the recording's loud speech: 1 at its 95th percentile level, 0 at
    ``range_db`` below (and for anything quieter than -75 dBFS).

    The reference is the 95th percentile of ``level_db``, but never below -45 dBFS, so a quiet,
    speech-free recording is not amplified into "loud".

    Returns:
        ``(T,)`` float32 in [0, 1].
    """
    level_db = np.asarray(level_db, np.float32)
    if level_db.size == 0:
        return level_db.copy()
    ref = max(float(np.percentile(level_db, 95)), -45.0)
    rel = (level_db - (ref - range_db)) / range_db
    return np.clip(rel, 0.0, 1.0).astype(np.float32)
