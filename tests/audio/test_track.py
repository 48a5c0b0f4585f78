"""AudioTrack's contract (shapes, ranges, timing) and analysis of bad or unusual input."""

from __future__ import annotations

import logging
import wave as wavmod

import numpy as np
import pytest

from talkinghead.audio import AudioTrack, analyze, check_speech, iter_analyze
from talkinghead.audio.visemes import VISEMES
from talkinghead.blendshapes import INDEX
from talkinghead.errors import AudioContentError, OptionError
from talkinghead.io import write_audio

from audio_helpers import SENTENCE

JAW, CLOSE = INDEX["jawOpen"], INDEX["mouthClose"]


def test_track_shapes_and_ranges(aligned_track: AudioTrack, speech16k):
    t = aligned_track
    n = len(t.wave)
    assert t.sample_rate == 16000 and t.wave.dtype == np.float32 and abs(n - len(speech16k)) <= 1
    T = int(np.ceil(n * 25 / 16000))
    assert t.num_frames == T
    for name, dtype in [("loudness", np.float32), ("f0", np.float32), ("voiced", bool), ("speaking", bool),
                        ("visemes", np.int8)]:
        arr = getattr(t, name)
        assert arr.shape == (T,) and arr.dtype == dtype, name
    assert t.mouth.shape == (T, 52) and t.mouth.dtype == np.float32
    assert t.mouth.min() >= 0 and t.mouth.max() <= 1
    assert t.mel.shape == (80, 1 + n // 200) and t.mel.dtype == np.float32
    assert t.mel_window(5).shape == (80, 16)
    np.testing.assert_array_equal(t.mel_windows([5])[0], t.mel_window(5))
    assert t.mel_windows().shape == (T, 80, 16)
    assert t.visemes.min() >= 0 and t.visemes.max() < len(VISEMES)
    assert np.all((t.f0 == 0) | ((t.f0 >= 60) & (t.f0 <= 500)))
    np.testing.assert_array_equal(t.voiced, t.f0 > 0)
    assert t.loudness.min() >= -100 and t.loudness.max() <= 0
    assert 0 <= t.relative_loudness.min() and t.relative_loudness.max() <= 1


def test_prosody_is_plausible_for_speech(aligned_track):
    t = aligned_track
    # eSpeak's default voice speaks around 100-130 Hz; most speaking frames are voiced
    assert 80 < np.median(t.f0[t.voiced]) < 160
    assert t.voiced[t.speaking].mean() > 0.5
    assert t.speaking.mean() > 0.7  # the sentence is speech almost throughout
    assert t.loudness[t.speaking].mean() > t.loudness[~t.speaking].mean()


def test_jaw_amplitude_matches_real_talking_video(aligned_track):
    jaw = aligned_track.mouth[:, JAW]
    # DESIGN.md: mediapipe on real talking video: mean 0.06, 95th percentile 0.19 (normal speech ~0.2)
    assert 0.03 < jaw.mean() < 0.13
    assert 0.12 < np.percentile(jaw, 95) < 0.3


def test_fractional_fps_and_frame_count(speech):
    t = analyze(speech.wave[: speech.sample_rate], fps="30000/1001", sample_rate=speech.sample_rate)
    assert abs(t.fps - 29.97002997) < 1e-6
    assert t.num_frames == int(np.ceil(len(t.wave) * t.fps / 16000))
    assert t.mouth.shape[0] == t.num_frames


def test_chunked_equals_frame_grid(speech16k):
    """iter_analyze's chunks tile the frames exactly and concatenate to the whole-recording track."""
    wave = np.concatenate([speech16k, np.zeros(8000, np.float32), speech16k])
    chunks = list(iter_analyze(wave, fps=30, transcript=f"{SENTENCE} {SENTENCE}", chunk_seconds=5.0))
    assert len(chunks) >= 2
    for a, b in zip(chunks, chunks[1:]):
        assert a.start_frame + a.num_frames == b.start_frame
        assert a.start_sample + len(a.wave) == b.start_sample
    assert sum(c.num_frames for c in chunks) == int(np.ceil(len(wave) * 30 / 16000))
    whole = analyze(wave, fps=30, transcript=f"{SENTENCE} {SENTENCE}", chunk_seconds=5.0)
    assert whole.num_frames == sum(c.num_frames for c in chunks)
    np.testing.assert_array_equal(whole.mouth, np.concatenate([c.mouth for c in chunks]))


# -- bad input --------------------------------------------------------------------------------------------


def test_digital_silence_is_refused():
    with pytest.raises(AudioContentError, match="silence"):
        analyze(np.zeros(32000, np.float32))
    with pytest.raises(AudioContentError, match="silence"):
        check_speech(np.zeros(32000, np.float32))


def test_too_short_audio_is_refused():
    short = np.random.default_rng(0).normal(0, 0.1, 480).astype(np.float32)  # 30 ms
    with pytest.raises(AudioContentError, match="0.030 s long"):
        analyze(short)
    check_speech(np.r_[short, short, short, short, short, short, short])  # 0.21 s passes


def test_quiet_noise_gives_a_closed_still_mouth():
    noise = np.random.default_rng(0).normal(0, 0.003, 32000).astype(np.float32)  # -50 dBFS room noise
    t = analyze(noise)
    assert t.mouth[:, JAW].max() < 0.03
    assert not t.speaking.any()
    assert np.all(t.visemes == 0)


def test_silence_around_speech_closes_the_mouth(speech16k):
    wave = np.concatenate([np.zeros(16000, np.float32), speech16k, np.zeros(16000, np.float32)])
    t = analyze(wave)
    head, tail = slice(0, 20), slice(t.num_frames - 20, t.num_frames)  # 0.8 s at each end
    for part in (head, tail):
        assert t.mouth[part, JAW].max() < 0.02
        assert t.mouth[part].max() < 0.05
        assert np.all(t.visemes[part] == 0)
    assert t.mouth[30:-30, JAW].max() > 0.15  # and it does open for the speech


def test_clipping_warns_and_still_works(speech16k, caplog):
    clipped = np.clip(speech16k * 20, -1, 1)
    with caplog.at_level(logging.WARNING):
        t = analyze(clipped, transcript=SENTENCE)
    assert "clipped" in caplog.text
    assert t.phone_source == "alignment" and len(t.words) == len(SENTENCE.split())


def test_dc_offset_is_removed(speech16k, aligned_track):
    t = analyze(speech16k + 0.3, transcript=SENTENCE)
    assert abs(float(t.wave[8000:].mean())) < 0.01
    assert [w.text for w in t.words] == [w.text for w in aligned_track.words]
    assert np.abs(t.mouth - aligned_track.mouth).mean() < 0.02


def test_integer_and_multichannel_arrays(speech16k):
    pcm = (speech16k * 32767).astype(np.int16)
    a = analyze(pcm, transcript=SENTENCE)
    b = analyze(np.stack([speech16k, speech16k], axis=1), transcript=SENTENCE)
    assert a.num_frames == b.num_frames
    assert np.abs(a.mouth - b.mouth).mean() < 0.02


def test_bad_options():
    with pytest.raises(OptionError):
        analyze(np.ones(8000, np.float32), fps=0)
    with pytest.raises(OptionError):
        analyze(np.ones((2, 2, 2), np.float32))


def _write_u8(path, wave, rate):
    pcm = np.clip(np.round(wave * 127 + 128), 0, 255).astype(np.uint8)
    with wavmod.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(1)
        f.setframerate(rate)
        f.writeframes(pcm.tobytes())


def test_unusual_files_8bit_8khz_6channel(tmp_path, speech, speech16k, aligned_track):
    """8-bit PCM, 8 kHz telephone band, 5.1 surround: all decode and align the same words."""
    files = {}
    files["8bit"] = tmp_path / "u8.wav"
    _write_u8(files["8bit"], speech.wave, speech.sample_rate)
    files["8khz"] = tmp_path / "8k.wav"
    from scipy.signal import resample_poly

    write_audio(files["8khz"], resample_poly(speech16k, 1, 2), 8000)
    files["6ch"] = tmp_path / "6ch.wav"
    six = np.zeros((len(speech16k), 6), np.float32)
    six[:, 2] = speech16k * 0.9  # centre channel carries the voice, the others are near-silent
    six[:, [0, 1, 4, 5]] = np.random.default_rng(0).normal(0, 1e-3, (len(speech16k), 4))
    write_audio(files["6ch"], six, 16000)
    expected = [w.text for w in aligned_track.words]
    for name, path in files.items():
        t = analyze(path, transcript=SENTENCE)
        assert [w.text for w in t.words] == expected, name
        assert abs(t.duration - aligned_track.duration) < 0.01, name
        assert t.mouth[:, JAW].max() > 0.15, name
