"""Per-video-frame fundamental frequency (f0) with YIN.

de Cheveigné & Kawahara, "YIN, a fundamental frequency estimator for speech and music", JASA 2002:
difference function (Eq. 6), cumulative mean normalised difference (Eq. 8), absolute threshold (step 4)
and parabolic interpolation (step 5). One estimate per video frame, on a window centred on the frame's
centre time; the difference function is computed for all frames at once with FFTs.
"""

from __future__ import annotations

import numpy as np

from talkinghead.audio.frames import centered_windows, frame_centers

__all__ = ["pitch", "F0_MIN", "F0_MAX"]

#: Search range of f0 in Hz (covers adult and child speech).
F0_MIN, F0_MAX = 60.0, 500.0
_THRESHOLD = 0.15  # YIN's absolute threshold on the normalised difference
_VOICED_MAX = 0.35  # frames whose best normalised difference exceeds this are unvoiced
_MIN_LEVEL_DB = -55.0  # frames quieter than this are unvoiced


def pitch(wave: np.ndarray, fps: float, num_frames: int, sample_rate: int = 16_000, first: int = 0,
          window_seconds: float = 0.032) -> tuple[np.ndarray, np.ndarray]:
    """f0 and voicing per video frame.

    Args:
        wave: ``(n,)`` float in [-1, 1]; sample 0 is the start of frame ``first``.
        fps: video frame rate; num_frames: ``T``.
        window_seconds: integration window of the difference function (longer than the longest period).

    Returns:
        ``f0`` ``(T,)`` float32 in Hz, 0 where unvoiced; ``voiced`` ``(T,)`` bool (``f0 > 0``).
    """
    tau_min = int(sample_rate / F0_MAX)
    tau_max = int(np.ceil(sample_rate / F0_MIN))
    w = int(window_seconds * sample_rate)
    if num_frames == 0:
        return np.zeros(0, np.float32), np.zeros(0, bool)
    centers = np.round((frame_centers(num_frames, fps, first) - first / float(fps)) * sample_rate).astype(np.int64)
    seg = centered_windows(wave, centers, w + tau_max + 1).astype(np.float64)  # (T, w + tau_max + 1)
    seg -= seg.mean(axis=1, keepdims=True)
    n_fft = 1 << int(np.ceil(np.log2(seg.shape[1] + w)))
    # r(tau) = sum_{j<w} x_j x_{j+tau}  (cross-correlation of the first w samples with the whole segment)
    spec = np.fft.rfft(seg, n_fft, axis=1) * np.conj(np.fft.rfft(seg[:, :w], n_fft, axis=1))
    r = np.fft.irfft(spec, n_fft, axis=1)[:, : tau_max + 1]
    energy = np.concatenate([np.zeros((len(seg), 1)), np.cumsum(seg**2, axis=1)], axis=1)
    taus = np.arange(tau_max + 1)
    e0 = energy[:, w][:, None]  # sum_{j<w} x_j^2
    e_tau = energy[:, taus + w] - energy[:, taus]  # sum_{j<w} x_{j+tau}^2
    diff = np.maximum(e0 + e_tau - 2.0 * r, 0.0)  # Eq. 6 (via Eq. 7)
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * taus[1:] / np.maximum(cumulative, 1e-12)  # Eq. 8

    search = cmnd[:, tau_min : tau_max + 1]
    below = search < _THRESHOLD
    # first dip below the threshold, then walk to its local minimum; else the global minimum
    first_dip = np.where(below.any(axis=1), below.argmax(axis=1), search.argmin(axis=1))
    best = first_dip.copy()
    for _ in range(search.shape[1]):
        nxt = np.minimum(best + 1, search.shape[1] - 1)
        step = search[np.arange(len(best)), nxt] < search[np.arange(len(best)), best]
        if not step.any():
            break
        best = np.where(step, nxt, best)
    rows = np.arange(len(best))
    tau = best + tau_min
    # parabolic interpolation around the minimum (step 5)
    left = cmnd[rows, np.maximum(tau - 1, 1)]
    mid = cmnd[rows, tau]
    right = cmnd[rows, np.minimum(tau + 1, tau_max)]
    denom = left - 2 * mid + right
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    tau_exact = tau + np.clip(shift, -1, 1)

    level = 10 * np.log10(np.maximum(e0[:, 0] / w, 1e-12))
    voiced = (mid < _VOICED_MAX) & (level > _MIN_LEVEL_DB) & (tau > tau_min) & (tau < tau_max)
    f0 = np.where(voiced, sample_rate / tau_exact, 0.0).astype(np.float32)
    return f0, voiced
