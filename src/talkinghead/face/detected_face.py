"""One analysed face in one image or video frame, and the choice of a face among several."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from talkinghead.errors import AmbiguousFaceError, NoFaceError, OptionError
from talkinghead.face.geometry import facial_transform, pose_angles

__all__ = ["DetectedFace", "select_face", "box_iou", "DEFAULT_AMBIGUITY_RATIO"]

#: two faces whose sizes differ by less than this factor are "equally large" for :func:`select_face`
DEFAULT_AMBIGUITY_RATIO = 1.25


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """A face found by :class:`~talkinghead.face.FaceAnalyzer`.

    Attributes:
        landmarks: ``(478, 3)`` float32 pixels in the full image: x right, y down, z = mediapipe's normalised
            depth times the image width (same pixel scale as x; smaller is closer to the camera). Indices as in
            :mod:`talkinghead.face.landmark_groups`.
        blendshapes: ``(52,)`` float32 in [0, 1], ARKit order (:data:`talkinghead.blendshapes.ARKIT_NAMES`).
        transform: ``(4, 4)`` float32 mediapipe facial transformation matrix: canonical mesh (cm) -> mediapipe's
            metric camera space (perspective, vertical FOV 63 degrees, near 1), recomputed from ``landmarks``
            for the full image (:func:`talkinghead.face.geometry.facial_transform`; mediapipe's to ~1e-4).
        yaw, pitch, roll: head rotation in degrees from ``transform`` (camera space): yaw > 0 turns the face
            towards the image's right, pitch > 0 lifts the chin, roll > 0 tilts the head counter-clockwise in
            the image (:mod:`talkinghead.face.geometry`).
        bbox: ``(x0, y0, x1, y1)`` pixels: the box around the 478 landmarks.
        score: confidence in [0, 1] that this is a human face: the face detector's score on an upright crop of
            the face (the dog in the real media scores 0.73; human photos, paintings, sculptures 0.88-0.96).
        image_size: ``(width, height)`` of the image the coordinates refer to.
    """

    landmarks: np.ndarray
    blendshapes: np.ndarray
    transform: np.ndarray
    yaw: float
    pitch: float
    roll: float
    bbox: tuple[float, float, float, float]
    score: float
    image_size: tuple[int, int]

    @classmethod
    def from_landmarks(
        cls, landmarks: np.ndarray, blendshapes: np.ndarray, image_size: tuple[int, int], score: float
    ) -> DetectedFace:
        """Build a face from pixel landmarks: the transform, pose and box are derived from them.

        Args:
            landmarks: ``(478, 3)`` pixels (see the class doc).
            blendshapes: ``(52,)`` ARKit order.
            image_size: ``(width, height)``.
            score: confidence in [0, 1].
        """
        landmarks = np.asarray(landmarks, dtype=np.float32)
        if landmarks.shape != (478, 3):
            raise ValueError(f"landmarks must be (478, 3), got {landmarks.shape}")
        transform = facial_transform(landmarks, image_size)
        yaw, pitch, roll = pose_angles(transform)
        x0, y0 = landmarks[:, :2].min(0)
        x1, y1 = landmarks[:, :2].max(0)
        landmarks.setflags(write=False)
        shapes = np.asarray(blendshapes, dtype=np.float32).reshape(52)
        shapes.setflags(write=False)
        transform.setflags(write=False)
        return cls(landmarks, shapes, transform, yaw, pitch, roll,
                   (float(x0), float(y0), float(x1), float(y1)), float(score), (int(image_size[0]), int(image_size[1])))

    @property
    def size(self) -> float:
        """Face size in pixels: ``sqrt(width * height)`` of ``bbox``."""
        x0, y0, x1, y1 = self.bbox
        return math.sqrt(max(x1 - x0, 0.0) * max(y1 - y0, 0.0))

    @property
    def center(self) -> tuple[float, float]:
        """Centre of ``bbox`` in pixels."""
        x0, y0, x1, y1 = self.bbox
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def pose(self) -> tuple[float, float, float]:
        """``(yaw, pitch, roll)`` in degrees."""
        return self.yaw, self.pitch, self.roll

    def iou(self, other: DetectedFace) -> float:
        """Intersection over union of the two boxes."""
        return box_iou(self.bbox, other.bbox)

    def __repr__(self) -> str:
        x0, y0, x1, y1 = self.bbox
        return (f"DetectedFace(bbox=({x0:.0f}, {y0:.0f}, {x1:.0f}, {y1:.0f}), size={self.size:.0f}, "
                f"yaw={self.yaw:.1f}, pitch={self.pitch:.1f}, roll={self.roll:.1f}, score={self.score:.2f})")


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def select_face(
    faces: Sequence[DetectedFace],
    face_index: int | None = None,
    ambiguity_ratio: float | None = DEFAULT_AMBIGUITY_RATIO,
    what: str = "the image",
) -> DetectedFace:
    """Choose the face to animate.

    Args:
        faces: faces as returned by ``FaceAnalyzer.detect`` (largest first; order is re-checked here).
        face_index: index into ``faces`` sorted largest first (``talkinghead faces`` lists them); ``None``
            picks the largest.
        ambiguity_ratio: without ``face_index``, refuse to guess when the second largest face is within this
            factor of the largest (``AmbiguousFaceError``); ``None`` always takes the largest.
        what: how error messages name the input (``"'group.jpg'"``).

    Raises:
        NoFaceError: ``faces`` is empty.
        OptionError: ``face_index`` out of range.
        AmbiguousFaceError: several faces of about the same size and no ``face_index``.
    """
    if not faces:
        raise NoFaceError(
            f"no human face found in {what}; use a photo, painting or rendering with a clearly visible human "
            "face (see `talkinghead faces` for what is detected)"
        )
    ordered = sorted(faces, key=lambda f: f.size, reverse=True)
    if face_index is not None:
        if not -len(ordered) <= face_index < len(ordered):
            raise OptionError(
                f"--face-index {face_index} is out of range: {len(ordered)} face(s) found in {what} "
                f"(valid: 0..{len(ordered) - 1}; run `talkinghead faces` to list them)"
            )
        return ordered[face_index]
    if ambiguity_ratio is not None and len(ordered) > 1 and ordered[0].size < ambiguity_ratio * ordered[1].size:
        raise AmbiguousFaceError(
            f"{len(ordered)} faces of similar size found in {what} ({ordered[0].size:.0f} and "
            f"{ordered[1].size:.0f} px); choose one with --face-index (run `talkinghead faces` to list them)"
        )
    return ordered[0]
