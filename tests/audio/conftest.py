"""Fixtures of the audio tests: synthesized speech resampled to 16 kHz and its analysis, made once."""

from __future__ import annotations

import numpy as np
import pytest

from audio_helpers import SENTENCE, to16k


@pytest.fixture(scope="session")
def speech16k(speech) -> np.ndarray:
    """The ``speech`` fixture (eSpeak, 22050 Hz) at 16 kHz."""
    return to16k(speech.wave, speech.sample_rate)


@pytest.fixture(scope="session")
def aligned_track(speech):
    """``analyze`` of the synthesized sentence with its transcript (forced alignment), 25 fps."""
    from talkinghead.audio import analyze

    return analyze(speech.wave, fps=25, transcript=SENTENCE, sample_rate=speech.sample_rate)
