"""Regenerate the bundled example inputs in examples/ (the README's demo uses them).

- examples/portrait.jpg: ``skimage.data.astronaut()`` (Eileen Collins, NASA, public domain), JPEG quality 92.
- examples/speech.wav: an English sentence synthesized with eSpeak NG (espeakng-loader wheel), 16 kHz mono 16-bit.

Run: .venv/bin/python scripts/make_examples.py
"""

from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from talkinghead.audio.resample import resample
from talkinghead.audio.tts import synthesize
from talkinghead.io import write_audio

SENTENCE = "Hello! I am a talking head. I was made from one photo and this recording, with no trained weights at all."

out = Path(__file__).resolve().parents[1] / "examples"
out.mkdir(exist_ok=True)
Image.fromarray(data.astronaut()).save(out / "portrait.jpg", quality=92)
speech = synthesize(SENTENCE, voice="en-us", rate=150)
wave = resample(speech.wave, speech.sample_rate)  # 22050 Hz -> 16000 Hz
write_audio(out / "speech.wav", wave / max(1e-6, np.abs(wave).max()) * 0.9, 16000, overwrite=True)
print(f"wrote {out / 'portrait.jpg'} and {out / 'speech.wav'} ({len(wave) / 16000:.2f} s)")
