"""Similarity-aligned square face crops and their exact inverse.

:func:`align_crop` fits a similarity (rotation, uniform scale, translation) that puts mediapipe's 33 pose
landmarks (nose, eye corners, cheekbones, temples, forehead, jaw; weights from mediapipe's Procrustes basis)
onto their frontal canonical positions, so the crop is upright, centred and scaled the same way in every
frame; expressions (mouth, brows, blinks) do not move it. Built from smoothed video landmarks it is stable
over a video. The same :class:`CropTransform` maps points both ways and warps any crop size (128, 256, 512
share one footprint, :meth:`CropTransform.resized`).

Coordinates: pixels with x right, y down; a pixel's centre is at integer coordinates (OpenCV's convention).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from talkinghead.face import landmark_groups as lg

__all__ = ["CropTransform", "align_crop", "crop_transform", "warp_affine", "similarity_2d", "rigid_template",
           "DEFAULT_CROP_SCALE"]

#: crop side as a multiple of the forehead-to-chin distance (landmarks 10 to 152): the whole head with margin
DEFAULT_CROP_SCALE = 1.8
#: vertical position of the face centre in the crop, as a fraction of the crop side below the centre
#: (negative: face above centre, leaving more room for the neck than for hair); 0 centres it
DEFAULT_CROP_SHIFT = 0.0


@functools.lru_cache(maxsize=1)
def rigid_template() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """mediapipe's 33 pose landmarks, frontal: ``(ids (33,), xy (33, 2) canonical cm with y down, weights (33,),
    face height cm)`` where the face height is the canonical forehead-top (10) to chin (152) distance and the
    origin is their midpoint. From :func:`talkinghead.face3d.load_canonical_mesh` (cached there)."""
    from talkinghead.face3d.mesh import load_canonical_mesh

    mesh = load_canonical_mesh()
    xy = mesh.vertices[:, :2].astype(np.float64) * np.array([1.0, -1.0])  # canonical y up -> image y down
    top, chin = xy[lg.FOREHEAD_TOP], xy[lg.CHIN]
    center = (top + chin) / 2
    out = (np.array(mesh.procrustes_ids), xy[mesh.procrustes_ids] - center,
           mesh.procrustes_weights.astype(np.float64), float(np.linalg.norm(top - chin)))
    for a in out[:3]:
        a.setflags(write=False)
    return out


def similarity_2d(source: np.ndarray, target: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(2, 3)`` similarity (rotation, uniform scale, translation) minimising
    ``sum_i w_i |M source_i - target_i|^2`` (weighted Procrustes / Umeyama in 2D).

    Args:
        source, target: ``(n, 2)`` corresponding points.
        weights: ``(n,)`` non-negative.
    """
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    mu_s, mu_d = w @ src, w @ dst
    cs, cd = src - mu_s, dst - mu_d
    # closed form for a 2D similarity [[a, -b], [b, a]]
    norm = np.sum(w * (cs ** 2).sum(1))
    a = np.sum(w * (cs[:, 0] * cd[:, 0] + cs[:, 1] * cd[:, 1])) / norm
    b = np.sum(w * (cs[:, 0] * cd[:, 1] - cs[:, 1] * cd[:, 0])) / norm
    lin = np.array([[a, -b], [b, a]])
    return np.concatenate([lin, (mu_d - lin @ mu_s)[:, None]], axis=1)


def _invert(matrix: np.ndarray) -> np.ndarray:
    return cv2.invertAffineTransform(np.asarray(matrix, dtype=np.float64))


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    out = points.copy()
    out[..., :2] = points[..., :2] @ matrix[:, :2].T + matrix[:, 2]
    if points.shape[-1] > 2:  # depth scales with the image
        out[..., 2:] = points[..., 2:] * np.sqrt(abs(np.linalg.det(matrix[:, :2])))
    return out


