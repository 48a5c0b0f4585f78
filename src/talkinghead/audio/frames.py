"""Video-frame timing shared by the per-frame features: frame ``i`` covers ``[i / fps, (i + 1) / fps)``.

Shape legend used across ``talkinghead.audio``: ``n`` samples (16 kHz), ``T`` video frames, ``m`` mel frames.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["num_frames", "frame_bounds", "frame_centers", "centered_windows"]


def num_frames(num_samples: int, fps: float, sample_rate: int = 16_000) -> int:
    """Video frames needed to cover ``num_samples``: ``ceil(n * fps / sample_rate)``."""
    return int(math.ceil(num_samples * float(fps) / sample_rate - 1e-9))


def frame_bounds(count: int, fps: float, sample_rate: int = 16_000, first: int = 0) -> np.ndarray:
    """Sample index of the start of frames ``first .. first + count`` (``count + 1`` values, int64)."""
    idx = np.arange(first, first + count + 1, dtype=np.float64)
    return np.round(idx * sample_rate / float(fps)).astype(np.int64)


def frame_centers(count: int, fps: float, first: int = 0) -> np.ndarray:
    """Centre time in seconds of frames ``first .. first + count - 1``: ``(i + 0.5) / fps``; ``(count,)``."""
    return (np.arange(first, first + count, dtype=np.float64) + 0.5) / float(fps)


def centered_windows(wave: np.ndarray, centers: np.ndarray, length: int) -> np.ndarray:
    """``length``-sample windows of ``wave`` centred on the sample indices ``centers`` (zeros outside).

    Returns:
        ``(len(centers), length)`` float32 (a copy).
    """
    half = length // 2
    padded = np.pad(np.asarray(wave, np.float32), (half, length))
    starts = np.clip(np.asarray(centers, np.int64), 0, len(wave))  # index into padded = center - half + half
    view = np.lib.stride_tricks.sliding_window_view(padded, length)
    return view[starts].copy()
