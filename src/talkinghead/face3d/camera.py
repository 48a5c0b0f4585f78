"""Pinhole camera of mediapipe's metric space, and head pose (rotation, translation, scale).

Frames used throughout ``talkinghead.face3d``:

- *canonical space*: mediapipe's canonical face mesh, centimetres, x towards the image right (the subject's
  left), y up, z out of the face towards the camera.
- *camera space*: mediapipe's metric camera space. The camera sits at the origin looking down -z, y up; a face
  in front of it has z < 0. mediapipe's facial transformation matrix maps canonical space into it
  (DESIGN.md, "Measured facts").
- *pixels*: x right, y down, origin at the top-left corner of the top-left pixel (pixel centres at i + 0.5
  are not used: mediapipe's normalised landmarks times the image size give these coordinates directly).

mediapipe's perspective camera has a vertical field of view of 63 degrees, near plane 1 and the principal
point in the image centre, with square pixels: ``focal = h / (2 tan(fov / 2))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

__all__ = ["Camera", "Pose", "MEDIAPIPE_FOV_Y_DEG"]

#: mediapipe's face geometry perspective camera (face_landmarker geometry pipeline).
MEDIAPIPE_FOV_Y_DEG = 63.0


@dataclass(frozen=True)
class Camera:
    """Pinhole camera looking down -z of camera space, projecting to pixels of a ``width x height`` image.

    ``u = cx + focal * x / (-z)``, ``v = cy - focal * y / (-z)``. Build it with :meth:`mediapipe` for a
    detection on an image of that size, then :meth:`crop` / :meth:`resize` it to render any window at any size.

    Attributes:
        width, height: image size in pixels.
        focal: focal length in pixels (square pixels).
        cx, cy: principal point in pixels.
    """

    width: int
    height: int
    focal: float
    cx: float
    cy: float

    @classmethod
    def mediapipe(cls, width: int, height: int, fov_y_deg: float = MEDIAPIPE_FOV_Y_DEG) -> Camera:
        """The camera mediapipe's geometry pipeline assumes for an image of ``width x height`` pixels."""
        focal = height / (2.0 * math.tan(math.radians(fov_y_deg) / 2.0))
        return cls(int(width), int(height), float(focal), width / 2.0, height / 2.0)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)``."""
        return self.width, self.height

    def crop(self, x0: float, y0: float, x1: float, y1: float) -> Camera:
        """The camera of the image window ``[x0, x1) x [y0, y1)`` (pixels; may extend past the image)."""
        return replace(self, width=int(round(x1 - x0)), height=int(round(y1 - y0)), cx=self.cx - x0, cy=self.cy - y0)

    def resize(self, width: int, height: int | None = None) -> Camera:
        """The same view rendered at ``width x height`` pixels (``height`` defaults to keeping the aspect).

        Pixels stay square: the vertical scale ``height / self.height`` is used for both axes and the view is
        centred horizontally when the aspect changes.
        """
        if height is None:
            height = int(round(self.height * width / self.width))
        s = height / self.height
        cx = width / 2.0 + (self.cx - self.width / 2.0) * s
        return Camera(int(width), int(height), self.focal * s, cx, self.cy * s)

    def project(self, points: np.ndarray) -> np.ndarray:
        """Camera-space points ``(..., 3)`` (z < 0 in front) -> pixels ``(..., 2)``, same float dtype."""
        points = np.asarray(points)
        depth = -points[..., 2]
        u = self.cx + self.focal * points[..., 0] / depth
        v = self.cy - self.focal * points[..., 1] / depth
        return np.stack([u, v], axis=-1)

    def unproject(self, pixels: np.ndarray, depth: np.ndarray | float) -> np.ndarray:
        """Pixels ``(..., 2)`` at positive ``depth`` (distance along -z) -> camera-space points ``(..., 3)``."""
        pixels = np.asarray(pixels, dtype=np.float64)
        depth = np.broadcast_to(np.asarray(depth, dtype=np.float64), pixels.shape[:-1])
        x = (pixels[..., 0] - self.cx) * depth / self.focal
        y = -(pixels[..., 1] - self.cy) * depth / self.focal
        return np.stack([x, y, -depth], axis=-1)


@dataclass(frozen=True)
class Pose:
    """Similarity transform from canonical space to camera space: ``x_cam = scale * R @ x + t`` (Eq. 1's R, t).

    Attributes:
        rotation: ``(3, 3)`` float64, a proper rotation (det +1).
        translation: ``(3,)`` float64, centimetres in camera space (z < 0 in front of the camera).
        scale: positive float; mediapipe's pipeline makes it close to 1, the face's size is in the depth.
    """

    rotation: np.ndarray
    translation: np.ndarray
    scale: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "rotation", np.asarray(self.rotation, dtype=np.float64).reshape(3, 3))
        object.__setattr__(self, "translation", np.asarray(self.translation, dtype=np.float64).reshape(3))
        object.__setattr__(self, "scale", float(self.scale))

    @classmethod
    def from_matrix(cls, matrix: np.ndarray) -> Pose:
        """From a ``(4, 4)`` similarity matrix (e.g. mediapipe's facial transformation matrix)."""
        matrix = np.asarray(matrix, dtype=np.float64)
        linear = matrix[:3, :3]
        scale = float(np.cbrt(np.linalg.det(linear)))
        return cls(_nearest_rotation(linear / scale), matrix[:3, 3], scale)

    @classmethod
    def from_euler(cls, yaw: float, pitch: float, roll: float, translation=(0.0, 0.0, -50.0),
                   scale: float = 1.0) -> Pose:
        """From angles in degrees (see :attr:`euler`) and a translation."""
        return cls(euler_to_rotation(yaw, pitch, roll), np.asarray(translation, np.float64), scale)

    @property
    def matrix(self) -> np.ndarray:
        """``(4, 4)`` float64 similarity matrix."""
        out = np.eye(4)
        out[:3, :3] = self.scale * self.rotation
        out[:3, 3] = self.translation
        return out

    @property
    def euler(self) -> tuple[float, float, float]:
        """``(yaw, pitch, roll)`` in degrees, ``R = Ry(yaw) @ Rx(-pitch) @ Rz(roll)``: the package's one
        head-pose convention (:mod:`talkinghead.face.geometry`), the same angles as
        :attr:`talkinghead.face.DetectedFace.pose`.

        Positive yaw turns the face towards the image right (the subject's left), positive pitch lifts the chin
        (the face looks up), positive roll rotates the face counter-clockwise in the image.
        """
        r = self.rotation
        pitch = math.degrees(math.asin(np.clip(r[1, 2], -1.0, 1.0)))
        yaw = math.degrees(math.atan2(r[0, 2], r[2, 2]))
        roll = math.degrees(math.atan2(r[1, 0], r[1, 1]))
        return yaw, pitch, roll

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Canonical ``(..., 3)`` -> camera space ``(..., 3)``, float64."""
        return self.scale * np.asarray(points, np.float64) @ self.rotation.T + self.translation

    def inverse_apply(self, points: np.ndarray) -> np.ndarray:
        """Camera space ``(..., 3)`` -> canonical ``(..., 3)``, float64."""
        return (np.asarray(points, np.float64) - self.translation) @ self.rotation / self.scale


def euler_to_rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Degrees -> ``(3, 3)`` rotation ``Ry(yaw) @ Rx(-pitch) @ Rz(roll)`` (see :attr:`Pose.euler`: pitch > 0 lifts
    the chin)."""
    y, p, r = (math.radians(a) for a in (yaw, -pitch, roll))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return ry @ rx @ rz


def _nearest_rotation(m: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(m)
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt
