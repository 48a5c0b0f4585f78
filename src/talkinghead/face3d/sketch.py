"""Landmark sketches (IP-LAP Sec. 3.2) and Gaussian landmark heatmaps (VividTalk Sec. 3.3, lip branch).

IP-LAP draws the predicted lip and jaw landmarks together with the pose-prior landmarks "on the image plane to
get the target face sketches": the contours of lips, jaw, eyes, brows and nose as 1-pixel lines on a black
canvas. VividTalk turns lip-related landmarks into Gaussian maps for its lip-motion hourglass. The contours are
the loops and polylines of :mod:`talkinghead.face.landmark_groups`.

Outputs are float32 in [0, 1]: sketches ``(h, w, 3)`` RGB, heatmaps ``(k, h, w)`` or ``(h, w)``.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["sketch_parts", "DEFAULT_PARTS", "draw_sketch", "landmark_heatmaps", "lip_landmarks"]

#: the parts IP-LAP draws (its 131 landmarks: lips, jaw, eyes, brows, nose)
DEFAULT_PARTS: tuple[str, ...] = (
    "jaw", "lips_outer", "lips_inner", "eye_left", "eye_right", "brow_left", "brow_right", "nose_bridge",
    "nose_bottom",
)


@functools.lru_cache(maxsize=1)
def sketch_parts() -> dict[str, tuple[tuple[int, ...], bool]]:
    """Part name -> (landmark indices in drawing order, closed loop?). Left/right are the subject's."""
    from talkinghead.face import landmark_groups as g

    return {
        "jaw": (g.JAW, False),
        "face_oval": (g.FACE_OVAL, True),
        "lips_outer": (g.LIPS_OUTER, True),
        "lips_inner": (g.LIPS_INNER, True),
        "eye_left": (g.LEFT_EYE, True),
        "eye_right": (g.RIGHT_EYE, True),
        "brow_left": (g.LEFT_BROW, True),
        "brow_right": (g.RIGHT_BROW, True),
        "nose_bridge": (g.NOSE_BRIDGE, False),
        "nose_bottom": (g.NOSE_BOTTOM, False),
        "iris_left": (g.LEFT_IRIS, True),
        "iris_right": (g.RIGHT_IRIS, True),
    }


def draw_sketch(landmarks: np.ndarray, size: tuple[int, int], parts=DEFAULT_PARTS, color=(1.0, 1.0, 1.0),
                thickness: int = 1, antialias: bool = False, canvas: np.ndarray | None = None,
                table: dict[str, tuple[tuple[int, ...], bool]] | None = None) -> np.ndarray:
    """Draw face contours as lines (IP-LAP's target sketch).

    Args:
        landmarks: ``(478, 2)`` pixels (x right, y down), e.g. ``fit.landmarks(camera=...)``; sub-pixel
            positions are kept (fixed-point drawing, 1/16 px).
        size: ``(width, height)`` of the canvas.
        parts: names from :func:`sketch_parts` (or from ``table``), drawn in this order.
        color: RGB in [0, 1] for every part, or a dict part -> RGB.
        thickness: line width in pixels.
        antialias: anti-aliased lines instead of 8-connected 1-pixel ones.
        canvas: ``(h, w, 3)`` float32 to draw on (copied); default black.
        table: part name -> (landmark indices in drawing order, closed loop?) instead of :func:`sketch_parts`
            (a method's own contours, e.g. IP-LAP's temple-to-temple oval).

    Returns:
        ``(h, w, 3)`` float32 in [0, 1].
    """
    import cv2

    width, height = int(size[0]), int(size[1])
    out = np.zeros((height, width, 3), np.float32) if canvas is None else np.array(canvas, np.float32)
    table = sketch_parts() if table is None else table
    pts = np.round(np.asarray(landmarks, np.float64)[:, :2] * 16).astype(np.int32)
    line = cv2.LINE_AA if antialias else cv2.LINE_8
    for name in parts:
        if name not in table:
            raise ValueError(f"unknown sketch part {name!r}; known: {', '.join(table)}")
        index, closed = table[name]
        rgb = color[name] if isinstance(color, dict) else color
        cv2.polylines(out, [pts[list(index)]], closed, tuple(float(c) for c in rgb), thickness, line, shift=4)
    return out


@functools.lru_cache(maxsize=1)
def lip_landmarks() -> tuple[int, ...]:
    """The 40 lip landmarks (outer and inner contours): VividTalk's lip-related points."""
    from talkinghead.face import landmark_groups as g

    return tuple(g.LIPS_OUTER) + tuple(g.LIPS_INNER)


def landmark_heatmaps(points: np.ndarray, size: tuple[int, int], sigma: float = 2.0,
                      reduce: str | None = None) -> np.ndarray:
    """Gaussian maps ``exp(-|p - x|^2 / (2 sigma^2))`` centred on landmarks (peak 1 at a pixel centre on them).

    Args:
        points: ``(k, 2)`` pixels (x right, y down).
        size: ``(width, height)``.
        sigma: standard deviation in pixels.
        reduce: ``None`` for one map per point ``(k, h, w)``, ``"max"`` or ``"sum"`` for one ``(h, w)`` map.

    Returns:
        float32 maps. Computed separably (an outer product of 1D Gaussians per point).
    """
    width, height = int(size[0]), int(size[1])
    p = np.asarray(points, np.float64).reshape(-1, 2)
    xs = np.arange(width) + 0.5
    ys = np.arange(height) + 0.5
    gx = np.exp(-((xs[None] - p[:, :1]) ** 2) / (2 * sigma**2)).astype(np.float32)  # (k, w)
    gy = np.exp(-((ys[None] - p[:, 1:]) ** 2) / (2 * sigma**2)).astype(np.float32)  # (k, h)
    if reduce is None:
        return gy[:, :, None] * gx[:, None, :]
    if reduce == "sum":
        return gy.T @ gx
    if reduce == "max":
        out = np.zeros((height, width), np.float32)
        for a, b in zip(gy, gx):
            np.maximum(out, np.outer(a, b), out=out)
        return out
    raise ValueError(f"reduce must be None, 'max' or 'sum', got {reduce!r}")
