"""Reading audio as float32 mono at a chosen sample rate.

Any container and codec that PyAV (FFmpeg) decodes works: WAV (8/16/24/32-bit, float), FLAC, AIFF, MP3,
AAC/M4A, Ogg/Opus, and the audio track of a video file. Channels are averaged into mono (not FFmpeg's
downmix, which weighs channels by layout), then resampled with libswresample.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from talkinghead.errors import AudioContentError, AudioReadError
from talkinghead.io._av import open_media

__all__ = ["read_audio", "iter_audio", "write_audio", "DEFAULT_SAMPLE_RATE"]

#: The rate every analysis in this package works at.
DEFAULT_SAMPLE_RATE = 16_000


def iter_audio(
    path: str | os.PathLike, sample_rate: int = DEFAULT_SAMPLE_RATE, block_seconds: float = 10.0
) -> Iterator[np.ndarray]:
    """Stream the first audio track of ``path`` as float32 mono blocks at ``sample_rate``.

    Memory stays bounded by ``block_seconds`` whatever the length of the file (a 2-hour recording is fine).

    Yields:
        ``(n,)`` float32 arrays in [-1, 1]; every block but the last has ``round(block_seconds * sample_rate)``
        samples.

    Raises:
        AudioReadError: missing, empty, undecodable or damaged file.
        AudioContentError: the file has no audio stream.
    """
    import av

    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    block = max(1, int(round(block_seconds * sample_rate)))
    with open_media(path, "audio", AudioReadError) as container:
        if not container.streams.audio:
            raise AudioContentError(f"{str(path)!r} has no audio stream")
        stream = container.streams.audio[0]
        # Keep the channels through resampling (planar float), average them ourselves afterwards.
        resampler = av.AudioResampler(format="fltp", layout=stream.layout.name if stream.layout else None, rate=sample_rate)
        pending: list[np.ndarray] = []
        n_pending = 0

        def resampled(frames):
            for out in frames:
                yield out.to_ndarray().mean(axis=0, dtype=np.float32)

        def decoded():
            for frame in container.decode(stream):
                frame.pts = None  # let the resampler count samples; broken timestamps must not drop audio
                yield from resampled(resampler.resample(frame))
            yield from resampled(resampler.resample(None))

        for chunk in decoded():
            pending.append(chunk)
            n_pending += len(chunk)
            while n_pending >= block:
                joined = np.concatenate(pending)
                yield joined[:block]
                rest = joined[block:]
                pending, n_pending = ([rest] if len(rest) else []), len(rest)
        if n_pending:
            yield np.concatenate(pending)


def read_audio(path: str | os.PathLike, sample_rate: int = DEFAULT_SAMPLE_RATE) -> np.ndarray:
    """Read the first audio track of ``path`` as float32 mono.

    Args:
        path: any file FFmpeg decodes (audio or video with an audio track).
        sample_rate: output rate in Hz (default 16 kHz).

    Returns:
        ``(n,)`` float32 in [-1, 1]. May be shorter than 40 ms; length checks belong to the caller.

    Raises:
        AudioReadError: missing, empty, undecodable or damaged file.
        AudioContentError: the file has no audio stream or no samples.
    """
    blocks = list(iter_audio(path, sample_rate, block_seconds=60.0))
    if not blocks:
        raise AudioContentError(f"{str(path)!r} contains no audio samples")
    return np.concatenate(blocks).astype(np.float32, copy=False)


def write_audio(path: str | os.PathLike, wave: np.ndarray, sample_rate: int, overwrite: bool = False):
    """Write a float wave (``(n,)`` or ``(n, channels)`` in [-1, 1]) as 16-bit PCM WAV, atomically.

    Returns the final path.
    """
    import wave as wavmod

    from talkinghead.io.atomic import atomic_output

    data = np.asarray(wave, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    pcm = (np.clip(data, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with atomic_output(path, overwrite) as tmp:
        with wavmod.open(str(tmp), "wb") as f:
            f.setnchannels(pcm.shape[1])
            f.setsampwidth(2)
            f.setframerate(int(sample_rate))
            f.writeframes(pcm.tobytes())
    from pathlib import Path

    return Path(path)
