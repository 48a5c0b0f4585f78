"""What the evaluation measures on a video before any metric runs: the face track and the audio's phones.

Each video is analysed once (:class:`ClipAnalyzer` caches by resolved path within a run) and the arrays
feed every metric through one mapping of :data:`~talkinghead.metrics.INPUTS` names
(:meth:`FaceAnalysis.inputs`, :meth:`AudioAnalysis.inputs`). The landmarker runs unsmoothed: the
evaluation measures what the video shows, not what a smoother makes of it.

Shape legend: t video frames, n audio samples at 16 kHz.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["FaceAnalysis", "AudioAnalysis", "ClipAnalyzer", "analyze_face", "analyze_speech"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class FaceAnalysis:
    """One video's face, frame by frame.

    Attributes:
        path: the video.
        fps: its frame rate.
        landmarks: (t, 478, 3) float32 pixels, NaN where no face.
        pose: (t, 3) float64 degrees, (pitch, yaw, roll) as the pose metrics take them, NaN where no face.
        eye_closure: (t,) float64 in [0, 1], mean of mediapipe's eyeBlinkLeft/Right, NaN where no face.
        valid: (t,) bool, frames with a face.
        times: (t,) float64 presentation time of each frame, seconds.
        image_size: (width, height).
    """

    path: Path
    fps: float
    landmarks: np.ndarray
    pose: np.ndarray
    eye_closure: np.ndarray
    valid: np.ndarray
    times: np.ndarray
    image_size: tuple[int, int]

    def __len__(self) -> int:
        return len(self.valid)

    @property
    def face_share(self) -> float:
        return float(self.valid.mean()) if len(self.valid) else 0.0

    def inputs(self, prefix: str = "") -> dict:
        """Metric inputs: ``landmarks`` (or ``ref_landmarks`` with ``prefix="ref_"``), ``frame_times``, ``fps``,
        and ``pose`` and ``eye_closure`` on the frames with a face."""
        if prefix:
            return {f"{prefix}landmarks": self.landmarks}
        ok = self.valid
        return {"landmarks": self.landmarks, "pose": self.pose[ok], "eye_closure": self.eye_closure[ok],
                "fps": self.fps, "frame_times": self.times}


@dataclass(frozen=True, eq=False)
class AudioAnalysis:
    """The speech a video goes with, at the video's frame rate.

    Attributes:
        source: where it came from (a file, or a description).
        wave: (n,) float32 16 kHz mono.
        phones: timed ARPAbet phones (``AudioTrack.phones``), seconds from the video's first frame.
        loudness: (T,) float32 dBFS per video frame.
        phone_source: ``alignment``, ``recognition``, ``phone-loop`` or ``none``.
    """

    source: str
    wave: np.ndarray
    phones: list
    loudness: np.ndarray
    phone_source: str
    sample_rate: int = 16_000

    def inputs(self) -> dict:
        return {"audio": self.wave, "sample_rate": self.sample_rate, "phones": self.phones}


def analyze_face(path: str | os.PathLike, analyzer=None) -> FaceAnalysis:
    """Track the (largest) face through ``path`` with mediapipe, unsmoothed (gaps under 0.5 s bridged)."""
    from talkinghead.blendshapes import INDEX
    from talkinghead.face import FaceAnalyzer, SmoothingConfig, analyze_video

    own = analyzer is None
    analyzer = analyzer or FaceAnalyzer(smoothing=SmoothingConfig(enabled=False))
    try:
        track = analyze_video(path, analyzer=analyzer)
    finally:
        if own:
            analyzer.close()
    yaw, pitch, roll = (track.pose[:, i].astype(np.float64) for i in range(3))
    closure = 0.5 * (track.blendshapes[:, INDEX["eyeBlinkLeft"]] + track.blendshapes[:, INDEX["eyeBlinkRight"]])
    return FaceAnalysis(
        path=Path(path),
        fps=float(track.fps),
        landmarks=track.landmarks,
        pose=np.stack([pitch, yaw, roll], axis=1),
        eye_closure=closure.astype(np.float64),
        valid=track.valid.copy(),
        times=np.asarray(track.times, dtype=np.float64),
        image_size=tuple(track.image_size),
    )


def analyze_speech(audio, fps: float, sample_rate: int | None = None, source: str | None = None) -> AudioAnalysis:
    """Phones and loudness of ``audio`` (a file, or an (n,) array at ``sample_rate``) at ``fps``."""
    from talkinghead.audio import analyze
    from talkinghead.io import read_audio

    wave = read_audio(audio) if isinstance(audio, (str, os.PathLike)) else np.asarray(audio, np.float32)
    rate = 16_000 if isinstance(audio, (str, os.PathLike)) else (sample_rate or 16_000)
    track = analyze(wave, fps=fps, sample_rate=rate)
    return AudioAnalysis(
        source=source or (str(audio) if isinstance(audio, (str, os.PathLike)) else "array"),
        wave=track.wave,
        phones=list(track.phones),
        loudness=track.loudness,
        phone_source=track.phone_source,
    )


@dataclass
class ClipAnalyzer:
    """Analyses videos and audio once each within a run (cached by resolved path and frame rate).

    Use as a context manager: the mediapipe landmarker is created on first use and closed at the end.
    """

    _faces: dict = field(default_factory=dict)
    _speech: dict = field(default_factory=dict)
    _analyzer: object = None

    def face(self, path: str | os.PathLike) -> FaceAnalysis:
        key = Path(path).resolve()
        if key not in self._faces:
            from talkinghead.face import FaceAnalyzer, SmoothingConfig

            if self._analyzer is None:
                self._analyzer = FaceAnalyzer(smoothing=SmoothingConfig(enabled=False))
            logger.info("analysing the face in %s", path)
            self._faces[key] = analyze_face(path, self._analyzer)
        return self._faces[key]

    def speech(self, path: str | os.PathLike, fps: float) -> AudioAnalysis:
        key = (Path(path).resolve(), round(float(fps), 6))
        if key not in self._speech:
            logger.info("analysing the speech in %s", path)
            self._speech[key] = analyze_speech(path, fps)
        return self._speech[key]

    def close(self) -> None:
        if self._analyzer is not None:
            self._analyzer.close()
            self._analyzer = None

    def __enter__(self) -> ClipAnalyzer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
