"""Checks that a recording can drive a talking face (the pipeline's silence / short-audio policy).

``generate`` calls :func:`check_speech` before any rendering; :func:`~talkinghead.audio.analyze` applies
the same checks. Quiet but not silent audio (room noise only) passes: it gives a closed, still mouth.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np

from talkinghead.errors import AudioContentError, InputError

__all__ = ["check_speech", "check_levels", "read_transcript", "MIN_SECONDS"]

logger = logging.getLogger(__name__)

#: Shortest usable audio in seconds (five frames at 25 fps).
MIN_SECONDS = 0.2
_SILENCE_PEAK = 1.0 / 32768  # below one 16-bit step: digital silence


def check_speech(wave: np.ndarray, sample_rate: int = 16_000, name: str = "the audio") -> None:
    """Raise if ``wave`` cannot drive a talking face; warn if it is badly clipped.

    Args:
        wave: ``(n,)`` float samples in [-1, 1].
        sample_rate: its rate in Hz.
        name: how to call the audio in messages (e.g. the file name).

    Raises:
        AudioContentError: shorter than :data:`MIN_SECONDS`, or digital silence throughout (every sample
            below one 16-bit step).
    """
    magnitude = np.abs(np.asarray(wave, np.float32))
    peak = float(magnitude.max()) if magnitude.size else 0.0
    check_levels(magnitude.size, peak, int(np.count_nonzero(magnitude >= 0.999)), sample_rate, name)


def check_levels(num_samples: int, peak: float, clipped: int, sample_rate: int = 16_000,
                 name: str = "the audio") -> None:
    """:func:`check_speech` from a summary (for streamed audio): length in samples, peak magnitude,
    number of samples at full scale."""
    seconds = num_samples / float(sample_rate)
    if seconds < MIN_SECONDS:
        raise AudioContentError(f"{name} is {seconds:.3f} s long; at least {MIN_SECONDS} s of speech is needed")
    if not np.isfinite(peak) or peak < _SILENCE_PEAK:
        raise AudioContentError(f"{name} is digital silence throughout ({seconds:.1f} s); give a recording with speech")
    if clipped > 0.01 * num_samples:
        logger.warning("%.1f%% of the samples of %s are clipped; phones and loudness may be less accurate",
                       100 * clipped / num_samples, name)


def read_transcript(value: str | None) -> str | None:
    """A ``--transcript TEXT|FILE`` value: the file's UTF-8 text when such a file exists, else the text itself.

    Raises:
        InputError: the file exists but is not UTF-8 text.
    """
    if value is None:
        return None
    path = Path(value)
    with contextlib.suppress(OSError, ValueError):
        if len(value) < 4096 and "\n" not in value and path.is_file():
            try:
                return path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(f"transcript file {value!r} is not UTF-8 text") from None
    return value
