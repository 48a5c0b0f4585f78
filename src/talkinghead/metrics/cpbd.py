"""CPBD: the cumulative probability of blur detection, a no-reference sharpness score in [0, 1].

Narvekar & Karam, "A No-Reference Image Blur Metric Based on the Cumulative Probability of Blur Detection
(CPBD)", IEEE TIP 20(9):2678-2683, 2011 (first presented at QoMEX 2009, the version OSM-Net cites as [72]).
Implemented from the paper, following the authors' reference procedure where the paper leaves a choice:

1. The image is converted to grey levels in [0, 255] (ITU-R BT.601 luma for RGB).
2. Edges for width measurement: Sobel on the horizontal derivative (vertical edges), kept where the squared
   response exceeds 4x its image mean and is a horizontal local maximum (MATLAB's ``edge(I, 'sobel', [],
   'vertical')``).
3. Edge width (Marziliano et al., "Perceptual blur and ringing metrics", Signal Processing: Image
   Communication 19(2), 2004): along the row, from the pixels beside the edge, walk outwards while the
   intensity keeps rising (or falling) with the edge; the width is the distance between the two extrema
   (each walk capped at 101 pixels). Only edges whose gradient lies within 22.5 degrees of horizontal get a
   width.
4. The image is cut into 64x64 blocks; a block is an edge block when more than 0.2% of its pixels are Canny
   edges. Its contrast C = max - min grey level sets the just-noticeable blur width w_JNB = 5 if C <= 50,
   else 3 (Sec. II, Eq. 2 of the paper).
5. Each edge of an edge block gets P_blur = 1 - exp(-|w / w_JNB|^3.6) (Eq. 3, beta = 3.6), rounded to
   percent; CPBD = fraction of those edges with P_blur <= P_JNB = 63% (Eq. 5).

Higher is sharper. An image without edge blocks scores 0. Shape legend: h height, w width.
"""

from __future__ import annotations

import numpy as np

from talkinghead.errors import InputError
from talkinghead.metrics.frames import as_frames
from talkinghead.metrics.registry import MetricResult, register_metric

__all__ = ["cpbd", "cpbd_from_edges", "edge_widths"]

BLOCK = 64  # block side in pixels (Sec. III)
EDGE_BLOCK_FRACTION = 0.002  # T: a block with more than 0.2% edge pixels is an edge block
BETA = 3.6  # Eq. 3
P_JNB = 0.63  # Eq. 5: probability of blur detection at the just-noticeable width
MAX_WALK = 100  # extremum search limit of the reference implementation (pixels beyond the first)


def _grey(image: np.ndarray) -> np.ndarray:
    """(h, w) or (h, w, 3) uint8 RGB -> (h, w) float64 grey levels in [0, 255]."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 3:
        return image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    if image.ndim == 2:
        return image.astype(np.float64)
    raise InputError(f"CPBD: expected an (h, w) or (h, w, 3) image, got shape {image.shape}")


def _run_lengths(flags: np.ndarray, *, reverse: bool) -> np.ndarray:
    """Per row, the number of consecutive True values ending at each position (scanning left to right),
    or starting at it (``reverse``)."""
    if reverse:
        return _run_lengths(flags[:, ::-1], reverse=False)[:, ::-1]
    idx = np.arange(flags.shape[1])
    last_false = np.maximum.accumulate(np.where(flags, -1, idx), axis=1)
    return np.where(flags, idx - last_false, 0)


def _sobel_vertical_edges(grey: np.ndarray) -> np.ndarray:
    """Thinned vertical edges (step 2): (h, w) bool."""
    import cv2

    gx = cv2.Sobel(grey, cv2.CV_64F, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE) / 8.0
    strength = gx * gx
    cutoff = 4.0 * strength.mean()
    left = np.pad(strength, ((0, 0), (1, 0)), mode="edge")[:, :-1]
    right = np.pad(strength, ((0, 0), (0, 1)), mode="edge")[:, 1:]
    return (strength > cutoff) & (strength > left) & (strength >= right)


def _canny_edges(grey: np.ndarray) -> np.ndarray:
    """Canny edges with MATLAB's automatic thresholds (sigma sqrt(2); high = 70th percentile of the
    gradient magnitude, low = 0.4 high), used only to classify blocks (step 4): (h, w) bool."""
    import cv2

    smooth = cv2.GaussianBlur(grey, (0, 0), np.sqrt(2.0))
    u8 = np.clip(np.round(smooth), 0, 255).astype(np.uint8)
    gx = cv2.Sobel(u8, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(u8, cv2.CV_64F, 0, 1, ksize=3)
    high = float(np.percentile(np.hypot(gx, gy), 70))
    if high <= 0:
        return np.zeros(grey.shape, dtype=bool)
    return cv2.Canny(u8, 0.4 * high, high, L2gradient=True) > 0


def edge_widths(grey: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Marziliano edge widths (step 3) at ``edges``; 0 where there is no measurable edge.

    Args:
        grey: (h, w) float grey levels.
        edges: (h, w) bool edge pixels.

    Returns:
        (h, w) float64 widths in pixels (>= 2 at measured edges).
    """
    h, w = grey.shape
    gy, gx = np.gradient(grey)
    angle = np.degrees(np.arctan2(gy, gx))
    rising = (gx > 0) & (np.abs(angle) <= 22.5)  # intensity increases left to right
    falling = (gx < 0) & (np.abs(angle) >= 157.5)
    d = np.diff(grey, axis=1)  # (h, w - 1): d[:, x] = I[x + 1] - I[x]
    up_end = _run_lengths(d > 0, reverse=False)
    down_end = _run_lengths(d < 0, reverse=False)
    up_start = _run_lengths(d > 0, reverse=True)
    down_start = _run_lengths(d < 0, reverse=True)

    cols = np.arange(w)
    # Walk left from col - 1: counts steps with d[col - 2 - k] of the edge's sign; walk right from col + 1:
    # steps with d[col + 1 + k] of that sign. Positions outside the image contribute no step.
    left_idx = np.clip(cols - 2, 0, w - 2)
    right_idx = np.clip(cols + 1, 0, w - 2)
    left_ok = (cols - 2) >= 0
    right_ok = (cols + 1) <= w - 2
    steps_left_rising = np.where(left_ok, up_end[:, left_idx], 0)
    steps_right_rising = np.where(right_ok, up_start[:, right_idx], 0)
    steps_left_falling = np.where(left_ok, down_end[:, left_idx], 0)
    steps_right_falling = np.where(right_ok, down_start[:, right_idx], 0)
    width_rising = np.minimum(steps_left_rising, MAX_WALK) + np.minimum(steps_right_rising, MAX_WALK) + 2
    width_falling = np.minimum(steps_left_falling, MAX_WALK) + np.minimum(steps_right_falling, MAX_WALK) + 2

    widths = np.zeros((h, w))
    interior = np.zeros((h, w), dtype=bool)
    interior[1:-1, 1:-1] = True
    sel = edges & interior
    widths[sel & rising] = width_rising[sel & rising]
    widths[sel & falling] = width_falling[sel & falling]
    return widths


