"""Helpers of the face tests: synthesized scenes (no real media needed) and jitter / lag measures."""

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


def jitter(x: np.ndarray) -> float:
    """Frame-to-frame jitter of ``(t, n, >=2)`` landmarks: median over landmarks of the RMS second difference,
    in face sizes (for white noise of sigma, about 2.45 sigma; smooth motion adds little)."""
    size = np.ptp(x[:, :, :2], axis=1).max(axis=1).mean()
    return float(np.median(np.sqrt((np.diff(x[:, :, :2], 2, axis=0) ** 2).mean(axis=0))) / size)


def lag_frames(a: np.ndarray, b: np.ndarray) -> float:
    """Frames by which ``b`` lags ``a`` (same shape, time first): the peak of the cross-correlation of their
    velocities, refined to a fraction of a frame by a parabola through the peak and its neighbours."""
    va, vb = np.diff(a, axis=0).reshape(len(a) - 1, -1), np.diff(b, axis=0).reshape(len(b) - 1, -1)
    lags = np.arange(-5, 6)
    cc = np.array([(va[max(0, -k):len(va) - max(0, k)] * vb[max(0, k):len(vb) - max(0, -k)]).sum() for k in lags])
    i = int(np.argmax(cc))
    return float(lags[i] + 0.5 * (cc[i - 1] - cc[i + 1]) / (cc[i - 1] - 2 * cc[i] + cc[i + 1]))
