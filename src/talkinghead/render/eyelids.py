"""Eyelid synthesis for blinks: the skin a closing lid unfolds over the eye.

Shape legend: ``k`` points of an eyelid polyline (corner to corner).

A warp can only stretch what the source shows, and an open eye shows a thin strip of upper lid (the rest is
folded under the crease): stretched over the eye, the strip's lashes and shadow become a dark smear. So wherever
the lid has come down (between the lid's open position and its current edge) the lid is painted: skin coloured
like the source's upper lid below the brow, slightly darker towards the edge, with a line of lashes at the edge,
faded in with the closure so that small and partial blinks stay mostly the warped photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from talkinghead.render.mouth_interior import smoothstep, patch_median

__all__ = ["EyeShape", "LidPalette", "estimate_lid_palette", "render_eyelids", "RIGHT_UPPER_LID", "LEFT_UPPER_LID"]

#: upper lids from the outer to the inner corner (mediapipe), subject's right and left
RIGHT_UPPER_LID: tuple[int, ...] = (33, 246, 161, 160, 159, 158, 157, 173, 133)
LEFT_UPPER_LID: tuple[int, ...] = (263, 466, 388, 387, 386, 385, 384, 398, 362)
#: skin of the upper lid under the brows, and the lash line
_LID_SKIN = (223, 224, 222, 443, 444, 442)
_LASHES = (159, 160, 158, 386, 387, 385)


@dataclass(frozen=True)
class LidPalette:
    """``skin`` and ``lashes`` colours, ``(3,)`` float32 RGB in [0, 1]."""

    skin: np.ndarray
    lashes: np.ndarray


def estimate_lid_palette(image: np.ndarray, landmarks: np.ndarray) -> LidPalette:
    """Lid colours of a face: ``image`` ``(h, w, 3)`` uint8 RGB, ``landmarks`` ``(478, 2+)`` pixels."""
    lm = np.asarray(landmarks)[:, :2]
    radius = max(1, int(round(0.012 * np.linalg.norm(lm[10] - lm[152]))))
    skin = patch_median(image, lm[list(_LID_SKIN)], radius)
    lashes = np.minimum(patch_median(image, lm[list(_LASHES)], max(1, radius // 2)), skin * 0.45)
    return LidPalette(skin, lashes.astype(np.float32))


@dataclass(frozen=True)
class EyeShape:
    """One eye's upper lid in output pixels: ``open`` where it is with the eye open, ``edge`` where it is now
    (both ``(k, 2)``, same points), and ``closure`` in [0, 1]."""

    open: np.ndarray
    edge: np.ndarray
    closure: float


def render_eyelids(frame: np.ndarray, eyes: list[EyeShape], palette: LidPalette, min_closure: float = 0.15) -> None:
    """Paint the lowered part of each upper lid into ``frame`` (``(h, w, 3)`` uint8 RGB) in place."""
    h, w = frame.shape[:2]
    for eye in eyes:
        if eye.closure < min_closure:
            continue
        top, edge = np.asarray(eye.open, np.float64), np.asarray(eye.edge, np.float64)
        polygon = np.concatenate([top, edge[::-1]])
        x0, y0 = np.maximum(np.floor(polygon.min(0)).astype(int) - 2, 0)
        x1, y1 = np.minimum(np.ceil(polygon.max(0)).astype(int) + 3, (w, h))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        cover = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(cover, [np.round((polygon - (x0, y0)) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
        ys, xs = np.nonzero(cover)
        if len(ys) == 0:
            continue
        # distance below the open lid, as a share of how far the lid came down (1 at the edge)
        x = xs + x0
        top_y = np.interp(x, *_sorted(top))
        edge_y = np.interp(x, *_sorted(edge))
        drop = np.maximum(edge_y - top_y, 1.0)
        depth = np.clip((ys + y0 - top_y) / drop, 0, 1)[:, None]
        # continuity with the skin above the open lid: its colour at the top, the lid's skin towards the edge
        above = frame[np.clip(np.round(top_y - 1.5 - 0.15 * drop).astype(int), 0, h - 1), x].astype(np.float32) / 255
        blend = smoothstep(0.0, 0.7, depth)
        colour = (above * (1 - blend) + palette.skin * blend) * (1.0 - 0.1 * depth)
        lash_px = max(1.0, 0.08 * float(np.ptp(top[:, 0])))
        lash = np.clip(1.0 - (edge_y - (ys + y0)) / lash_px, 0, 1)[:, None]
        colour = colour * (1 - 0.85 * lash) + palette.lashes * 0.85 * lash
        alpha = cover[ys, xs, None].astype(np.float32) / 255.0 * (0.35 + 0.65 * smoothstep(0.0, 0.35, depth))
        alpha = alpha * float(np.clip((eye.closure - min_closure) / (0.6 - min_closure), 0, 1))
        out = frame[ys + y0, x].astype(np.float32)
        frame[ys + y0, x] = np.clip(out * (1 - alpha) + colour * 255 * alpha, 0, 255).astype(np.uint8)


def _sorted(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(points[:, 0])
    return points[order, 0], points[order, 1]
