"""Synthesized test scenes for the face tests (no real media needed)."""

from __future__ import annotations

import cv2
import numpy as np


def texture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth random colour texture (no faces in it), ``(h, w, 3) uint8``."""
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 215, size=(max(2, height // 40), max(2, width // 40), 3), dtype=np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def place(canvas: np.ndarray, image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Warp ``image`` into ``canvas`` with the ``(2, 3)`` matrix (image -> canvas pixels), opaque where it lands."""
    h, w = canvas.shape[:2]
    warped = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_AREA if abs(np.linalg.det(matrix[:, :2])) < 1
                            else cv2.INTER_CUBIC)
    inside = cv2.warpAffine(np.full(image.shape[:2], 255, np.uint8), matrix, (w, h), flags=cv2.INTER_NEAREST) > 0
    out = canvas.copy()
    out[inside] = warped[inside]
    return out


def similarity(angle_deg: float, scale: float, src_center, dst_center) -> np.ndarray:
    """``(2, 3)`` rotation (counter-clockwise in the image) + scale about ``src_center``, moved to ``dst_center``."""
    m = cv2.getRotationMatrix2D((float(src_center[0]), float(src_center[1])), angle_deg, scale)
    m[:, 2] += np.asarray(dst_center, dtype=np.float64) - np.asarray(src_center, dtype=np.float64)
    return m
