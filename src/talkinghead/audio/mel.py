"""The Wav2Lip-style mel-spectrogram and its per-video-frame windows.

IP-LAP (Sec. 4, "Implementation Details"), MergeTalk and OSM-Net take their audio features "following [Wav2Lip]":
16 kHz audio, an 80-bin mel-spectrogram with window 800 and hop 200 (80 mel frames per second), and for
video frame ``i`` a 16-frame (0.2 s) slice starting at mel frame ``int(80 * i / fps)``. The constants below
are Wav2Lip's ``hparams.py``; the computation is its ``audio.melspectrogram``:

1. pre-emphasis ``y[n] = x[n] - 0.97 x[n-1]``;
2. STFT, n_fft 800, hop 200, periodic Hann window of 800, centred frames with reflect padding
   (librosa 0.7's defaults, the version Wav2Lip pins), magnitude;
3. Slaney-style mel filterbank, 80 bands from 55 to 7600 Hz, area-normalised (librosa ``filters.mel``);
4. ``20 log10(max(1e-5, mel)) - 20`` (dB relative to ``ref_level_db`` 20);
5. symmetric normalisation ``clip(8 * (S + 100) / 100 - 4, -4, 4)``.

Shapes: ``m`` mel frames = ``1 + n // 200`` for ``n`` samples; windows are ``(80, 16)``.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "SAMPLE_RATE", "N_MELS", "N_FFT", "HOP", "WIN", "PREEMPHASIS", "FMIN", "FMAX", "MAX_ABS", "MIN_LEVEL_DB",
    "REF_LEVEL_DB", "MEL_STEP", "MEL_FPS", "melspectrogram", "mel_filterbank", "mel_window_starts", "mel_windows",
]

SAMPLE_RATE = 16_000
N_MELS = 80
N_FFT = 800
HOP = 200
WIN = 800
PREEMPHASIS = 0.97
FMIN = 55.0
FMAX = 7600.0
MAX_ABS = 4.0
MIN_LEVEL_DB = -100.0
REF_LEVEL_DB = 20.0
#: mel frames per video-frame window (Wav2Lip's ``syncnet_mel_step_size``)
MEL_STEP = 16
#: mel frames per second
MEL_FPS = SAMPLE_RATE / HOP


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa ``hz_to_mel(htk=False)``): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, np.float64)
    f_sp = 200.0 / 3
    mel = hz / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    log_part = min_log_mel + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, log_part, mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel)


@functools.cache
def mel_filterbank(sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS,
                   fmin: float = FMIN, fmax: float = FMAX) -> np.ndarray:
    """Triangular mel filters, Slaney scale and area normalisation (librosa ``filters.mel`` defaults).

    Returns:
        ``(n_mels, 1 + n_fft // 2)`` float64, read-only.
    """
    fft_freqs = np.linspace(0.0, sample_rate / 2, 1 + n_fft // 2)
    mel_freqs = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(mel_freqs)
    ramps = mel_freqs[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_freqs[2:] - mel_freqs[:-2]))[:, None]  # Slaney: each filter has unit area
    weights.flags.writeable = False
    return weights


@functools.cache
def _hann(n: int) -> np.ndarray:
    """Periodic Hann window (``scipy.signal.get_window('hann', n)``)."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def melspectrogram(wave: np.ndarray) -> np.ndarray:
    """Wav2Lip's normalised log-mel spectrogram of a 16 kHz mono wave.

    Args:
        wave: ``(n,)`` float in [-1, 1] at 16 kHz (any length; an empty wave gives one frame).

    Returns:
        ``(80, 1 + n // 200)`` float32 in [-4, 4]; -4 is silence.
    """
    x = np.asarray(wave, np.float64).reshape(-1)
    emphasized = np.empty_like(x)
    if len(x):
        emphasized[0] = x[0]
        emphasized[1:] = x[1:] - PREEMPHASIS * x[:-1]
    pad = N_FFT // 2
    if len(emphasized) > pad:
        padded = np.pad(emphasized, pad, mode="reflect")
    else:  # numpy's reflect needs more samples than the pad; so did librosa (it raised). Zero-pad instead.
        padded = np.pad(emphasized, pad, mode="constant")
    n_frames = 1 + len(x) // HOP
    window = _hann(WIN)
    basis = mel_filterbank()
    out = np.empty((N_MELS, n_frames), np.float32)
    block = 4096  # frames per block: bounded memory for long waves
    for b0 in range(0, n_frames, block):
        idx = np.arange(b0, min(b0 + block, n_frames))
        frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[idx * HOP] * window
        magnitude = np.abs(np.fft.rfft(frames, axis=1)).T  # (401, k)
        db = 20.0 * np.log10(np.maximum(1e-5, basis @ magnitude)) - REF_LEVEL_DB
        norm = 2 * MAX_ABS * ((db - MIN_LEVEL_DB) / -MIN_LEVEL_DB) - MAX_ABS
        out[:, idx] = np.clip(norm, -MAX_ABS, MAX_ABS)
    return out


def mel_window_starts(frame_indices: np.ndarray | int, fps: float, num_mel_frames: int) -> np.ndarray:
    """First mel frame of each video frame's window: ``int(80 * i / fps)``, as Wav2Lip (and IP-LAP,
    MergeTalk, OSM-Net after it) index; windows that would run past the end are moved back so they end
    at the last mel frame (Wav2Lip's inference does the same for its last chunk).

    Returns:
        int64 array shaped like ``frame_indices``.
    """
    idx = np.asarray(frame_indices)
    starts = np.floor(MEL_FPS * idx.astype(np.float64) / float(fps) + 1e-9).astype(np.int64)
    return np.clip(starts, 0, max(num_mel_frames - MEL_STEP, 0))


def mel_windows(mel: np.ndarray, frame_indices, fps: float) -> np.ndarray:
    """Per-video-frame mel windows.

    Args:
        mel: ``(80, m)`` from :func:`melspectrogram`.
        frame_indices: ``(k,)`` video frame indices (or one int).
        fps: video frame rate.

    Returns:
        ``(k, 80, 16)`` float32 (``(80, 16)`` for an int index). A mel shorter than 16 frames is padded
        with silence (-4) on the right.
    """
    mel = np.asarray(mel, np.float32)
    if mel.shape[1] < MEL_STEP:
        mel = np.pad(mel, ((0, 0), (0, MEL_STEP - mel.shape[1])), constant_values=-MAX_ABS)
    scalar = np.ndim(frame_indices) == 0
    starts = mel_window_starts(np.atleast_1d(frame_indices), fps, mel.shape[1])
    cols = starts[:, None] + np.arange(MEL_STEP)[None, :]  # (k, 16)
    windows = np.ascontiguousarray(mel[:, cols].transpose(1, 0, 2))  # (k, 80, 16)
    return windows[0] if scalar else windows
