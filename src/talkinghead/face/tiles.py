"""Where to look for faces: a pyramid of overlapping square tiles, and overlap suppression.

mediapipe's face detector (BlazeFace short range, 128x128 input) finds faces that fill about 12% to 60% of
its input's side; a face that is 5% of a group photo is invisible to it. Tiles of side ``t`` with stride
``t / 2`` are searched for ``t`` = the image's short side, then halved until the smallest wanted face fills
at least 12% of a tile. Each level is read from a copy downscaled so a tile is at most ``TILE_PIXELS`` wide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["tile_levels", "tile_origins", "suppress_overlaps", "MIN_FACE_FRACTION", "TILE_PIXELS"]

#: the smallest face, as a fraction of the detector input's side, that it finds reliably (measured)
MIN_FACE_FRACTION = 0.12
#: tiles are downscaled to at most this many pixels across before detection (the detector works at 128)
TILE_PIXELS = 256


def tile_levels(image_size: tuple[int, int], min_face_size: float) -> list[int]:
    """Tile sides in pixels, largest first: the short side, halved while faces of ``min_face_size`` pixels
    would be under :data:`MIN_FACE_FRACTION` of a tile."""
    side = float(min(image_size))
    levels = [int(round(side))]
    while side * MIN_FACE_FRACTION > min_face_size and side / 2 >= 32:
        side /= 2
        levels.append(int(round(side)))
    return levels


def tile_origins(length: int, side: int) -> list[int]:
    """Start positions of tiles of ``side`` along ``length`` pixels, stride about ``side / 2``, covering all."""
    if length <= side:
        return [0]
    n = math.ceil((length - side) / (side / 2)) + 1
    return [int(round(v)) for v in np.linspace(0, length - side, n)]


def _overlap(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """(IoU, intersection over the smaller box's area)."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    union = area_a + area_b - inter
    return (inter / union if union > 0 else 0.0), (inter / min(area_a, area_b) if min(area_a, area_b) > 0 else 0.0)


def suppress_overlaps(boxes: Sequence[Sequence[float]], scores: Sequence[float], iou: float = 0.3,
                      contained: float = 0.6) -> list[int]:
    """Indices of boxes kept by greedy non-maximum suppression, best score first.

    A box is dropped when it overlaps a kept one by more than ``iou`` (IoU) or lies mostly inside it or
    around it (intersection over the smaller area above ``contained``): a face seen by two pyramid levels,
    or a part of a face cut by a tile edge.
    """
    order = sorted(range(len(boxes)), key=lambda i: scores[i], reverse=True)
    kept: list[int] = []
    for i in order:
        overlaps = [_overlap(boxes[i], boxes[j]) for j in kept]
        if all(o_iou <= iou and o_min <= contained for o_iou, o_min in overlaps):
            kept.append(i)
    return kept
