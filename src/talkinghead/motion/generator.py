"""The phonetic motion generator: speech analysis in, :class:`~talkinghead.motion.Motion` out.

Shape legend: ``t`` frames.

The mouth is the audio front-end's ARKit mouth curves (phones to visemes with coarticulation), scaled by
``mouth_scale``; blinks come from :class:`~talkinghead.motion.blink.BlinkModel`; brow raises and nods from the
prosody (:mod:`talkinghead.motion.prosody`); head rotation from :class:`~talkinghead.motion.head_motion.HeadMotionModel`
coupled to the loudness. Randomness: one seed, split into independent streams per component (so that changing
the blink rate does not change the head motion).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
import numpy as np

from talkinghead.blendshapes import INDEX, MOUTH_NAMES
from talkinghead.motion.blink import BlinkModel
from talkinghead.motion.head_motion import HeadMotionModel, HeadMotionStats
from talkinghead.motion.motion import Motion
from talkinghead.motion.prosody import ProsodyGestures, find_events

__all__ = ["SpeechFeatures", "PhoneticMotionGenerator", "MOUTH_COLUMNS"]

logger = logging.getLogger(__name__)

#: blendshape columns driven by the audio
MOUTH_COLUMNS = np.array([INDEX[n] for n in MOUTH_NAMES])


@dataclass(frozen=True, eq=False)
class SpeechFeatures:
    """The per-frame speech features the generator reads (``talkinghead.audio.AudioTrack`` has them all; this
    light copy keeps them without the wave, so a long recording can be analysed chunk by chunk).

    Attributes:
        fps: frame rate.
        mouth: ``(t, 52)`` float32 ARKit mouth curves in [0, 1].
        loudness: ``(t,)`` float32 level in dB.
        f0: ``(t,)`` float32 pitch in Hz, 0 where unvoiced.
        voiced: ``(t,)`` bool periodic voicing.
        speaking: ``(t,)`` bool voice activity.
    """

    fps: float
    mouth: np.ndarray
    loudness: np.ndarray
    f0: np.ndarray
    voiced: np.ndarray
    speaking: np.ndarray

    @property
    def num_frames(self) -> int:
        return len(self.mouth)

    @classmethod
    def from_tracks(cls, tracks) -> SpeechFeatures:
        """Concatenate consecutive audio tracks (``AudioTrack`` chunks of one recording), keeping only the features."""
        fps, parts = None, {k: [] for k in ("mouth", "loudness", "f0", "voiced", "speaking")}
        for track in tracks:
            fps = float(track.fps)
            for k, v in parts.items():
                v.append(np.asarray(getattr(track, k)))
        if fps is None:
            raise ValueError("no audio tracks")
        return cls(fps, *(np.concatenate(v) for v in parts.values()))

    @classmethod
    def analyze(cls, audio, fps: float, transcript: str | None = None, language: str = "en",
                allow_silence: bool = False, progress: bool = False) -> SpeechFeatures:
        """The features of a recording, analysed chunk by chunk (``talkinghead.audio.iter_analyze``); with
        ``allow_silence``, audio that is digital silence (but not shorter than 0.2 s) gives :meth:`silent` ones.

        Raises:
            AudioContentError: silent (without ``allow_silence``) or too short audio.
        """
        from talkinghead.audio import MIN_SECONDS, iter_analyze
        from talkinghead.errors import AudioContentError
        from talkinghead.io import probe

        try:
            return cls.from_tracks(iter_analyze(audio, fps=fps, transcript=transcript, language=language,
                                                progress=progress))
        except AudioContentError:
            if not allow_silence:
                raise
            duration = probe(audio).duration
            if duration < MIN_SECONDS:
                raise
            logger.info("the audio is silent: rendering an idle face (--allow-silence)")
            return cls.silent(int(math.ceil(duration * fps)), fps)

    @classmethod
    def silent(cls, num_frames: int, fps: float) -> SpeechFeatures:
        """Features of silence (an idle face): closed mouth, no voice."""
        return cls(fps, np.zeros((num_frames, 52), np.float32), np.full(num_frames, -100.0, np.float32),
                   np.zeros(num_frames, np.float32), np.zeros(num_frames, bool), np.zeros(num_frames, bool))


@dataclass(frozen=True)
class PhoneticMotionGenerator:
    """Generate a talking motion from speech features.

    Attributes:
        mouth_scale: multiplies the mouth curves (ControlTalk's alpha: 0 = closed mouth, 1 = as analysed).
        head_motion: multiplies the head-motion amplitude (0 = still head).
        blink_rate: blinks per minute (0 = none).
        gestures: brow raises and nods on accents and phrase onsets.
        epsilon: radius of the per-clip style sampling (OSM-Net's epsilon), in across-speaker spreads.
        head_stats: head-motion statistics (``None``: the shipped fit).
    """

    mouth_scale: float = 1.0
    head_motion: float = 1.0
    blink_rate: float = 20.0
    gestures: bool = True
    epsilon: float = 1.0
    head_stats: HeadMotionStats | None = None

    def generate(self, speech: SpeechFeatures, seed: int | None = 0) -> Motion:
        """A :class:`Motion` with one row per frame of ``speech``.

        Args:
            speech: the audio analysis (an ``AudioTrack`` or :class:`SpeechFeatures`).
            seed: seeds every random choice (``None``: fresh entropy; the seed used is kept in ``Motion.seed``).
        """
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**31))
        t, fps = int(speech.num_frames), float(speech.fps)
        head_rng, blink_rng, gesture_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))

        shapes = np.zeros((t, 52), np.float32)
        mouth = np.asarray(speech.mouth, np.float32)[:t]
        shapes[: len(mouth), MOUTH_COLUMNS] = np.clip(mouth[:, MOUTH_COLUMNS] * self.mouth_scale, 0.0, 1.0)

        blink = BlinkModel(rate_per_min=self.blink_rate).sample(t, fps, blink_rng)
        shapes[:, INDEX["eyeBlinkLeft"]] = np.maximum(shapes[:, INDEX["eyeBlinkLeft"]], blink)
        shapes[:, INDEX["eyeBlinkRight"]] = np.maximum(shapes[:, INDEX["eyeBlinkRight"]], blink)

        pose = np.zeros((t, 3), np.float32)
        if self.head_motion > 0:
            model = HeadMotionModel(self.head_stats, epsilon=self.epsilon)
            pose += model.sample(t, fps, head_rng, loudness=speech.loudness, scale=self.head_motion)
        if self.gestures:
            events = find_events(speech.f0[:t], np.asarray(speech.voiced, bool)[:t], speech.loudness[:t], fps,
                                 speaking=np.asarray(speech.speaking, bool)[:t])
            brow, nod = ProsodyGestures().sample(events, t, fps, gesture_rng)
            shapes[:, INDEX["browInnerUp"]] = np.maximum(shapes[:, INDEX["browInnerUp"]], brow)
            for name in ("browOuterUpLeft", "browOuterUpRight"):
                shapes[:, INDEX[name]] = np.maximum(shapes[:, INDEX[name]], 0.6 * brow)
            pose[:, 1] += nod * min(self.head_motion, 1.0) if self.head_motion > 0 else 0.0
            logger.debug("%d prosodic events (%d accents)", len(events), sum(e.kind == "accent" for e in events))
        return Motion(fps, shapes, pose, np.zeros((t, 3), np.float32), blink, seed=seed)
