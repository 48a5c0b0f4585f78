"""Splitting long recordings at pauses into chunks the decoder handles one by one.

Decoding time and memory grow with the length of an utterance, and a two-hour recording must not be held
in memory at once. Chunks are cut in the middle of the longest pause found in the second half of each
``max_seconds`` stretch, at a video-frame boundary, so the per-frame features of consecutive chunks tile
the recording exactly. The pause detector is a 10 ms energy threshold set between the stretch's noise
floor (10th percentile) and its speech level (95th percentile).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from talkinghead.audio.frames import num_frames

__all__ = ["Chunk", "iter_chunks", "speech_mask", "DC_CUTOFF_HZ", "remove_dc"]

logger = logging.getLogger(__name__)

_HOP = 160  # 10 ms at 16 kHz
#: High-pass corner used to remove DC offset and rumble.
DC_CUTOFF_HZ = 30.0


@dataclass(frozen=True)
class Chunk:
    """A stretch of a recording: ``wave`` ``(n,)`` float32 16 kHz starting at global video frame
    ``start_frame`` (sample ``start_sample``), ``num_frames`` frames long; ``is_last`` for the final one."""

    wave: np.ndarray
    start_sample: int
    start_frame: int
    num_frames: int
    is_last: bool


def _frame_db(wave: np.ndarray) -> np.ndarray:
    n = len(wave) // _HOP
    if n == 0:
        return np.full(1, -100.0)
    power = np.mean(np.asarray(wave[: n * _HOP], np.float64).reshape(n, _HOP) ** 2, axis=1)
    return 10.0 * np.log10(np.maximum(power, 1e-10))


def speech_mask(wave: np.ndarray) -> np.ndarray:
    """Energy-based speech / pause decision per 10 ms frame: ``(n // 160,)`` bool (True = speech)."""
    db = _frame_db(wave)
    floor, top = np.percentile(db, 10), np.percentile(db, 95)
    threshold = floor + max(6.0, 0.25 * (top - floor))
    return (db > threshold) & (db > -60.0)


def _split_point(wave: np.ndarray, lo: int, hi: int, min_pause: float) -> int:
    """Sample index in ``[lo, hi)`` in the middle of the longest pause there (or at the quietest 10 ms)."""
    speech = speech_mask(wave[:hi])
    a, b = lo // _HOP, min(hi // _HOP, len(speech))
    region = ~speech[a:b]
    best_len, best_mid, run = 0, None, 0
    for k, quiet in enumerate(np.append(region, False)):
        if quiet:
            run += 1
        elif run:
            if run >= best_len:
                best_len, best_mid = run, a + k - run // 2
            run = 0
    if best_mid is not None and best_len * _HOP / 16_000 >= min_pause:
        return best_mid * _HOP
    db = _frame_db(wave[a * _HOP : b * _HOP])
    logger.debug("no pause of %.2f s between %.1f s and %.1f s; cutting at the quietest 10 ms", min_pause,
                 lo / 16_000, hi / 16_000)
    return (a + int(np.argmin(db))) * _HOP


def iter_chunks(blocks: Iterable[np.ndarray], fps: float, max_seconds: float = 30.0,
                min_pause: float = 0.15) -> Iterator[Chunk]:
    """Cut a stream of 16 kHz blocks into chunks of at most ``max_seconds``, at pauses.

    Memory holds at most ``2 * max_seconds`` of audio plus one block, whatever the length of the stream.

    Yields:
        :class:`Chunk` s tiling the stream: consecutive frame ranges, the last flagged ``is_last``.
    """
    sr = 16_000
    max_samples = int(max_seconds * sr)
    state = {"buffer": np.zeros(0, np.float32), "sample": 0, "frame": 0}

    def cut() -> Chunk:
        buffer = state["buffer"]
        split = _split_point(buffer, max_samples // 2, max_samples, min_pause)
        frames = max(1, int(round((state["sample"] + split) * float(fps) / sr)) - state["frame"])
        end_sample = int(round((state["frame"] + frames) * sr / float(fps)))
        take = end_sample - state["sample"]
        chunk = Chunk(buffer[:take].copy(), state["sample"], state["frame"], frames, False)
        state.update(buffer=buffer[take:], sample=end_sample, frame=state["frame"] + frames)
        return chunk

    pending: Chunk | None = None  # held back one step so the last chunk can be flagged
    for block in blocks:
        state["buffer"] = np.concatenate([state["buffer"], np.asarray(block, np.float32)])
        while len(state["buffer"]) > 2 * max_samples:
            if pending is not None:
                yield pending
            pending = cut()
    while len(state["buffer"]) > max_samples:
        if pending is not None:
            yield pending
        pending = cut()
    buffer = state["buffer"]
    if len(buffer) or pending is None:
        frames = max(num_frames(state["sample"] + len(buffer), fps, sr) - state["frame"], 0)
        if pending is not None:
            yield pending
        pending = Chunk(buffer, state["sample"], state["frame"], frames, False)
    yield Chunk(pending.wave, pending.start_sample, pending.start_frame, pending.num_frames, True)


def remove_dc(blocks: Iterable[np.ndarray], sample_rate: int = 16_000) -> Iterator[np.ndarray]:
    """High-pass each block of a stream at :data:`DC_CUTOFF_HZ` (2nd-order Butterworth), carrying the
    filter state across blocks: removes DC offset and rumble without touching speech (>= 60 Hz)."""
    from scipy.signal import butter, sosfilt, sosfilt_zi

    sos = butter(2, DC_CUTOFF_HZ, btype="highpass", fs=sample_rate, output="sos")
    zi = None
    for block in blocks:
        block = np.asarray(block, np.float64)
        if zi is None:
            zi = sosfilt_zi(sos) * (block[0] if len(block) else 0.0)
        out, zi = sosfilt(sos, block, zi=zi)
        yield out.astype(np.float32)
