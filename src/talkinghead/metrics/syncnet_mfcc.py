"""The MFCC features SyncNet's evaluation network was trained on (python_speech_features' ``mfcc``).

SyncNet (Chung & Zisserman 2016) as released in ``syncnet_python`` (the model Wav2Lip's LSE-C/LSE-D
evaluation uses) takes 13 MFCCs at 100 frames per second computed by ``python_speech_features.mfcc`` with
its defaults on 16 kHz audio read as int16 values. This module reproduces that computation in numpy so the
metric needs no extra package: pre-emphasis 0.97, 25 ms rectangular frames every 10 ms (the last frame
zero-padded), 512-point power spectrum / 512, 26 triangular mel filters over 0-8 kHz with the HTK mel scale
and python_speech_features' bin rounding, log, orthonormal DCT-II, 13 coefficients, sinusoidal liftering
(L = 22), and the first coefficient replaced by the log frame energy. Shape legend: n samples, f frames.
"""

from __future__ import annotations

import numpy as np
from scipy.fft import dct

__all__ = ["syncnet_mfcc", "SYNCNET_SAMPLE_RATE", "MFCC_RATE"]

SYNCNET_SAMPLE_RATE = 16000
MFCC_RATE = 100  # MFCC frames per second (10 ms step)

_WIN = 400  # 25 ms at 16 kHz
_STEP = 160  # 10 ms
_NFFT = 512
_NFILT = 26
_NCEP = 13
_PREEMPH = 0.97
_LIFTER = 22
_EPS = np.finfo(float).eps


def _hz_to_mel(hz):
    return 2595 * np.log10(1 + hz / 700.0)


def _mel_to_hz(mel):
    return 700 * (10 ** (mel / 2595.0) - 1)


def _filterbank(sample_rate: int) -> np.ndarray:
    """(26, 257) triangular mel filters, bins placed as python_speech_features' ``get_filterbanks``."""
    mel_points = np.linspace(_hz_to_mel(0.0), _hz_to_mel(sample_rate / 2), _NFILT + 2)
    bins = np.floor((_NFFT + 1) * _mel_to_hz(mel_points) / sample_rate)
    bank = np.zeros((_NFILT, _NFFT // 2 + 1))
    freqs = np.arange(_NFFT // 2 + 1)
    for j in range(_NFILT):
        lo, mid, hi = bins[j], bins[j + 1], bins[j + 2]
        rise = (freqs >= lo) & (freqs < mid)
        fall = (freqs >= mid) & (freqs < hi)
        bank[j, rise] = (freqs[rise] - lo) / (mid - lo)
        bank[j, fall] = (hi - freqs[fall]) / (hi - mid)
    return bank


def syncnet_mfcc(wave: np.ndarray) -> np.ndarray:
    """13 MFCCs per 10 ms of 16 kHz speech, as SyncNet's evaluation computes them.

    Args:
        wave: (n,) float in [-1, 1], mono, 16 kHz. It is scaled to int16 units first, as the reference reads
            WAV files as int16 (this only shifts the energy coefficient).

    Returns:
        (13, f) float64, f = 1 + ceil((n - 400) / 160) (1 when n <= 400).
    """
    signal = np.asarray(wave, dtype=np.float64) * 32768.0
    signal = np.append(signal[:1], signal[1:] - _PREEMPH * signal[:-1])
    n = len(signal)
    frames = 1 if n <= _WIN else 1 + int(np.ceil((n - _WIN) / _STEP))
    padded = np.concatenate([signal, np.zeros((frames - 1) * _STEP + _WIN - n)])
    index = np.arange(_WIN)[None, :] + _STEP * np.arange(frames)[:, None]
    power = np.abs(np.fft.rfft(padded[index], _NFFT)) ** 2 / _NFFT  # (f, 257)
    energy = power.sum(axis=1)
    energy = np.where(energy == 0, _EPS, energy)
    feat = power @ _filterbank(SYNCNET_SAMPLE_RATE).T
    feat = np.where(feat == 0, _EPS, feat)
    cep = dct(np.log(feat), type=2, axis=1, norm="ortho")[:, :_NCEP]
    cep *= 1 + (_LIFTER / 2.0) * np.sin(np.pi * np.arange(_NCEP) / _LIFTER)
    cep[:, 0] = np.log(energy)
    return cep.T
