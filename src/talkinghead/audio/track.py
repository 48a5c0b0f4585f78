"""``AudioTrack``: everything the motion stage needs from a speech recording, and ``analyze`` that makes it.

Pipeline per chunk of the recording (long ones are cut at pauses, see :mod:`~talkinghead.audio.chunking`):
16 kHz mono wave, DC removed -> timed phones (:class:`~talkinghead.audio.transcriber.PhoneTranscriber`)
-> viseme segments -> per-frame loudness, f0, voicing, speech activity, visemes and ARKit mouth curves.
:func:`analyze` returns one track for the whole recording; :func:`iter_analyze` streams one track per
chunk with memory that does not grow with the length of the recording (used by ``analyze-audio``).

Shape legend: ``n`` samples at 16 kHz, ``T`` video frames, ``m`` mel frames (80 per second).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from talkinghead.audio.checks import check_levels
from talkinghead.audio.chunking import iter_chunks, remove_dc, speech_mask
from talkinghead.audio.frames import frame_centers, num_frames
from talkinghead.audio.loudness import loudness as measure_loudness
from talkinghead.audio.loudness import relative_loudness
from talkinghead.audio.mel import mel_windows, melspectrogram
from talkinghead.audio.mouth import mouth_curves
from talkinghead.audio.phoneset import SILENCE, Phone, Word
from talkinghead.audio.pitch import pitch
from talkinghead.audio.transcriber import PhoneTranscriber
from talkinghead.audio.visemes import VisemeSegment, frame_visemes, viseme_segments
from talkinghead.errors import AudioContentError, OptionError

__all__ = ["AudioTrack", "analyze", "iter_analyze", "SAMPLE_RATE"]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000


@dataclass(frozen=True, eq=False)
class AudioTrack:
    """A speech recording analysed at a video frame rate.

    Frame ``i`` covers ``[(start_frame + i) / fps, (start_frame + i + 1) / fps)`` seconds of the recording;
    per-frame values are measured around its centre. All times (``phones``, ``words``,
    ``viseme_segments``) are seconds from the start of the recording. A track from :func:`analyze` covers
    the whole recording (``start_frame == 0``); :func:`iter_analyze` yields consecutive chunks.

    Attributes:
        wave: ``(n,)`` float32 in [-1, 1], 16 kHz mono, DC offset removed (30 Hz high-pass).
        sample_rate: 16000.
        fps: video frame rate.
        num_frames: ``T = ceil(n * fps / 16000)``.
        loudness: ``(T,)`` float32, RMS level in dBFS (>= -100); see :attr:`relative_loudness`.
        f0: ``(T,)`` float32 fundamental frequency in Hz (YIN, 60-500 Hz), 0 where unvoiced.
        voiced: ``(T,)`` bool, periodic voicing (``f0 > 0``).
        speaking: ``(T,)`` bool, voice activity: the frame centre lies in a phone that is not silence.
        phones: timed ARPAbet phones (and ``SIL``), sorted, non-overlapping.
        words: timed words (empty when phones came from the phone loop).
        viseme_segments: contiguous viseme segments covering the track (see :mod:`~talkinghead.audio.visemes`).
        visemes: ``(T,)`` int8 viseme id per frame, into :data:`~talkinghead.audio.visemes.VISEMES`.
        mouth: ``(T, 52)`` float32 in [0, 1], ARKit order (:data:`talkinghead.blendshapes.ARKIT_NAMES`);
            mouth and jaw shapes from speech, every other shape 0.
        phone_source: how phones were obtained: ``alignment``, ``recognition``, ``phone-loop`` or ``none``.
        start_frame: global index of frame 0 (0 unless this is a chunk).
        start_sample: global index of sample 0.
    """

    wave: np.ndarray
    sample_rate: int
    fps: float
    num_frames: int
    loudness: np.ndarray
    f0: np.ndarray
    voiced: np.ndarray
    speaking: np.ndarray
    phones: list[Phone]
    words: list[Word]
    viseme_segments: list[VisemeSegment]
    visemes: np.ndarray
    mouth: np.ndarray
    phone_source: str = "none"
    start_frame: int = 0
    start_sample: int = 0

    @property
    def duration(self) -> float:
        """Length of ``wave`` in seconds."""
        return len(self.wave) / self.sample_rate

    @property
    def start_time(self) -> float:
        return self.start_sample / self.sample_rate

    @functools.cached_property
    def mel(self) -> np.ndarray:
        """``(80, m)`` float32 in [-4, 4], ``m = 1 + n // 200``: Wav2Lip's mel of ``wave`` (computed on first use)."""
        return melspectrogram(self.wave)

    def mel_window(self, i: int) -> np.ndarray:
        """``(80, 16)`` float32: the mel window of frame ``i`` (IP-LAP / Wav2Lip indexing, see
        :mod:`~talkinghead.audio.mel`)."""
        if not 0 <= i < max(self.num_frames, 1):
            raise IndexError(f"frame {i} out of range for {self.num_frames} frames")
        return mel_windows(self.mel, int(i), self.fps)

    def mel_windows(self, indices: Iterable[int] | None = None) -> np.ndarray:
        """``(k, 80, 16)`` float32 windows of frames ``indices`` (default: all ``T`` frames)."""
        idx = np.arange(self.num_frames) if indices is None else np.asarray(list(indices), np.int64)
        return mel_windows(self.mel, idx, self.fps)

    @functools.cached_property
    def relative_loudness(self) -> np.ndarray:
        """``(T,)`` float32 in [0, 1]: loudness relative to this track's loud speech (1 = its 95th percentile)."""
        return relative_loudness(self.loudness)

    def frame_times(self) -> np.ndarray:
        """``(T,)`` float64 centre time of each frame, seconds from the start of the recording."""
        return frame_centers(self.num_frames, self.fps, self.start_frame)