def cpbd(image: np.ndarray) -> float:
    """CPBD sharpness of one image (Narvekar & Karam 2011), in [0, 1], higher is sharper.

    Args:
        image: (h, w, 3) uint8 RGB or (h, w) grey levels in [0, 255]; at least 64x64 pixels.
    """
    grey = _grey(image)
    h, w = grey.shape
    if h < BLOCK or w < BLOCK:
        raise InputError(f"CPBD needs images of at least {BLOCK}x{BLOCK} pixels, got {w}x{h}")
    return cpbd_from_edges(grey, _sobel_vertical_edges(grey), _canny_edges(grey))


def cpbd_from_edges(grey: np.ndarray, width_edges: np.ndarray, block_edges: np.ndarray) -> float:
    """Steps 3-5 of CPBD given the two edge maps, each (h, w) bool: edges whose widths are measured and
    edges that classify blocks. :func:`cpbd` computes both from the image."""
    h, w = grey.shape
    widths = edge_widths(grey, width_edges)
    canny = block_edges
    nby, nbx = h // BLOCK, w // BLOCK

    def blocks(a: np.ndarray) -> np.ndarray:  # (h, w) -> (nby * nbx, BLOCK * BLOCK)
        a = a[: nby * BLOCK, : nbx * BLOCK].reshape(nby, BLOCK, nbx, BLOCK)
        return a.transpose(0, 2, 1, 3).reshape(nby * nbx, BLOCK * BLOCK)

    is_edge_block = blocks(canny).sum(axis=1) > EDGE_BLOCK_FRACTION * BLOCK * BLOCK
    grey_blocks = blocks(grey)[is_edge_block]
    width_blocks = blocks(widths)[is_edge_block]
    contrast = np.floor(grey_blocks.max(axis=1) - grey_blocks.min(axis=1))
    w_jnb = np.where(contrast <= 50, 5.0, 3.0)[:, None]  # Eq. 2
    measured = width_blocks > 0
    p_blur = 1.0 - np.exp(-np.abs(width_blocks / w_jnb) ** BETA)  # Eq. 3
    percent = np.round(p_blur[measured] * 100)
    if percent.size == 0:
        return 0.0
    return float(np.mean(percent <= round(P_JNB * 100)))  # Eq. 5


@register_metric(
    "cpbd",
    kind="video",
    inputs=("pred",),
    higher_is_better=True,
    definition="""Cumulative probability of blur detection: edge widths (Marziliano) in 64x64 edge blocks,
    probability of detecting blur 1 - exp(-(w / w_JNB)^3.6) with w_JNB = 5 (block contrast <= 50) or 3,
    fraction of edges with that probability <= 63%; per frame on the BT.601 luma, averaged over frames. No
    reference needed; higher is sharper.""",
    reference="Narvekar & Karam, A No-Reference Image Blur Metric Based on the Cumulative Probability of Blur "
    "Detection (CPBD), IEEE TIP 20(9), 2011.",
    papers=("osm_net",),
)
def cpbd_metric(*, pred: np.ndarray) -> MetricResult:
    values = np.array([cpbd(frame) for frame in as_frames(pred, name="pred")])
    return MetricResult({"cpbd": float(values.mean())}, per_frame={"cpbd": values})
