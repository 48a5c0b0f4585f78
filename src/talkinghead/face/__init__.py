"""Face analysis, crop/align, masks and paste-back (DESIGN.md: ``source --FaceAnalyzer--> SourceFace``).

- :class:`FaceAnalyzer` (mediapipe FaceLandmarker): :meth:`~FaceAnalyzer.detect` every face of an image,
  :meth:`~FaceAnalyzer.track` one face through video frames (smoothed, gaps bridged); :func:`analyze_video`.
- :class:`DetectedFace`: 478 landmarks, 52 ARKit blendshapes, head transform and pose, box, score;
  :func:`select_face` picks one (``--face-index``; refuses to guess between equal faces).
- :class:`SourceFace`: the analysed source of the pipeline (image or video).
- :func:`align_crop` / :class:`CropTransform`: aligned square crops and their inverse.
- masks: :func:`face_mask`, :func:`lower_face_mask`, :func:`mouth_mask`, :func:`mouth_inner_mask`, :func:`eyes_mask`.
- :class:`Compositor`: paste generated crops back with a Gaussian-feathered mask (IP-LAP Fig. 3).
- :mod:`talkinghead.face.landmark_groups`: named landmark index groups.

Names resolve lazily, so ``import talkinghead.face`` costs nothing until one is used (mediapipe is imported
only when a landmarker is created).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "FaceAnalyzer": "analyzer",
    "analyze_video": "analyzer",
    "DEFAULT_MIN_CONFIDENCE": "analyzer",
    "DetectedFace": "detected_face",
    "select_face": "detected_face",
    "DEFAULT_AMBIGUITY_RATIO": "detected_face",
    "SmoothingConfig": "tracking",
    "TrackedFrame": "tracking",
    "FaceTrack": "tracking",
    "TrackSmoother": "tracking",
    "LandmarkSmoother": "smoothing",
    "CropTransform": "crop",
    "align_crop": "crop",
    "crop_transform": "crop",
    "face_mask": "masks",
    "lower_face_mask": "masks",
    "mouth_mask": "masks",
    "mouth_inner_mask": "masks",
    "eyes_mask": "masks",
    "feather_mask": "masks",
    "Compositor": "compositor",
    "facial_transform": "geometry",
    "pose_angles": "geometry",
    "SourceFace": "source_face",
    "load_source_face": "source_face",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
