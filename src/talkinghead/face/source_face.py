"""SourceFace: the analysed source image or video that every method starts from (DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from talkinghead.face.analyzer import FaceAnalyzer, analyze_video
from talkinghead.face.crop import DEFAULT_CROP_SCALE, CropTransform, align_crop, crop_transform
from talkinghead.face.detected_face import DEFAULT_AMBIGUITY_RATIO, DetectedFace, select_face
from talkinghead.face.tracking import FaceTrack

__all__ = ["SourceFace", "load_source_face"]

#: file suffixes read as still images by :func:`load_source_face` (anything else is probed as a video)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


@dataclass(frozen=True, eq=False)
class SourceFace:
    """The face to animate, analysed.

    Attributes:
        image: ``(h, w, 3) uint8`` RGB: the still image, or for a video the first frame where the face is
            tracked (frame ``frame_index``).
        face: the chosen face in ``image`` (478 landmarks, 52 blendshapes, head transform, pose, box, score).
        crop: ``(s, s, 3) uint8`` RGB aligned crop of ``image`` (:func:`~talkinghead.face.align_crop`).
        transform: ``image`` <-> ``crop`` similarity.
        track: for a video source, the face in every frame (smoothed, gaps bridged); ``None`` for an image.
        path: the file it came from, if any.
        frame_index: index of ``image`` in the video (0 for an image).
    """

    image: np.ndarray
    face: DetectedFace
    crop: np.ndarray
    transform: CropTransform
    track: FaceTrack | None = None
    path: Path | None = None
    frame_index: int = 0

    @property
    def is_video(self) -> bool:
        return self.track is not None

    @property
    def fps(self) -> Fraction | None:
        """The video's frame rate (``None`` for an image)."""
        return self.track.fps if self.track is not None else None

    @property
    def landmarks(self) -> np.ndarray:
        """``(478, 3)`` float32 pixel landmarks in ``image``."""
        return self.face.landmarks

    @property
    def crop_landmarks(self) -> np.ndarray:
        """``(478, 3)`` float32 landmarks in ``crop`` pixels (z scaled like x, y)."""
        return self.transform.to_crop(self.face.landmarks).astype(np.float32)

    @property
    def blendshapes(self) -> np.ndarray:
        """``(52,)`` float32 ARKit-order blendshapes of ``image``'s face."""
        return self.face.blendshapes

    @classmethod
    def from_image(cls, image: np.ndarray, analyzer: FaceAnalyzer | None = None, face_index: int | None = None,
                   crop_size: int = 512, crop_scale: float = DEFAULT_CROP_SCALE,
                   ambiguity_ratio: float | None = DEFAULT_AMBIGUITY_RATIO, path: str | os.PathLike | None = None,
                   ) -> SourceFace:
        """Analyse a still image and choose its face.

        Args:
            image: ``(h, w, 3) uint8`` RGB.
            analyzer: reuse an analyzer (default: a new one, closed before returning).
            face_index: ``--face-index``; see :func:`~talkinghead.face.select_face`.
            crop_size, crop_scale: the aligned crop (:func:`~talkinghead.face.align_crop`).
            ambiguity_ratio: refuse to guess between faces of similar size (``None``: take the largest).
            path: the file name, for messages.

        Raises:
            NoFaceError, AmbiguousFaceError, OptionError: see :func:`~talkinghead.face.select_face`.
        """
        what = repr(str(path)) if path is not None else "the image"
        own = analyzer is None
        analyzer = analyzer or FaceAnalyzer()
        try:
            faces = analyzer.detect(image)
        finally:
            if own:
                analyzer.close()
        face = select_face(faces, face_index, ambiguity_ratio, what=what)
        crop, transform = align_crop(image, face.landmarks, crop_size, scale=crop_scale)
        return cls(image, face, crop, transform, None, Path(path) if path is not None else None, 0)

    @classmethod
    def from_video(cls, path: str | os.PathLike, analyzer: FaceAnalyzer | None = None,
                   face_index: int | None = None, crop_size: int = 512, crop_scale: float = DEFAULT_CROP_SCALE,
                   ambiguity_ratio: float | None = DEFAULT_AMBIGUITY_RATIO, fps: float | Fraction | None = None,
                   ) -> SourceFace:
        """Track the face through a video (for dubbing: its own head motion is kept).

        The per-frame crop transforms are ``source.crop_transforms()``.

        Raises:
            VideoReadError: unreadable video. NoFaceError: no frame has a face. AmbiguousFaceError,
            OptionError: see :func:`~talkinghead.face.select_face`.
        """
        from talkinghead.io import iter_frames

        track = analyze_video(path, analyzer, face_index=face_index, fps=fps, ambiguity_ratio=ambiguity_ratio)
        first = int(np.flatnonzero(track.valid)[0])
        frames = iter_frames(path, fps=fps)
        try:
            image = next(f.image for f in frames if f.index == first)
        finally:
            frames.close()
        face = track.face(first)
        crop, transform = align_crop(image, face.landmarks, crop_size, scale=crop_scale)
        return cls(image, face, crop, transform, track, Path(path), first)

    def crop_transforms(self, size: int | None = None, scale: float = DEFAULT_CROP_SCALE) -> list[CropTransform | None]:
        """For a video source, the aligned crop transform of every frame (``None`` where the face is lost),
        from the smoothed track, so the crops are stable. For an image, ``[transform]``."""
        size = size or self.transform.size
        if self.track is None:
            return [self.transform if size == self.transform.size else self.transform.resized(size)]
        return [crop_transform(self.track.landmarks[i], size, self.track.image_size, scale=scale)
                if self.track.valid[i] else None for i in range(len(self.track))]


def load_source_face(path: str | os.PathLike, analyzer: FaceAnalyzer | None = None, face_index: int | None = None,
                     crop_size: int = 512, ambiguity_ratio: float | None = DEFAULT_AMBIGUITY_RATIO) -> SourceFace:
    """Read and analyse a source file: a still image, or a video (by its suffix; unknown suffixes are probed).

    Raises:
        ImageReadError, VideoReadError, NoFaceError, AmbiguousFaceError, OptionError.
    """
    from talkinghead.io import probe, read_image

    path = Path(path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        info = probe(path)
        if info.video is not None and info.video.num_frames > 1:
            return SourceFace.from_video(path, analyzer, face_index, crop_size, ambiguity_ratio=ambiguity_ratio)
    return SourceFace.from_image(read_image(path), analyzer, face_index, crop_size,
                                 ambiguity_ratio=ambiguity_ratio, path=path)
