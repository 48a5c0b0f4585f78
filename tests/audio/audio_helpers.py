"""Helpers shared by the audio tests."""

from __future__ import annotations

import numpy as np

SENTENCE = "The quick brown fox jumps over the lazy dog. Peter picked a bowl of apples."


def to16k(wave: np.ndarray, rate: int) -> np.ndarray:
    """Resample to 16 kHz (polyphase)."""
    from talkinghead.audio.resample import resample

    return resample(wave, rate)