@dataclass(frozen=True, eq=False)
class CropTransform:
    """A similarity between an image and a square crop of it.

    Attributes:
        matrix: ``(2, 3)`` float64, image pixels -> crop pixels.
        inverse: ``(2, 3)`` float64, crop pixels -> image pixels.
        size: crop side in pixels.
        image_size: ``(width, height)`` of the image.
    """

    matrix: np.ndarray
    inverse: np.ndarray
    size: int
    image_size: tuple[int, int]

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, size: int, image_size: tuple[int, int]) -> CropTransform:
        """Build from the image -> crop matrix (the inverse is computed)."""
        m = np.asarray(matrix, dtype=np.float64).reshape(2, 3).copy()
        inv = _invert(m)
        m.setflags(write=False)
        inv.setflags(write=False)
        return cls(m, inv, int(size), (int(image_size[0]), int(image_size[1])))

    @classmethod
    def axis_aligned(cls, center: tuple[float, float], side: float, size: int,
                     image_size: tuple[int, int]) -> CropTransform:
        """The upright square of ``side`` image pixels centred on ``center``, sampled at ``size`` pixels."""
        s = size / side
        cx, cy = center
        # image point (cx, cy) -> crop centre ((size - 1) / 2, (size - 1) / 2)
        m = np.array([[s, 0.0, (size - 1) / 2 - s * cx], [0.0, s, (size - 1) / 2 - s * cy]])
        return cls.from_matrix(m, size, image_size)

    @property
    def scale(self) -> float:
        """Crop pixels per image pixel."""
        return float(np.sqrt(abs(np.linalg.det(self.matrix[:, :2]))))

    @property
    def angle(self) -> float:
        """Rotation of the image content in the crop, degrees (counter-clockwise positive, as seen)."""
        return float(np.degrees(np.arctan2(-self.matrix[1, 0], self.matrix[0, 0])))

    def to_crop(self, points: np.ndarray) -> np.ndarray:
        """Image pixels -> crop pixels. ``points``: ``(..., 2)`` or ``(..., 3)`` (z is scaled like x, y)."""
        return _apply(self.matrix, points)

    def to_image(self, points: np.ndarray) -> np.ndarray:
        """Crop pixels -> image pixels. ``points``: ``(..., 2)`` or ``(..., 3)``."""
        return _apply(self.inverse, points)

    def resized(self, size: int) -> CropTransform:
        """The same footprint in the image, sampled at ``size`` pixels (128, 256, 512 crops stay aligned)."""
        # crop pixel centres: c' = (c + 0.5) * size / self.size - 0.5
        r = size / self.size
        m = self.matrix * r
        m[:, 2] += 0.5 * r - 0.5
        return CropTransform.from_matrix(m, size, self.image_size)

    def warp(self, image: np.ndarray, border: str = "replicate", interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
        """Sample the crop from ``image`` (``(h, w, c)`` or ``(h, w)``), area-filtered when shrinking.

        Args:
            border: ``"replicate"`` (edge pixels repeat where the crop leaves the image) or ``"zero"``.
            interpolation: OpenCV flag (bicubic by default, see :func:`warp_affine`).

        Returns:
            ``(size, size, c)`` (or ``(size, size)``), the dtype of ``image``.
        """
        return warp_affine(image, self.matrix, (self.size, self.size), border=border, interpolation=interpolation)

    def footprint(self) -> np.ndarray:
        """``(4, 2)`` image coordinates of the crop's corners (clockwise from top-left)."""
        s = self.size - 0.5
        return self.to_image(np.array([[-0.5, -0.5], [s, -0.5], [s, s], [-0.5, s]]))


def warp_affine(image: np.ndarray, matrix: np.ndarray, out_size: tuple[int, int], border: str = "replicate",
                interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    """``cv2.warpAffine`` with anti-aliasing when the map shrinks by more than 1.5x.

    The part of ``image`` under the output is first box-averaged by the integer factor ``k = floor(1 / scale)``
    (OpenCV's fast path: a 2x shrink of 800x800 costs 0.15 ms where a 1.6x ``INTER_AREA`` costs 12), then
    blurred by the Gaussian the remaining shrink needs, then warped. So a 512 crop from a 4K frame costs little.
    Bicubic by default: a 512 crop of a 100-pixel face pasted back differs from the original by a median of 1
    and a 99th percentile of 8 levels (bilinear: 3 and 20).

    Args:
        image: ``(h, w)`` or ``(h, w, c)`` array.
        matrix: ``(2, 3)`` source -> destination pixels.
        out_size: ``(width, height)`` of the output.
        border: ``"replicate"`` or ``"zero"``.
        interpolation: an OpenCV flag (``cv2.INTER_LINEAR`` for masks: no overshoot, zeros stay zero).
    """
    m = np.asarray(matrix, dtype=np.float64)
    mode = cv2.BORDER_REPLICATE if border == "replicate" else cv2.BORDER_CONSTANT
    scale = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
    h, w = image.shape[:2]
    if scale < 1 / 1.5:
        ow, oh = out_size
        inv = _invert(m)
        corners = np.array([[-1, -1], [ow, -1], [ow, oh], [-1, oh]], dtype=np.float64) @ inv[:, :2].T + inv[:, 2]
        k = int(1.0 / scale)
        pad = 2 * k + 2
        x0 = int(max(0, np.floor(corners[:, 0].min() - pad)))
        y0 = int(max(0, np.floor(corners[:, 1].min() - pad)))
        x1 = int(min(w, np.ceil(corners[:, 0].max() + pad)))
        y1 = int(min(h, np.ceil(corners[:, 1].max() + pad)))
        x1, y1 = x0 + (x1 - x0) // k * k, y0 + (y1 - y0) // k * k  # whole k x k boxes
        if x1 - x0 >= 2 * k and y1 - y0 >= 2 * k:
            small = image[y0:y1, x0:x1]
            if k > 1:
                small = cv2.resize(small, ((x1 - x0) // k, (y1 - y0) // k), interpolation=cv2.INTER_AREA)
            # a pixel centre u of `small` lies at image x0 + k u + (k - 1) / 2
            a = np.diag([float(k), float(k)])
            b = np.array([x0 + (k - 1) / 2, y0 + (k - 1) / 2])
            m = np.concatenate([m[:, :2] @ a, (m[:, :2] @ b + m[:, 2])[:, None]], axis=1)
            rest = scale * k  # remaining shrink factor, in (0.5, 1]
            if rest < 0.8:
                small = cv2.GaussianBlur(small, (0, 0), 0.5 * np.sqrt(1 / rest ** 2 - 1))
            image = small
    return cv2.warpAffine(np.ascontiguousarray(image), m, out_size, flags=interpolation, borderMode=mode, borderValue=0)


def crop_transform(landmarks: np.ndarray, size: int, image_size: tuple[int, int],
                   scale: float = DEFAULT_CROP_SCALE, shift: float = DEFAULT_CROP_SHIFT) -> CropTransform:
    """The aligned crop's transform, without sampling pixels.

    Args:
        landmarks: ``(478, 2|3)`` or ``(468, 2|3)`` pixel landmarks.
        size: crop side in pixels.
        image_size: ``(width, height)``.
        scale: crop side as a multiple of the canonical forehead-to-chin distance.
        shift: face centre below the crop centre, as a fraction of the side.
    """
    ids, template, weights, face_height = rigid_template()
    points = np.asarray(landmarks, dtype=np.float64)[ids, :2]
    target = template * (size / (scale * face_height)) + np.array([(size - 1) / 2, (size - 1) / 2 + shift * size])
    return CropTransform.from_matrix(similarity_2d(points, target, weights), size, image_size)


def align_crop(image: np.ndarray, landmarks: np.ndarray, size: int = 512, scale: float = DEFAULT_CROP_SCALE,
               shift: float = DEFAULT_CROP_SHIFT) -> tuple[np.ndarray, CropTransform]:
    """Cut an upright, centred square face crop.

    Args:
        image: ``(h, w, 3) uint8`` RGB.
        landmarks: ``(478, 2|3)`` pixel landmarks of the face in ``image``.
        size: crop side (any; 128, 256, 512 are the usual).
        scale, shift: framing, see :func:`crop_transform`.

    Returns:
        ``((size, size, 3) uint8 RGB crop, CropTransform)``.
    """
    h, w = image.shape[:2]
    transform = crop_transform(landmarks, size, (w, h), scale=scale, shift=shift)
    return transform.warp(image), transform
