import numpy as np
import pytest

from talkinghead.audio.resample import resample


def test_resample_keeps_a_tone_and_the_duration():
    t = np.arange(22050) / 22050
    out = resample(np.sin(2 * np.pi * 1000 * t), 22050, 16000)
    assert out.dtype == np.float32 and len(out) == 16000
    spectrum = np.abs(np.fft.rfft(out[1000:-1000] * np.hanning(14000)))
    assert abs(np.argmax(spectrum) * 16000 / 14000 - 1000) < 2


def test_resample_channels_and_identity():
    stereo = np.random.default_rng(0).normal(size=(4410, 2))
    assert resample(stereo, 44100, 16000).shape == (1600, 2)
    same = np.ones(10, np.float32)
    assert resample(same, 16000) is same
    with pytest.raises(ValueError):
        resample(same, 0)
