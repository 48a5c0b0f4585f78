"""IP-LAP's face sketches (Sec. 3.2): the 131 landmarks drawn "on the image plane" as contour lines.

The parts are polylines over positions in :data:`talkinghead.methods.ip_lap.landmarks.ALL`: lips (outer,
inner, closed), jaw + upper oval (one open line from temple to temple), brows (closed), nose ridge and nostril
line (open), eyes (closed). Each part has its own colour so the networks can tell lips from jaw where they
cross (the public implementation draws mediapipe's coloured connections; colours are our choice).

Sketches are ``(3, h, w)`` float32 in [0, 1] RGB (``(h, w, 3)`` before :func:`to_chw`).
"""

from __future__ import annotations

import functools

import numpy as np

from talkinghead.methods.ip_lap import landmarks as L

__all__ = ["SKETCH_PARTS", "draw_sketch", "draw_sketches"]


@functools.lru_cache(maxsize=1)
def _parts() -> tuple[dict[str, tuple[tuple[int, ...], bool]], dict[str, tuple[float, float, float]]]:
    """(part -> (mediapipe landmark indices, closed?), part -> RGB colour) for ``face3d.draw_sketch``."""
    from talkinghead.face import landmark_groups as g

    oval = tuple(g.FACE_OVAL[27:31][::-1]) + L.JAW[::-1] + tuple(g.FACE_OVAL[6:10][::-1])  # temple to temple
    parts = (
        ("lips_outer", tuple(g.LIPS_OUTER), True, (1.0, 0.2, 0.2)),
        ("lips_inner", tuple(g.LIPS_INNER), True, (1.0, 0.6, 0.2)),
        ("oval", oval, False, (0.2, 1.0, 0.2)),
        ("brow_right", tuple(g.RIGHT_BROW), True, (1.0, 1.0, 0.2)),
        ("brow_left", tuple(g.LEFT_BROW), True, (1.0, 1.0, 0.2)),
        ("nose_ridge", L.NOSE[:5], False, (0.2, 1.0, 1.0)),
        ("nostrils", L.NOSE[5:], False, (0.2, 1.0, 1.0)),
        ("eye_right", tuple(g.RIGHT_EYE), True, (0.4, 0.4, 1.0)),
        ("eye_left", tuple(g.LEFT_EYE), True, (0.4, 0.4, 1.0)),
    )
    return {n: (index, closed) for n, index, closed, _ in parts}, {n: colour for n, _, _, colour in parts}


#: part names, in drawing order
SKETCH_PARTS: tuple[str, ...] = ("lips_outer", "lips_inner", "oval", "brow_right", "brow_left", "nose_ridge",
                                 "nostrils", "eye_right", "eye_left")


def draw_sketch(points131: np.ndarray, size: int, thickness: int = 1) -> np.ndarray:
    """One sketch (drawn by :func:`talkinghead.face3d.draw_sketch`, anti-aliased, with IP-LAP's parts).

    Args:
        points131: ``(131, 2)`` in crop coordinates divided by the crop side (x, y in [0, 1] inside the crop).
        size: side of the square canvas in pixels.
        thickness: line width in pixels.

    Returns:
        ``(size, size, 3)`` float32 in [0, 1] RGB, black background.
    """
    from talkinghead.face3d.sketch import draw_sketch as draw_contours

    pts = np.asarray(points131, np.float64)
    if pts.shape != (L.NUM_ALL, 2):
        raise ValueError(f"expected ({L.NUM_ALL}, 2) points, got {pts.shape}")
    landmarks = np.zeros((478, 2))
    landmarks[list(L.ALL)] = np.nan_to_num(pts) * size
    table, colours = _parts()
    return draw_contours(landmarks, (size, size), SKETCH_PARTS, colours, thickness, antialias=True, table=table)


def draw_sketches(points131, size: int, thickness: int = 1):
    """Sketches of many frames: ``(..., 131, 2)`` numpy or torch -> ``(..., 3, size, size)`` float32 of the same
    kind (a torch result is on the points' device). Drawing happens on the CPU."""
    is_torch = not isinstance(points131, np.ndarray)
    arr = points131.detach().float().cpu().numpy() if is_torch else np.asarray(points131, np.float32)
    lead = arr.shape[:-2]
    flat = arr.reshape(-1, L.NUM_ALL, 2)
    sketches = np.stack([draw_sketch(p, size, thickness) for p in flat]) if len(flat) else \
        np.zeros((0, size, size, 3), np.float32)
    sketches = np.ascontiguousarray(sketches.transpose(0, 3, 1, 2)).reshape(*lead, 3, size, size)
    if not is_torch:
        return sketches
    import torch

    return torch.from_numpy(sketches).to(points131.device)
