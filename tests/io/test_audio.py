import numpy as np
import pytest

from talkinghead.errors import AudioContentError, AudioReadError
from talkinghead.io import VideoWriter, iter_audio, read_audio, write_audio


def _tone(freq: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_frequency(wave: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    return float(np.fft.rfftfreq(len(wave), 1 / rate)[spectrum.argmax()])


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_resamples_to_16k_keeping_pitch_and_length(tmp_path, rate):
    path = write_audio(tmp_path / f"tone_{rate}.wav", _tone(440.0, 1.0, rate), rate)
    wave = read_audio(path)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert abs(len(wave) - 16000) <= 2
    assert abs(_peak_frequency(wave, 16000) - 440.0) < 2.0
    assert 0.45 < np.abs(wave[1000:-1000]).max() < 0.55


def test_48k_stereo_is_averaged_to_mono(tmp_path):
    left = _tone(440.0, 1.0, 48000)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    wave = read_audio(write_audio(tmp_path / "stereo.wav", stereo, 48000))
    assert abs(len(wave) - 16000) <= 2
    assert 0.2 < np.abs(wave[1000:-1000]).max() < 0.3  # half of 0.5


def test_six_channels(tmp_path):
    chans = np.stack([_tone(220.0 * (i + 1), 0.5, 48000) for i in range(6)], axis=1)
    wave = read_audio(write_audio(tmp_path / "six.wav", chans, 48000))
    assert abs(len(wave) - 8000) <= 2
    expected = chans.mean(axis=1)[::3]  # 48k -> 16k is every third sample for band-limited content
    assert np.abs(wave[500:-500] - expected[500 : len(wave) - 500]).max() < 0.05


def test_requested_rate(tmp_path):
    path = write_audio(tmp_path / "a.wav", _tone(300.0, 0.5, 16000), 16000)
    assert abs(len(read_audio(path, sample_rate=48000)) - 24000) <= 3


def test_shorter_than_40ms(tmp_path):
    path = write_audio(tmp_path / "short.wav", _tone(440.0, 0.03, 16000), 16000)
    wave = read_audio(path)
    assert len(wave) == 480


def test_iter_audio_blocks_concatenate_to_read_audio(tmp_path):
    path = write_audio(tmp_path / "a.wav", _tone(500.0, 2.3, 44100), 44100)
    blocks = list(iter_audio(path, 16000, block_seconds=0.5))
    assert all(len(b) == 8000 for b in blocks[:-1]) and 0 < len(blocks[-1]) <= 8000
    np.testing.assert_allclose(np.concatenate(blocks), read_audio(path), atol=1e-6)


def test_text_file_named_wav(tmp_path):
    path = tmp_path / "speech.wav"
    path.write_text("this is not audio at all\n" * 20)
    with pytest.raises(AudioReadError) as info:
        read_audio(path)
    assert "\n" not in str(info.value)


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.touch()
    with pytest.raises(AudioReadError, match="empty"):
        read_audio(path)


def test_missing_file(tmp_path):
    with pytest.raises(AudioReadError, match="does not exist"):
        read_audio(tmp_path / "nothing.flac")


def test_video_without_audio(tmp_path):
    path = tmp_path / "silent video.mp4"
    with VideoWriter(path, 25) as writer:
        for _ in range(5):
            writer.write(np.zeros((32, 32, 3), np.uint8))
    with pytest.raises(AudioContentError, match="no audio stream"):
        read_audio(path)


def test_unicode_path(tmp_path):
    folder = tmp_path / "voix enregistrée 录音"
    folder.mkdir()
    path = write_audio(folder / "ça va.wav", _tone(440.0, 0.2, 16000), 16000)
    assert len(read_audio(path)) == 3200


@pytest.mark.real_media
@pytest.mark.parametrize(
    "name, seconds",
    [
        ("en_short.wav", 2.74),
        ("fr_short.aiff", 2.53),
        ("mono_8bit_44k.wav", 2.74),
        ("stereo_24bit_44k.flac", 2.74),
        ("zh_short.flac", 0.96),
        ("librispeech/1688-142285-0002.flac", 2.83),
    ],
)
def test_real_audio_formats(media_dir, name, seconds):
    wave = read_audio(media_dir / "audio" / name)
    assert abs(len(wave) / 16000 - seconds) < 0.02
    assert 0.05 < np.abs(wave).max() <= 1.0
    assert np.sqrt(np.mean(wave**2)) > 0.005  # real speech, not silence


@pytest.mark.real_media
def test_same_speech_in_three_encodings_agrees(media_dir):
    a = read_audio(media_dir / "audio" / "en_short.wav")
    b = read_audio(media_dir / "audio" / "mono_8bit_44k.wav")
    c = read_audio(media_dir / "audio" / "stereo_24bit_44k.flac")
    assert len(a) == len(b) == len(c)
    assert np.abs(a - c).max() < 1e-3
    assert np.corrcoef(a, b)[0, 1] > 0.99  # 8-bit quantisation noise only


@pytest.mark.real_media
def test_audio_track_of_video(media_dir):
    wave = read_audio(media_dir / "video" / "talk_2.mp4")
    assert abs(len(wave) / 16000 - 5.04) < 0.1
