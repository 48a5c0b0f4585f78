"""Head pose of a face: mediapipe's facial transform recomputed from landmarks, and yaw/pitch/roll.

mediapipe's facial transformation matrix maps the canonical mesh (cm) into mediapipe's metric *camera*
space: a perspective camera at the origin looking down -z, y up, vertical field of view 63 degrees, near
plane 1 (DESIGN.md). :func:`facial_transform` recomputes it from any landmarks (smoothed video landmarks,
or landmarks refined on a crop and mapped back to the full image) with :func:`talkinghead.face3d.landmarks_to_metric`,
the package's one re-implementation of mediapipe's geometry pipeline (equal to mediapipe's matrix to ~1e-4).

Pose angles (degrees) of ``R = Ry(yaw) @ Rx(-pitch) @ Rz(roll)`` in camera space (x right, y up, z towards
the viewer), all zero for an upright face whose nose points along the camera's -z axis:

- ``yaw`` > 0: the face turns towards the image's right (the subject turns to their left);
- ``pitch`` > 0: the chin lifts (the face looks up);
- ``roll`` > 0: the head tilts counter-clockwise as seen in the image.

This is the package's one head-pose convention (the aviation sense, nose up = positive pitch, as head-pose
datasets and estimators such as 300W-LP/AFLW2000 and Hopenet report it): :attr:`DetectedFace.pitch`,
``talkinghead faces``, :attr:`talkinghead.face3d.Pose.euler` (and ``euler_to_rotation``), and
:attr:`talkinghead.motion.Motion.head_pose` all use it (``tests/face3d/test_pose_convention.py`` pins it).
A face looking straight into a lens it is not centred on has a non-zero pose (it is camera space).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["facial_transform", "pose_angles", "rotation_from_angles"]


def facial_transform(landmarks: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """mediapipe's facial transformation matrix, recomputed from pixel landmarks.

    Args:
        landmarks: ``(478, 3)`` pixels (x, y; z = mediapipe's normalised z * image width).
        image_size: ``(width, height)`` of the image the landmarks are in.

    Returns:
        ``(4, 4)`` float32: canonical mesh (cm) -> mediapipe's metric camera space.
    """
    from talkinghead.face3d.camera import Camera
    from talkinghead.face3d.metric import landmarks_to_metric

    camera = Camera.mediapipe(int(image_size[0]), int(image_size[1]))
    return landmarks_to_metric(np.asarray(landmarks, dtype=np.float64), camera).pose.matrix.astype(np.float32)


def pose_angles(transform: np.ndarray) -> tuple[float, float, float]:
    """``(yaw, pitch, roll)`` in degrees from a ``(4, 4)`` facial transform (conventions in the module doc)."""
    m = np.asarray(transform, dtype=np.float64)[:3, :3]
    r = m / np.cbrt(np.linalg.det(m))  # remove the (near 1) scale
    # R = Ry(yaw) Rx(-pitch) Rz(roll): R[1, 2] = sin(pitch), R[0, 2] = sin(yaw) cos(pitch), ...
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, r[1, 2]))))
    yaw = math.degrees(math.atan2(r[0, 2], r[2, 2]))
    roll = math.degrees(math.atan2(r[1, 0], r[1, 1]))
    return yaw, pitch, roll


def rotation_from_angles(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """``(3, 3)`` rotation ``Ry(yaw) @ Rx(-pitch) @ Rz(roll)`` (degrees), the inverse of :func:`pose_angles`."""
    a, b, c = (math.radians(v) for v in (yaw, -pitch, roll))
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return ry @ rx @ rz