# -- loading ----------------------------------------------------------------------------------------------


def _as_fps(fps) -> float:
    try:
        value = float(Fraction(fps)) if isinstance(fps, (str, Fraction)) else float(fps)
    except (TypeError, ValueError, ZeroDivisionError):
        raise OptionError(f"fps must be a positive number, got {fps!r}") from None
    if not np.isfinite(value) or value <= 0 or value > 1000:
        raise OptionError(f"fps must be between 0 and 1000, got {fps!r}")
    return value


def _wave_blocks(audio, sample_rate: int | None, block_seconds: float = 10.0) -> Iterator[np.ndarray]:
    """16 kHz mono float32 blocks from a path or an array (``(n,)`` or ``(n, channels)``)."""
    if isinstance(audio, (str, os.PathLike)):
        from talkinghead.io import iter_audio

        if sample_rate not in (None, SAMPLE_RATE):
            raise OptionError("sample_rate applies to arrays; files are resampled to 16 kHz automatically")
        yield from iter_audio(audio, SAMPLE_RATE, block_seconds)
        return
    wave = np.asarray(audio)
    if wave.ndim == 2:  # (n, channels): average, like read_audio
        wave = wave.mean(axis=1)
    if wave.ndim != 1:
        raise OptionError(f"audio must be a path or an (n,) / (n, channels) array, got shape {wave.shape}")
    if np.issubdtype(wave.dtype, np.integer):
        wave = wave.astype(np.float32) / float(np.iinfo(wave.dtype).max + 1)
    wave = np.nan_to_num(wave.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    rate = SAMPLE_RATE if sample_rate is None else int(sample_rate)
    if rate <= 0:
        raise OptionError(f"sample_rate must be positive, got {sample_rate}")
    if rate != SAMPLE_RATE:
        from talkinghead.audio.resample import resample

        wave = resample(wave, rate, SAMPLE_RATE)
    step = int(block_seconds * SAMPLE_RATE)
    for i in range(0, len(wave), step):
        yield wave[i : i + step]


class _Watch:
    """Passes blocks through while recording what :func:`check_speech` needs (peak level, length,
    clipping), so streaming analysis can apply the same checks as the in-memory one."""

    def __init__(self, blocks: Iterable[np.ndarray]):
        self.blocks, self.samples, self.peak, self.clipped = blocks, 0, 0.0, 0

    def __iter__(self):
        for b in self.blocks:
            self.samples += len(b)
            if len(b):
                mag = np.abs(b)
                self.peak = max(self.peak, float(mag.max()))
                self.clipped += int(np.count_nonzero(mag >= 0.999))
            yield b


# -- analysis ---------------------------------------------------------------------------------------------


def _analyze_chunk(chunk, transcriber: PhoneTranscriber, fps: float, amplitude: float) -> AudioTrack:
    t0 = chunk.start_sample / SAMPLE_RATE
    speech_seconds = float(np.count_nonzero(speech_mask(chunk.wave))) * 0.01 if len(chunk.wave) >= 160 else 0.0
    decoding = transcriber(chunk.wave, speech_seconds, chunk.is_last)
    shift = lambda x: x + t0  # noqa: E731
    phones = [Phone(p.label, shift(p.start), shift(p.end)) for p in decoding.phones]
    words = [Word(w.text, shift(w.start), shift(w.end)) for w in decoding.words]
    T, first = chunk.num_frames, chunk.start_frame
    # chunks start on a frame boundary (iter_chunks), so frame-local measurement on the chunk's wave is exact
    level = measure_loudness(chunk.wave, fps, T, SAMPLE_RATE)
    f0, voiced = pitch(chunk.wave, fps, T, SAMPLE_RATE)
    segments = viseme_segments(phones, t0, max((first + T) / fps, shift(len(chunk.wave) / SAMPLE_RATE)))
    visemes = frame_visemes(segments, T, fps, first)
    speaking = _speaking(phones, T, fps, first)
    mouth = mouth_curves(segments, T, fps, first, relative_loudness(level), amplitude)
    return AudioTrack(
        wave=chunk.wave, sample_rate=SAMPLE_RATE, fps=fps, num_frames=T, loudness=level, f0=f0, voiced=voiced,
        speaking=speaking, phones=phones, words=words, viseme_segments=segments, visemes=visemes, mouth=mouth,
        phone_source=decoding.source, start_frame=first, start_sample=chunk.start_sample,
    )


def _speaking(phones: list[Phone], T: int, fps: float, first: int) -> np.ndarray:
    centers = frame_centers(T, fps, first)
    out = np.zeros(T, bool)
    for p in phones:
        if p.label != SILENCE:
            a, b = np.searchsorted(centers, [p.start, p.end])
            out[a:b] = True
    return out


def iter_analyze(audio, fps: float = 25, transcript: str | None = None, sample_rate: int | None = None,
                 language: str = "en", progress: bool = False, chunk_seconds: float = 30.0,
                 amplitude: float = 1.0, total_seconds: float | None = None) -> Iterator[AudioTrack]:
    """Analyse a recording chunk by chunk; memory stays bounded by ``chunk_seconds`` whatever its length.

    Arguments as :func:`analyze`; ``total_seconds`` (if known) sizes the progress bar. Yields
    :class:`AudioTrack` s of consecutive chunks (``start_frame`` / ``start_sample`` say where each
    begins). The checks of :func:`~talkinghead.audio.checks.check_speech` run as the audio streams: digital
    silence throughout and audio shorter than 0.2 s raise :class:`AudioContentError` after the last chunk.
    """
    fps = _as_fps(fps)
    if not 5.0 <= float(chunk_seconds) <= 600.0:
        raise OptionError(f"chunk_seconds must be between 5 and 600, got {chunk_seconds}")
    if isinstance(audio, (str, os.PathLike)) and total_seconds is None and progress:
        from talkinghead.io import probe

        total_seconds = probe(audio).duration
    watch = _Watch(_wave_blocks(audio, sample_rate))
    name = repr(os.fspath(audio)) if isinstance(audio, (str, os.PathLike)) else "the audio"
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total_seconds or None, unit="s", desc="analyzing audio",
                   bar_format="{l_bar}{bar}| {n:.1f}/{total_fmt} s [{elapsed}<{remaining}]")
    transcriber = PhoneTranscriber(transcript, language)
    try:
        for chunk in iter_chunks(remove_dc(watch), fps, chunk_seconds):
            if chunk.is_last:
                check_levels(watch.samples, watch.peak, watch.clipped, SAMPLE_RATE, name)
            yield _analyze_chunk(chunk, transcriber, fps, amplitude)
            if bar is not None:  # seconds done, never past the total (decoders may round the length up)
                done = (chunk.start_sample + len(chunk.wave)) / SAMPLE_RATE
                bar.update(max(min(done, bar.total or done) - bar.n, 0.0))
    finally:
        transcriber.close()
        if bar is not None:
            bar.close()
    logger.info("phones from %s (%s)", transcriber.source,
                ", ".join(f"{k}: {v} chunk(s)" for k, v in transcriber.sources.items()))


