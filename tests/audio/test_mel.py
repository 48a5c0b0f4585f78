"""The Wav2Lip mel against a direct numpy reference of the formula, and the papers' window indexing."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.audio.mel import MEL_STEP, mel_filterbank, mel_window_starts, mel_windows, melspectrogram


def reference_mel(x: np.ndarray) -> np.ndarray:
    """Written from the stated formula, frame by frame, with the filters built from their definition."""
    sr, n_fft, hop = 16000, 800, 200
    y = np.array([x[0]] + [x[i] - 0.97 * x[i - 1] for i in range(1, len(x))])  # pre-emphasis
    y = np.pad(y, 400, mode="reflect")  # centred frames, reflect padding
    window = np.array([0.5 - 0.5 * np.cos(2 * np.pi * k / 800) for k in range(800)])  # periodic Hann

    def hz_to_mel(f):  # Slaney: 3 mels per 200 Hz below 1 kHz, then 27 mels per factor 6.4
        return f * 3 / 200 if f < 1000 else 15 + 27 * np.log(f / 1000) / np.log(6.4)

    def mel_to_hz(m):
        return m * 200 / 3 if m < 15 else 1000 * np.exp((m - 15) * np.log(6.4) / 27)

    edges = [mel_to_hz(m) for m in np.linspace(hz_to_mel(55), hz_to_mel(7600), 82)]
    freqs = np.arange(401) * sr / n_fft
    filters = np.zeros((80, 401))
    for b in range(80):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        for k, f in enumerate(freqs):
            if lo < f < hi:
                filters[b, k] = (f - lo) / (mid - lo) if f <= mid else (hi - f) / (hi - mid)
        filters[b] *= 2 / (hi - lo)  # unit area
    out = []
    for t in range(1 + len(x) // hop):
        spectrum = np.abs(np.fft.rfft(y[t * hop : t * hop + n_fft] * window))
        db = 20 * np.log10(np.maximum(1e-5, filters @ spectrum)) - 20
        out.append(np.clip(8 * (db + 100) / 100 - 4, -4, 4))
    return np.array(out).T


def test_mel_matches_reference_formula(speech16k):
    x = speech16k[8000:8000 + 6001].astype(np.float64)  # 0.375 s of speech, length not a multiple of the hop
    mel = melspectrogram(x)
    ref = reference_mel(x)
    assert mel.shape == ref.shape == (80, 1 + 6001 // 200)
    assert mel.dtype == np.float32
    np.testing.assert_allclose(mel, ref, atol=2e-4)
    assert mel.min() >= -4 and mel.max() <= 4 and mel.std() > 0.5  # speech fills the range


def test_filterbank_is_slaney_area_normalised():
    fb = mel_filterbank()
    assert fb.shape == (80, 401)
    df = 16000 / 800
    # every filter has unit area in Hz (up to discretisation; the narrowest filters are coarsest)
    area = fb.sum(axis=1) * df
    assert np.all(np.abs(area[20:] - 1) < 0.05)
    # filters cover 55 .. 7600 Hz and nothing outside
    covered = np.nonzero(fb.sum(axis=0))[0] * df
    assert covered.min() >= 55 and covered.max() <= 7600


def test_silence_is_minus_four_and_length():
    mel = melspectrogram(np.zeros(16000, np.float32))
    assert mel.shape == (80, 81)
    assert np.all(mel == -4)
    assert melspectrogram(np.zeros(100)).shape == (80, 1)  # shorter than the reflect padding


@pytest.mark.parametrize("fps", [25, 30, 30000 / 1001])
def test_window_indexing_follows_wav2lip(fps):
    mel = np.random.default_rng(0).normal(size=(80, 400)).astype(np.float32)
    for i in [0, 1, 7, 50]:
        start = int(80.0 * (i / float(fps)))  # Wav2Lip: start_idx = int(80. * (frame / fps))
        np.testing.assert_array_equal(mel_windows(mel, i, fps), mel[:, start : start + MEL_STEP])
    batch = mel_windows(mel, np.arange(60), fps)
    assert batch.shape == (60, 80, 16)
    np.testing.assert_array_equal(batch[7], mel_windows(mel, 7, fps))
    # past the end, windows stop at the last mel frame (Wav2Lip's last chunk)
    last = mel_windows(mel, 10_000, fps)
    np.testing.assert_array_equal(last, mel[:, -MEL_STEP:])
    assert mel_window_starts(np.array([10_000]), fps, 400)[0] == 400 - MEL_STEP


def test_short_mel_is_padded_with_silence():
    mel = np.zeros((80, 5), np.float32)
    win = mel_windows(mel, 0, 25)
    assert win.shape == (80, 16)
    assert np.all(win[:, :5] == 0) and np.all(win[:, 5:] == -4)
