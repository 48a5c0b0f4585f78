"""Helpers shared by the audio tests."""

from __future__ import annotations

import numpy as np

SENTENCE = "The quick brown fox jumps over the lazy dog. Peter picked a bowl of apples."


def to16k(wave: np.ndarray, rate: int) -> np.ndarray:
    """Resample to 16 kHz (polyphase)."""
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, 16_000)
    return resample_poly(wave, 16_000 // g, rate // g).astype(np.float32)