def analyze(audio, fps: float = 25, transcript: str | None = None, sample_rate: int | None = None,
            language: str = "en", progress: bool = False, chunk_seconds: float = 30.0,
            amplitude: float = 1.0) -> AudioTrack:
    """Analyse a speech recording: the one entry point of the audio front-end.

    Args:
        audio: a file path (any format FFmpeg decodes, or a video with an audio track) or a wave array
            ``(n,)`` / ``(n, channels)`` (float in [-1, 1] or integer PCM).
        fps: video frame rate of the per-frame outputs.
        transcript: the words spoken (English); enables forced alignment.
        sample_rate: rate of an array input (default 16 kHz); ignored for files.
        language: ``en`` (default) or another language, decoded with the phone loop.
        progress: show a tqdm progress bar.
        chunk_seconds: longest stretch decoded at once (long recordings are cut at pauses).
        amplitude: scale of mouth opening (1 = natural).

    Returns:
        the whole recording's :class:`AudioTrack` (memory grows with its length: about 6 MB per minute).

    Raises:
        AudioContentError: the audio is digital silence throughout or shorter than 0.2 s.
        AudioReadError: the file cannot be read.
        OptionError: an invalid option.
    """
    chunks = list(iter_analyze(audio, fps, transcript, sample_rate, language, progress, chunk_seconds, amplitude))
    return concatenate(chunks)


