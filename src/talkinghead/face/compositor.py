"""Paste generated face crops back into the full frame (IP-LAP Sec. 3.3, Fig. 3).

A renderer's crop may carry background artifacts near its edges, so it is blended into the original frame
through a Gaussian-smoothed face mask: ``out = frame + alpha * (crop_in_frame - frame)``. The mask is drawn
in crop coordinates (e.g. :func:`~talkinghead.face.masks.face_mask` of the crop's landmarks), eroded and
blurred there, forced to 0 at the crop's border, and warped into the frame with the crop's inverse
similarity. Where ``alpha`` is 0 the frame is returned bit for bit; only the region under the warped crop
is touched, so a paste costs the crop's footprint, not the frame size.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from talkinghead.face.crop import CropTransform, warp_affine
from talkinghead.face.masks import feather_mask

__all__ = ["Compositor"]


def _warp_alpha(alpha: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Crop-space alpha -> frame rectangle; weights under 1/1024 (no visible change in 8 bits) become 0."""
    out = warp_affine(alpha, matrix, size, border="zero", interpolation=cv2.INTER_LINEAR)
    out[out < 1 / 1024] = 0.0
    return out


@dataclass(frozen=True)
class Compositor:
    """Feathered paste-back of square face crops.

    Attributes:
        feather: Gaussian sigma of the mask edge, as a fraction of the crop side.
        erode: the mask is shrunk by this fraction of the crop side before blurring, so the soft edge lies
            mostly inside the masked region.
        match_color: shift the crop's mean colour to the frame's over the feathered band, hiding a global
            tint of a renderer (off by default: a faithful renderer needs none).
    """

    feather: float = 0.02
    erode: float = 0.03
    match_color: bool = False

    def crop_alpha(self, mask: np.ndarray | None, size: int) -> np.ndarray:
        """The blending weight in crop coordinates: ``(size, size) float32`` in [0, 1].

        Args:
            mask: ``(size, size)`` float in [0, 1] (hard or soft) in crop pixels; ``None`` for the whole crop.
        """
        if mask is None:
            mask = np.ones((size, size), np.float32)
        mask = np.asarray(mask, dtype=np.float32)
        if mask.shape != (size, size):
            mask = cv2.resize(mask, (size, size), interpolation=cv2.INTER_LINEAR)
        border = np.zeros((size, size), np.float32)
        border[1:-1, 1:-1] = 1.0  # nothing from the crop's outermost pixels (resampled from outside the frame)
        return feather_mask(mask * border, sigma=self.feather * size, erode=self.erode * size)

    def frame_alpha(self, mask: np.ndarray | None, transform: CropTransform, frame_shape: tuple[int, ...],
                    size: int | None = None) -> np.ndarray:
        """The blending weight in frame coordinates, ``(h, w) float32`` (0 where the frame is kept exactly)."""
        size = size or transform.size
        h, w = frame_shape[:2]
        out = np.zeros((h, w), np.float32)
        alpha = self.crop_alpha(mask, size)
        region = self._region(alpha, transform, size, (w, h))
        if region is not None:
            x0, y0, x1, y1, matrix = region
            out[y0:y1, x0:x1] = _warp_alpha(alpha, matrix, (x1 - x0, y1 - y0))
        return out

    def paste(self, frame: np.ndarray, crop: np.ndarray, transform: CropTransform,
              mask: np.ndarray | None = None) -> np.ndarray:
        """Blend ``crop`` into a copy of ``frame``.

        Args:
            frame: ``(h, w, 3) uint8`` RGB full frame.
            crop: ``(s, s, 3) uint8`` RGB generated crop; ``s`` may differ from ``transform.size`` (the
                same footprint is used, :meth:`CropTransform.resized`).
            transform: the crop's transform (from :func:`~talkinghead.face.align_crop`).
            mask: region to paste, ``(s, s)`` float in [0, 1] in crop pixels; ``None`` for the whole crop.

        Returns:
            ``(h, w, 3) uint8`` RGB: ``frame`` outside the feathered mask bit for bit, the crop inside.
        """
        s = crop.shape[0]
        if crop.shape[:2] != (s, s) or frame.ndim != 3 or crop.shape[2] != frame.shape[2]:
            raise ValueError(f"expected a square crop with the frame's channels, got {crop.shape} for {frame.shape}")
        h, w = frame.shape[:2]
        alpha = self.crop_alpha(mask, s)
        out = frame.copy()
        region = self._region(alpha, transform, s, (w, h))
        if region is None:
            return out
        x0, y0, x1, y1, matrix = region
        size = (x1 - x0, y1 - y0)
        a = _warp_alpha(alpha, matrix, size)[..., None]
        pasted = warp_affine(crop, matrix, size, border="replicate").astype(np.float32)
        base = frame[y0:y1, x0:x1].astype(np.float32)
        if self.match_color:
            band = (a[..., 0] > 0.02) & (a[..., 0] < 0.98)
            if band.sum() >= 16:
                pasted += (base[band] - pasted[band]).mean(axis=0)
        out[y0:y1, x0:x1] = np.clip(np.rint(base + a * (pasted - base)), 0, 255).astype(np.uint8)
        return out

    @staticmethod
    def _region(alpha: np.ndarray, transform: CropTransform, size: int, frame_size: tuple[int, int]):
        """Frame rectangle ``(x0, y0, x1, y1)`` under the non-zero alpha and the crop -> rectangle matrix."""
        ys, xs = np.nonzero(alpha)
        if len(xs) == 0:
            return None
        t = transform if transform.size == size else transform.resized(size)
        corners = np.array([[xs.min() - 1, ys.min() - 1], [xs.max() + 1, ys.min() - 1],
                            [xs.max() + 1, ys.max() + 1], [xs.min() - 1, ys.max() + 1]], dtype=np.float64)
        pts = t.to_image(corners)
        w, h = frame_size
        x0, y0 = max(0, int(np.floor(pts[:, 0].min()))), max(0, int(np.floor(pts[:, 1].min())))
        x1, y1 = min(w, int(np.ceil(pts[:, 0].max())) + 1), min(h, int(np.ceil(pts[:, 1].max())) + 1)
        if x1 <= x0 or y1 <= y0:
            return None
        matrix = np.array(t.inverse, dtype=np.float64)
        matrix[:, 2] -= (x0, y0)
        return x0, y0, x1, y1, matrix
