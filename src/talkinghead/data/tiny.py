"""Tiny datasets and talking videos for tests and smoke runs.

- :func:`build_tiny_dataset`: a few small clips in the dataset format (docs/data.md), drawn, not detected: a
  face-like ellipse whose mouth opens with a ``jawOpen`` curve that also drives the mel energy, with
  landmarks from the FaceModel mean shape. No mediapipe, no video decoding: it takes well under a second, and
  a model can learn the mouth from the audio on it.
- :func:`make_talking_video`: a short real talking video (portrait image + eSpeak speech, rendered by the
  default method), for tests of ``preprocess``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from talkinghead.data.clip import FPS, SAMPLE_RATE, ClipArrays, FrameFileWriter, clip_folder, write_clip
from talkinghead.data.manifest import write_manifest

__all__ = ["build_tiny_dataset", "make_talking_video"]


def _tiny_clip(rng: np.random.Generator, t: int, size: int, mean_shape: np.ndarray, hue: float):
    import cv2

    jaw = np.clip(0.25 + 0.25 * np.sin(np.arange(t) * rng.uniform(0.5, 1.2) + rng.uniform(0, 6)), 0, 0.5)
    yaw = rng.uniform(-5, 5) + np.cumsum(rng.normal(0, 0.3, t))
    # landmarks: mean shape into a unit crop, mouth landmarks 13/14 pulled apart by jawOpen
    xy = mean_shape[:, :2] * np.array([1.0, -1.0])
    xy = (xy - xy.mean(0)) / (xy.max(0) - xy.min(0)).max() * 0.6 + 0.5
    lm = np.repeat(np.concatenate([xy, mean_shape[:, 2:] / 40.0], 1)[None], t, 0).astype(np.float32)
    lm[:, 14, 1] += 0.15 * jaw
    lm[:, :, 0] += (yaw / 200.0)[:, None]
    blend = np.zeros((t, 52), np.float32)
    from talkinghead.blendshapes import INDEX

    blend[:, INDEX["jawOpen"]] = jaw
    color = np.array(cv2.cvtColor(np.uint8([[[hue * 180, 120, 220]]]), cv2.COLOR_HSV2RGB)[0, 0], int)
    frames = np.empty((t, size, size, 3), np.uint8)
    for i in range(t):
        img = np.full((size, size, 3), 60, np.uint8)
        cx = int(round(size * (0.5 + yaw[i] / 200.0)))
        cv2.ellipse(img, (cx, size // 2), (int(size * 0.3), int(size * 0.4)), 0, 0, 360, color.tolist(), -1)
        h = max(1, int(round(size * 0.15 * jaw[i])))
        cv2.rectangle(img, (cx - size // 8, int(size * 0.68)), (cx + size // 8, int(size * 0.68) + h), (40, 0, 0), -1)
        frames[i] = img
    lm[:, :, :2] *= size
    lm[:, :, 2] *= size
    # mel: energy in the speech band follows the mouth, plus noise; audio: a tone whose level follows it
    m = t * 80 // FPS + 1
    env = np.interp(np.arange(m) / 80.0, np.arange(t) / FPS, jaw)
    mel = (-4 + 6 * env[None, :] * np.linspace(1, 0.3, 80)[:, None] + rng.normal(0, 0.1, (80, m))).astype(np.float32)
    n = t * SAMPLE_RATE // FPS
    level = np.interp(np.arange(n) / SAMPLE_RATE, np.arange(t) / FPS, jaw)
    audio = (level * 0.5 * np.sin(2 * np.pi * 220 * np.arange(n) / SAMPLE_RATE) * 32767).astype(np.int16)
    pose = np.stack([yaw, np.zeros(t), np.zeros(t)], 1).astype(np.float32)
    matrices = np.repeat(np.array([[[1.0, 0, 0], [0, 1.0, 0]]]), t, 0)
    fit = {"identity": mean_shape.astype(np.float32), "betas": blend.copy(),
           "rotations": np.repeat(np.eye(3, dtype=np.float32)[None], t, 0),
           "translations": np.zeros((t, 3), np.float32), "scales": np.ones(t, np.float32),
           "image_size": np.array([size, size], np.int32)}
    return frames, ClipArrays(landmarks=lm, blendshapes=blend, pose=pose, crop_matrices=matrices, fit=fit, mel=mel,
                              audio=audio, phones=[{"phone": "AA", "start": 0.0, "end": t / FPS}], words=[])


def build_tiny_dataset(root: str | os.PathLike, num_speakers: int = 4, clips_per_speaker: int = 2,
                       num_frames: int = 16, size: int = 32, seed: int = 0) -> Path:
    """Write a tiny drawn dataset (see the module doc) into ``root``; return ``root``.

    Crops are ``size`` px (one size); the crop transform is the identity (the "source video" is the crop).
    The same arguments give the same bytes.
    """
    from talkinghead.face3d import FaceModel

    root = Path(root)
    clips_dir = root / "clips"
    clips_dir.mkdir(parents=True, exist_ok=True)
    mean_shape = FaceModel.load().mean_shape
    for s in range(num_speakers):
        for c in range(clips_per_speaker):
            clip_id = f"spk{s:02d}__clip{c:02d}"
            if (clips_dir / clip_id).is_dir():
                continue
            rng = np.random.default_rng([seed, s, c])
            frames, arrays = _tiny_clip(rng, num_frames, size, mean_shape, hue=s / max(1, num_speakers))
            arrays.meta.update(id=clip_id, source=f"tiny/spk{s:02d}/clip{c:02d}", speaker=f"spk{s:02d}",
                               image_size=[size, size], start_frame=0, source_frames=num_frames)
            with clip_folder(clips_dir, clip_id) as tmp:
                writer = FrameFileWriter(tmp, size)
                for f in frames:
                    writer.append(f)
                writer.finish(0, num_frames)
                write_clip(tmp, arrays, (size,))
    write_manifest(root, seed=seed)
    return root


def make_talking_video(path: str | os.PathLike, portrait: str | os.PathLike, text: str, seed: int = 0,
                       size: int = 192, voice: str = "en-us", rate: int = 170, pitch: int = 50) -> Path:
    """Render ``portrait`` speaking ``text`` (eSpeak NG) with the default method into ``path`` (mp4 with audio)."""
    import tempfile

    from talkinghead.api import generate
    from talkinghead.audio.tts import synthesize
    from talkinghead.io import write_audio

    speech = synthesize(text, voice=voice, rate=rate, pitch=pitch)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        write_audio(wav, speech.wave, speech.sample_rate)
        generate(portrait, wav, path, seed=seed, size=size, overwrite=True)
    return Path(path)
