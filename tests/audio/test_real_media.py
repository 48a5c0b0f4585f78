"""Real recordings in three languages give plausible, non-empty phones and mouth cues."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.audio import analyze, mouth_cues
from talkinghead.blendshapes import INDEX

pytestmark = pytest.mark.real_media
JAW = INDEX["jawOpen"]


@pytest.mark.parametrize("name,language,transcript", [
    ("en_short.wav", "en", "one two three"),
    ("en_short.wav", "en", None),
    ("fr_short.aiff", "fr", None),
    ("zh_short.flac", "zh", None),
    ("stereo_24bit_44k.flac", "en", None),
    ("mono_8bit_44k.wav", "en", "one two three"),
])
def test_real_speech_gives_plausible_cues(media_dir, name, language, transcript):
    t = analyze(media_dir / "audio" / name, fps=25, transcript=transcript, language=language)
    speech = [p for p in t.phones if p.label != "SIL"]
    # a few phones per second of speech, not one and not a hundred
    speaking_seconds = sum(p.duration for p in speech)
    assert 4 <= len(speech) / speaking_seconds <= 25, [p.label for p in speech]
    assert 0.2 < t.speaking.mean() < 0.95
    cues = mouth_cues(t.phones, 0.0, t.duration)
    values = {c.value for c in cues}
    assert "X" in values and len(values - {"X"}) >= 2  # rests and several mouth shapes
    jaw = t.mouth[:, JAW]
    assert jaw[t.speaking].mean() > 3 * max(jaw[~t.speaking].mean(), 0.005)  # opens when speaking
    assert 0.1 < jaw.max() < 0.35
    # the mouth follows the energy: frames with speech are louder
    assert t.loudness[t.speaking].mean() > t.loudness[~t.speaking].mean() + 10
    if language != "en":
        assert t.phone_source == "phone-loop"
    if transcript:
        assert t.phone_source == "alignment" and [w.text for w in t.words] == transcript.split()


def test_librispeech_recognition(media_dir):
    """No transcript: recognition (or its phone-loop fallback) on read English speech."""
    t = analyze(media_dir / "audio" / "librispeech" / "1688-142285-0002.flac")
    assert t.phone_source in ("recognition", "phone-loop")
    speech = [p for p in t.phones if p.label != "SIL"]
    assert 6 <= len(speech) / sum(p.duration for p in speech) <= 20
    assert np.percentile(t.mouth[:, JAW], 95) > 0.1
