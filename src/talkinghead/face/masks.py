"""Region masks from landmarks, and feathering.

Every mask function takes landmarks in the pixel coordinates of the target raster (the full image, or a
crop after ``CropTransform.to_crop``) and the raster's ``shape`` ``(h, w)``, and returns an anti-aliased
``(h, w) float32`` mask in [0, 1] (1 inside, the covered fraction on edges).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from talkinghead.face import landmark_groups as lg

__all__ = ["polygon_mask", "face_mask", "lower_face_mask", "mouth_mask", "mouth_inner_mask", "eyes_mask",
           "feather_mask"]

_SHIFT = 4  # fixed-point bits for cv2.fillPoly
_SUPERSAMPLE = 4


def polygon_mask(polygons: Sequence[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Union of polygons (each ``(k, 2)`` pixel coordinates) as an anti-aliased ``(h, w) float32`` mask.

    Pixel ``(i, j)`` covers ``[j - 0.5, j + 0.5] x [i - 0.5, i + 0.5]`` and gets the fraction of it inside
    (4x4 supersampling over the polygons' bounding box: edges are right to a quarter pixel; OpenCV's own
    anti-aliased fill grows shapes by about half a pixel).
    """
    h, w = int(shape[0]), int(shape[1])
    out = np.zeros((h, w), np.float32)
    pts = [np.asarray(p, dtype=np.float64)[:, :2] for p in polygons if len(p) >= 3]
    if not pts:
        return out
    allp = np.concatenate(pts)
    x0, y0 = max(0, int(np.floor(allp[:, 0].min()))), max(0, int(np.floor(allp[:, 1].min())))
    x1, y1 = min(w, int(np.ceil(allp[:, 0].max())) + 1), min(h, int(np.ceil(allp[:, 1].max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return out
    k = _SUPERSAMPLE
    canvas = np.zeros(((y1 - y0) * k, (x1 - x0) * k), np.uint8)
    # image x -> supersampled u: the centre of sub-pixel u is at x0 - 0.5 + (u + 0.5) / k
    scaled = [np.round(((p - (x0, y0) + 0.5) * k - 0.5) * (1 << _SHIFT)).astype(np.int32) for p in pts]
    cv2.fillPoly(canvas, scaled, 255, lineType=cv2.LINE_8, shift=_SHIFT)
    out[y0:y1, x0:x1] = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    return out


def _points(landmarks: np.ndarray, indices: Sequence[int]) -> np.ndarray:
    return np.asarray(landmarks, dtype=np.float64)[list(indices), :2]


def face_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The face inside the face oval (forehead top to chin, cheek to cheek)."""
    return polygon_mask([_points(landmarks, lg.FACE_OVAL)], shape)


def lower_face_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Jaw, mouth, chin and lower nose: the jaw line closed by the straight line between the cheek points
    (234, 454, about mid-nose height). What lip-sync renderers regenerate (IP-LAP's "lower-half masked face")."""
    return polygon_mask([_points(landmarks, lg.JAW)], shape)


def mouth_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Lips and mouth opening (outer lip contour)."""
    return polygon_mask([_points(landmarks, lg.LIPS_OUTER)], shape)


def mouth_inner_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The mouth opening between the lips (inner lip contour): teeth, tongue, cavity. Empty when closed."""
    return polygon_mask([_points(landmarks, lg.LIPS_INNER)], shape)


def eyes_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Both eye openings (lid contours)."""
    return polygon_mask([_points(landmarks, lg.LEFT_EYE), _points(landmarks, lg.RIGHT_EYE)], shape)


def feather_mask(mask: np.ndarray, sigma: float, erode: float = 0.0) -> np.ndarray:
    """Soften a mask's edge: shrink it by ``erode`` pixels, then blur with a Gaussian of ``sigma`` pixels.

    Erosion uses the distance to the mask's outside (the mask is thresholded at 0.5 for it). Wide feathers
    (sigma >= 4) are computed at a proportionally lower resolution and upsampled, which is indistinguishable
    and 5-10x faster. The Gaussian kernel is cut at 3 sigma, so the result is exactly 0 a bounded distance
    outside the mask (values below 1/1024 are set to 0, above ``1 - 1/1024`` to 1).

    Args:
        mask: ``(h, w)`` float in [0, 1].
        sigma, erode: in pixels.

    Returns:
        ``(h, w) float32`` in [0, 1].
    """
    out = np.asarray(mask, dtype=np.float32)
    h, w = out.shape
    q = max(1, int(sigma // 2)) if sigma >= 4 else 1
    if q > 1:
        out = cv2.resize(out, (max(1, w // q), max(1, h // q)), interpolation=cv2.INTER_AREA)
    if erode > 0:
        inside = (out >= 0.5).astype(np.uint8)
        distance = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        out = np.clip(distance - erode / q + 0.5, 0.0, 1.0).astype(np.float32)
    if sigma > 0:
        s = sigma / q
        k = 2 * int(np.ceil(3 * s)) + 1
        out = cv2.GaussianBlur(out, (k, k), s, borderType=cv2.BORDER_CONSTANT)
    if q > 1:
        out = cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)
    out = np.clip(out, 0.0, 1.0)
    out[out < 1 / 1024] = 0.0
    out[out > 1 - 1 / 1024] = 1.0
    return out
