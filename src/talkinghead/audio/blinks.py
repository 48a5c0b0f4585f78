"""Seeded random blinks as per-frame eyelid weights (for the ARKit CSV export; the motion stage may reuse it).

Spontaneous blinking in conversation: about 15-20 blinks a minute, each 100-150 ms, closing faster than
it opens (Bentivoglio et al., "Analysis of blink rate patterns in normal subjects", Movement Disorders
1997; Stern et al. 1984 on blink duration). Inter-blink intervals are drawn from a gamma distribution
(shape 3: irregular but never machine-gun fast) with a 0.6 s refractory minimum; the lid closes in the
first 40 % of the blink and opens in the rest, both halves shaped by a raised cosine.
"""

from __future__ import annotations

import numpy as np

from talkinghead.errors import OptionError

__all__ = ["blink_curve"]

_MIN_GAP = 0.6  # seconds between blink starts at least
_SHAPE = 3.0  # gamma shape of the inter-blink interval


def blink_curve(num_frames: int, fps: float, seed: int | np.random.Generator = 0, rate_per_minute: float = 17.0,
                duration: tuple[float, float] = (0.10, 0.15), first: int = 0) -> np.ndarray:
    """Eyelid closure per video frame (the same for both eyes).

    Args:
        num_frames: ``T``; fps: frame rate.
        seed: an int seed or a ``numpy.random.Generator``; the same seed gives the same blinks.
        rate_per_minute: mean blinks per minute (0 for none).
        duration: range of blink durations in seconds (drawn uniformly).
        first: global index of the first frame (blinks are drawn from time 0, so chunks of a long
            recording drawn with the same seed and consecutive ``first`` join seamlessly).

    Returns:
        ``(T,)`` float32 in [0, 1] (1 = fully closed), for ``eyeBlinkLeft`` / ``eyeBlinkRight``.
    """
    if rate_per_minute < 0 or fps <= 0:
        raise OptionError(f"blink rate must be >= 0 and fps > 0 (got {rate_per_minute}, {fps})")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = np.zeros(num_frames, np.float32)
    if rate_per_minute == 0 or num_frames == 0:
        return out
    t0, t1 = first / float(fps), (first + num_frames) / float(fps)
    mean_gap = 60.0 / rate_per_minute
    scale = max(mean_gap - _MIN_GAP, 1e-3) / _SHAPE
    times = (np.arange(num_frames) + first + 0.5) / float(fps)
    t = _MIN_GAP + rng.gamma(_SHAPE, scale) * rng.uniform()  # first blink somewhere in the first interval
    while t < t1:
        length = rng.uniform(*duration)
        if t + length > t0:
            phase = (times - t) / length  # 0..1 over the blink
            closing = np.clip(phase / 0.4, 0, 1)
            opening = np.clip((1 - phase) / 0.6, 0, 1)
            lid = np.where(phase < 0.4, 0.5 - 0.5 * np.cos(np.pi * closing), 0.5 - 0.5 * np.cos(np.pi * opening))
            lid[(phase < 0) | (phase > 1)] = 0
            out = np.maximum(out, lid.astype(np.float32))
        t += _MIN_GAP + rng.gamma(_SHAPE, scale)
    return out