def concatenate(chunks: list[AudioTrack]) -> AudioTrack:
    """Join consecutive chunk tracks (from :func:`iter_analyze`) into one track."""
    if not chunks:
        raise AudioContentError("the audio contains no samples")
    if len(chunks) == 1:
        return chunks[0]
    cat = lambda name: np.concatenate([getattr(c, name) for c in chunks])  # noqa: E731
    sources: dict[str, float] = {}
    for c in chunks:
        sources[c.phone_source] = sources.get(c.phone_source, 0.0) + c.duration
    segments: list[VisemeSegment] = []
    for c in chunks:
        for s in c.viseme_segments:
            if segments and segments[-1].viseme == s.viseme == "sil":
                segments[-1] = VisemeSegment("sil", segments[-1].start, s.end)
            else:
                segments.append(s)
    first = chunks[0]
    return AudioTrack(
        wave=cat("wave"), sample_rate=first.sample_rate, fps=first.fps, num_frames=sum(c.num_frames for c in chunks),
        loudness=cat("loudness"), f0=cat("f0"), voiced=cat("voiced"), speaking=cat("speaking"),
        phones=_join_phones([p for c in chunks for p in c.phones]), words=[w for c in chunks for w in c.words],
        viseme_segments=segments, visemes=cat("visemes"), mouth=cat("mouth"),
        phone_source=max(sources, key=sources.get), start_frame=first.start_frame, start_sample=first.start_sample,
    )


def _join_phones(phones: list[Phone]) -> list[Phone]:
    out: list[Phone] = []
    for p in phones:
        if out and p.label == SILENCE == out[-1].label and p.start - out[-1].end < 1e-6:
            out[-1] = Phone(SILENCE, out[-1].start, p.end)
        else:
            out.append(p)
    return out
