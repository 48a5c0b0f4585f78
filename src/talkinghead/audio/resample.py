"""Sample-rate conversion of a wave already in memory (files are resampled as they are decoded: ``io.read_audio``)."""

from __future__ import annotations

from math import gcd

import numpy as np

__all__ = ["resample"]


def resample(wave: np.ndarray, rate: int, target_rate: int = 16_000) -> np.ndarray:
    """``wave`` ``(n,)`` (or ``(n, channels)``, along axis 0) from ``rate`` to ``target_rate`` Hz, polyphase
    (``scipy.signal.resample_poly``, Kaiser window), as float32. E.g. eSpeak's 22050 Hz to the 16 kHz of the
    audio front-end: ``resample(speech.wave, speech.sample_rate)``."""
    rate, target_rate = int(rate), int(target_rate)
    if rate <= 0 or target_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {rate} and {target_rate}")
    wave = np.asarray(wave)
    if rate == target_rate:
        return wave.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = gcd(rate, target_rate)
    return resample_poly(wave, target_rate // g, rate // g, axis=0).astype(np.float32)
