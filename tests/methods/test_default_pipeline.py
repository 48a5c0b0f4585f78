"""The default method end to end on a small portrait and a second of synthesized speech."""

from __future__ import annotations

import json

import numpy as np
import pytest

from talkinghead.methods import METHODS, get_method
from talkinghead.methods.default.config import DefaultConfig
from talkinghead.methods.sources import output_size, pingpong
from talkinghead.errors import OptionError

TEXT = "Bob saw a papa on the farm."


@pytest.fixture(scope="module")
def small_inputs(astronaut, tmp_path_factory):
    from talkinghead.audio.tts import synthesize
    from talkinghead.io import write_audio, write_image

    folder = tmp_path_factory.mktemp("default")
    portrait = folder / "portrait.png"
    write_image(portrait, np.ascontiguousarray(astronaut[10:266, 97:353]))  # 256 x 256 around the face
    speech = synthesize(TEXT, rate=150)
    wav = folder / "speech.wav"
    write_audio(wav, speech.wave, speech.sample_rate)
    return portrait, wav, speech


@pytest.fixture(scope="module")
def rendered(small_inputs, landmarker_model, tmp_path_factory):
    from talkinghead.api import generate

    portrait, wav, _ = small_inputs
    out = tmp_path_factory.mktemp("out") / "talk.mp4"
    result = generate(portrait, wav, out, seed=4, transcript=TEXT, save_motion=out.with_suffix(".json"))
    return result


def test_registry_and_config():
    assert "default" in METHODS and get_method("default").config_class() is DefaultConfig
    with pytest.raises(OptionError):
        get_method("nope")
    for bad in ({"size": 7}, {"fps": 0}, {"mouth_scale": -1}, {"map_size": 4}, {"language": "zh; rm"},
                {"language": ""}):
        with pytest.raises(OptionError):
            DefaultConfig(**bad)
    assert output_size(1920, 1080, None) == (1920, 1080)
    assert output_size(4000, 3000, None) == (1920, 1440)
    assert output_size(1920, 1080, 512) == (512, 288)
    assert [pingpong(i, 4) for i in range(9)] == [0, 1, 2, 3, 2, 1, 0, 1, 2]


def test_language_other_than_english_uses_the_phone_loop(small_inputs, landmarker_model, tmp_path, caplog):
    import logging

    from talkinghead.api import generate

    portrait, wav, _ = small_inputs
    with caplog.at_level(logging.INFO, logger="talkinghead.audio.track"):
        result = generate(portrait, wav, tmp_path / "fr.mp4", language="fr", size=128)
    assert "phones from phone-loop" in caplog.text and result.num_frames > 20


def test_video_matches_audio_and_motion(rendered, small_inputs):
    from talkinghead.io import probe
    from talkinghead.motion import Motion

    _, _, speech = small_inputs
    info = probe(rendered.output)
    assert info.video.width == 256 and info.video.height == 256
    assert abs(info.video.num_frames - rendered.num_frames) <= 1
    assert abs(rendered.num_frames / 25.0 - len(speech.wave) / speech.sample_rate) < 0.1
    assert info.has_audio
    saved = Motion.load(rendered.motion_path)
    np.testing.assert_allclose(saved.blendshapes, rendered.motion.blendshapes, atol=1e-4)
    assert json.loads(rendered.motion_path.read_text())["seed"] == 4


def test_mouth_opens_on_vowels_and_closes_on_bilabials(rendered, small_inputs):
    """The inner-lip gap measured by the landmarker on the output frames: /a/ frames above /b p m/ frames."""
    from talkinghead.face import FaceAnalyzer
    from talkinghead.io import iter_frames

    _, _, speech = small_inputs
    fps = 25.0
    kinds = {}
    for p in speech.phonemes:
        name = p.phoneme.strip("'',")
        kind = "closed" if name in ("b", "p", "m") else "open" if name in ("a", "A:", "aI", "aU", "O:", "a#", "A@") else None
        if kind:
            for i in range(int(np.ceil(p.start * fps)), int(np.floor(p.end * fps)) + 1):
                kinds[i] = kind
    assert {"open", "closed"} <= set(kinds.values()), speech.phonemes
    gaps = {"open": [], "closed": []}
    background = []
    first = None
    with FaceAnalyzer() as analyzer:
        for frame in iter_frames(rendered.output):
            first = frame.image if first is None else first
            background.append(np.abs(frame.image[:24, :24].astype(int) - first[:24, :24].astype(int)).max())
            if frame.index in kinds:
                faces = analyzer.detect(frame.image)
                assert faces, f"no face in output frame {frame.index}"
                lm = faces[0].landmarks
                gaps[kinds[frame.index]].append(np.linalg.norm(lm[13, :2] - lm[14, :2]) / np.linalg.norm(lm[10, :2] - lm[152, :2]))
    assert np.mean(gaps["open"]) > np.mean(gaps["closed"]) + 0.01, gaps
    assert max(background) <= 8  # the corner of the picture stays put (up to video coding)


def test_dubbing_a_short_video_plays_it_back_and_forth(astronaut, small_inputs, landmarker_model, tmp_path):
    from talkinghead.api import generate
    from talkinghead.io import VideoWriter, iter_frames

    _, wav, speech = small_inputs
    video = tmp_path / "face.mp4"
    with VideoWriter(video, fps=25) as writer:
        for i in range(12):  # the head drifts right by a pixel per frame
            writer.write(np.ascontiguousarray(astronaut[10:266, 97 - i: 353 - i]))
    result = generate(video, wav, tmp_path / "dubbed.mp4", transcript=TEXT)
    expected = int(np.ceil(len(speech.wave) / speech.sample_rate * 25))
    assert abs(result.num_frames - expected) <= 1
    frames = result.motion.extras["source_frame"]
    assert list(frames[:14]) == list(range(12)) + [10, 9]
    assert frames.max() == 11
    out = [f.image for f in iter_frames(result.output)]
    src = [f.image for f in iter_frames(video)]
    # away from the mouth, each output frame is its source frame (its own head motion is kept)
    for i in (0, 5, 13):
        diff = np.abs(out[i][:60].astype(int) - src[frames[i]][:60].astype(int))
        assert diff.mean() < 3, i
