"""Mouth-interior synthesis: what shows between the lips when they open wider than in the source.

Shape legend: ``k`` points of an inner-lip polyline (from one mouth corner to the other), ``n`` pixels.

Everything is laid out in *mouth coordinates*: ``u`` along the line from the inner corner on the image's left to
the one on the right (0..1), ``v`` pixels across it (downwards). Each polyline (upper and lower inner lip, the
edges of the upper and lower incisors) becomes a function ``v(u)``, so a pixel is classified by comparing its
``v`` with them (DESIGN.md, "Measured facts and pitfalls"):

- the cavity darkens with depth (distance from the lips), from the colour of the inner lips to a deep
  red-brown, with the tongue's colour towards the lower lip;
- upper teeth belong to the skull: they show between the upper lip and the incisal edge, a line fixed to the
  head (given by the caller from the face model); lower teeth belong to the jaw and show between their edge
  (moving with the jaw) and the lower lip; both fade into the dark at the sides of the mouth, are shadowed by
  the upper lip, have faint gaps between incisors, and are lit like the skin around the mouth;
- a source that already shows its teeth keeps them: the cavity is filled from the source's own mouth opening,
  its upper part following the upper lip and its lower part the lower lip, and only what is wider than the
  source opening is filled with the dark of the source's cavity (a painted strip over real teeth looks worse).

Colours are RGB float in [0, 1] and come from the source (:func:`estimate_palette`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["MouthPalette", "estimate_palette", "SourceMouth", "MouthShape", "render_mouth_interior", "refine_inner_lips"]

#: mediapipe landmarks sampled for the colours: cheeks / chin skin, and the red of the lips
_SKIN_POINTS = (50, 280, 205, 425, 36, 266, 199, 175)
_LIP_POINTS = (0, 17, 37, 267, 84, 314, 39, 269, 181, 405)
#: average colour of teeth in daylight (linear-ish sRGB), before the source's lighting is applied
_IVORY = np.array([0.95, 0.92, 0.85], np.float32)
#: u positions of the gaps between upper teeth (central incisors, laterals, canines), centre out
_TOOTH_GAPS = np.array([0.5, 0.33, 0.67, 0.2, 0.8], np.float32)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


@dataclass(frozen=True)
class MouthPalette:
    """Colours of the synthesised interior (and the skin they were lit from), each ``(3,)`` float32 RGB in [0, 1]."""

    teeth: np.ndarray
    cavity: np.ndarray
    mucosa: np.ndarray
    tongue: np.ndarray
    skin: np.ndarray


def patch_median(image: np.ndarray, points: np.ndarray, radius: int) -> np.ndarray:
    """Median RGB ``(3,)`` float32 in [0, 1] of the square patches of ``radius`` around ``points`` ``(k, 2)``."""
    h, w = image.shape[:2]
    samples = []
    for x, y in np.round(points).astype(int):
        patch = image[max(y - radius, 0): min(y + radius + 1, h), max(x - radius, 0): min(x + radius + 1, w)]
        if patch.size:
            samples.append(patch.reshape(-1, 3))
    if not samples:
        return np.full(3, 0.5, np.float32)
    return (np.median(np.concatenate(samples), axis=0) / 255.0).astype(np.float32)


def estimate_palette(image: np.ndarray, landmarks: np.ndarray) -> MouthPalette:
    """Interior colours for a face: teeth lit like the skin around the mouth, cavity from the lips' red.

    Args:
        image: ``(h, w, 3)`` uint8 RGB.
        landmarks: ``(478, 2+)`` pixel landmarks of the face in ``image``.
    """
    lm = np.asarray(landmarks)[:, :2]
    face_h = float(np.linalg.norm(lm[10] - lm[152]))
    radius = max(1, int(round(face_h * 0.015)))
    skin = patch_median(image, lm[list(_SKIN_POINTS)], radius)
    lips = patch_median(image, lm[list(_LIP_POINTS)], max(1, radius // 2))
    skin_luma = max(float(_luma(skin)), 1e-3)
    light = float(np.clip(skin_luma / 0.55, 0.3, 1.15))
    tint = np.clip(skin / skin_luma, 0.6, 1.5)  # the light's colour cast, as the skin shows it
    # a little of the skin's own colour: pure grey-white teeth read as cyan next to red lips after chroma subsampling
    teeth = np.clip(0.85 * _IVORY * light * (1 + 0.5 * (tint - 1)) + 0.15 * skin, 0, 1)
    lip_luma = max(float(_luma(lips)), 1e-3)
    lip_tint = np.clip(lips / lip_luma, 0.5, 1.8)
    return MouthPalette(
        teeth=teeth.astype(np.float32),
        cavity=np.clip(lips * 0.14, 0, 1).astype(np.float32),
        mucosa=np.clip(lips * 0.5, 0, 1).astype(np.float32),
        tongue=np.clip(lip_luma * 0.6 * lip_tint ** 1.3, 0, 1).astype(np.float32),
        skin=skin,
    )


@dataclass(frozen=True)
class MouthShape:
    """Polylines of one frame's mouth, in output pixels, each ``(k, 2)`` from one inner corner to the other.

    Attributes:
        upper_lip, lower_lip: inner edges of the lips (the cavity lies between them).
        upper_teeth: incisal edge of the upper teeth (fixed to the skull), or ``None`` for no upper teeth.
        lower_teeth: incisal edge of the lower teeth (moving with the jaw), or ``None``.
    """

    upper_lip: np.ndarray
    lower_lip: np.ndarray
    upper_teeth: np.ndarray | None = None
    lower_teeth: np.ndarray | None = None


class _Frame:
    """Mouth coordinates of one mouth: corners -> axis ``e1`` (u), normal ``e2`` (v, pointing down)."""

    def __init__(self, upper: np.ndarray, lower: np.ndarray):
        ends = np.array([upper[0], upper[-1]], np.float64)
        if ends[0, 0] > ends[1, 0]:
            ends = ends[::-1]
        self.origin = ends[0]
        axis = ends[1] - ends[0]
        self.length = max(float(np.linalg.norm(axis)), 1e-6)
        self.e1 = axis / self.length
        self.e2 = np.array([-self.e1[1], self.e1[0]])

    def uv(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = np.asarray(points, np.float64) - self.origin
        return d @ self.e1 / self.length, d @ self.e2

    def xy(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.origin + np.outer(u * self.length, self.e1) + np.outer(v, self.e2)

    def curve(self, points: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A polyline as a function ``v(u)`` evaluated at ``u``."""
        pu, pv = self.uv(points)
        order = np.argsort(pu)
        return np.interp(u, pu[order], pv[order])


@dataclass(frozen=True)
class SourceMouth:
    """The source's own mouth opening, when it shows teeth (see the module doc).

    Attributes:
        upper_lip, lower_lip: ``(k, 2)`` the source's inner-lip polylines in source pixels.
        dark: ``(3,)`` float32 RGB colour of the darkest part of the source's cavity (fills what is wider).
    """

    upper_lip: np.ndarray
    lower_lip: np.ndarray
    dark: np.ndarray

    @classmethod
    def detect(cls, image: np.ndarray, upper_lip: np.ndarray, lower_lip: np.ndarray, face_height: float,
               palette: MouthPalette, min_gap: float = 0.015, teeth_share: float = 0.12) -> SourceMouth | None:
        """The source mouth if it is open by more than ``min_gap`` face heights and teeth (pixels brighter than
        80 % of the skin) cover more than ``teeth_share`` of the opening; ``None`` otherwise (teeth are then
        synthesised)."""
        frame = _Frame(upper_lip, lower_lip)
        gap = frame.curve(lower_lip, np.linspace(0.2, 0.8, 7)) - frame.curve(upper_lip, np.linspace(0.2, 0.8, 7))
        if np.median(gap) < min_gap * face_height:
            return None
        polygon = np.round(np.concatenate([upper_lip, lower_lip[::-1]])).astype(np.int32)
        x0, y0 = np.maximum(polygon.min(0), 0)
        x1, y1 = polygon.max(0) + 1
        crop = image[y0:y1, x0:x1]
        mask = np.zeros(crop.shape[:2], np.uint8)
        cv2.fillPoly(mask, [polygon - (x0, y0)], 1)
        pixels = crop[mask > 0].astype(np.float32) / 255.0
        if len(pixels) < 8:
            return None
        luma = _luma(pixels)
        if (luma > 0.8 * float(_luma(palette.skin))).mean() < teeth_share:
            return None
        dark = np.median(pixels[luma <= np.percentile(luma, 15)], axis=0)
        return cls(np.asarray(upper_lip, np.float64), np.asarray(lower_lip, np.float64), dark.astype(np.float32))


def render_mouth_interior(
    frame: np.ndarray,
    shape: MouthShape,
    palette: MouthPalette,
    source: np.ndarray | None = None,
    source_mouth: SourceMouth | None = None,
) -> None:
    """Paint the mouth interior of ``shape`` into ``frame`` in place.

    Args:
        frame: ``(h, w, 3)`` uint8 RGB output image (already warped).
        shape: this frame's mouth polylines in ``frame``'s pixels.
        palette: interior colours.
        source: ``(H, W, 3)`` uint8 RGB source image, needed with ``source_mouth``.
        source_mouth: the source's open mouth with teeth, whose content is reused (see the module doc).
    """
    upper, lower = np.asarray(shape.upper_lip, np.float64), np.asarray(shape.lower_lip, np.float64)
    polygon = np.concatenate([upper, lower[::-1]])
    h, w = frame.shape[:2]
    x0, y0 = np.floor(polygon.min(0)).astype(int) - 2
    x1, y1 = np.ceil(polygon.max(0)).astype(int) + 3
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    # anti-aliased coverage of the opening (4 fractional bits)
    cover = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(cover, [np.round((polygon - (x0, y0)) * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    inside = cover > 0
    if not inside.any():
        return
    ys, xs = np.nonzero(inside)
    alpha = cover[ys, xs].astype(np.float32)[:, None] / 255.0
    pts = np.stack([xs + x0, ys + y0], 1).astype(np.float64)

    mf = _Frame(upper, lower)
    u, v = mf.uv(pts)
    v_up, v_lo = mf.curve(upper, u), mf.curve(lower, u)
    opening = np.maximum(v_lo - v_up, 1e-3)
    # a seam of closed lips is no opening: the anti-aliased outline of a (nearly) flat polygon fades out
    alpha = alpha * smoothstep(0.25, 1.5, opening)[:, None]
    depth = np.minimum(v - v_up, v_lo - v)  # pixels from the nearer lip
    scale = 0.035 * mf.length + 0.75
    lateral = np.abs(u - 0.5) * 2  # 0 at the middle, 1 at the corners

    colour = _cavity(palette, depth, scale, v, v_lo, opening, lateral)
    if source_mouth is not None and source is not None:
        colour = _from_source(colour, source, source_mouth, u, v - v_up, v_lo - v)
    else:
        colour = _teeth(colour, palette, shape, mf, u, v, v_up, v_lo, lateral, scale)
    out = frame[ys + y0, xs + x0].astype(np.float32)
    frame[ys + y0, xs + x0] = np.clip(out * (1 - alpha) + colour * 255.0 * alpha, 0, 255).astype(np.uint8)


def _cavity(palette, depth, scale, v, v_lo, opening, lateral) -> np.ndarray:
    """Dark cavity: inner-lip colour at the lips, deep red-brown inside, tongue towards the lower lip."""
    t = smoothstep(0.0, 1.0, depth / (1.6 * scale))[:, None]
    colour = palette.mucosa * (1 - t) + palette.cavity * t
    # the tongue: a dull red surface behind the lower teeth, visible in the lower part of a wide opening
    tongue = (smoothstep(0.45, 0.85, 1 - (v_lo - v) / opening) * smoothstep(1.0, 0.4, lateral)
              * smoothstep(2.5, 6.0, opening / scale))[:, None]
    tongue_depth = 0.55 + 0.45 * smoothstep(0.0, 1.0, (v_lo - v)[:, None] / (2.0 * scale))
    colour = colour * (1 - 0.7 * tongue) + palette.tongue * (1.0 / tongue_depth) * 0.6 * 0.7 * tongue
    return colour


def _teeth(colour, palette, shape, mf, u, v, v_up, v_lo, lateral, scale) -> np.ndarray:
    """Upper teeth between the upper lip and their edge, lower teeth between their edge and the lower lip."""
    fade = smoothstep(0.95, 0.45, lateral)[:, None]  # teeth recede into the dark at the mouth's sides
    if shape.lower_teeth is not None:
        # the lower lip hides most of the lower teeth: at most a third of the opening shows them
        edge = np.maximum(mf.curve(np.asarray(shape.lower_teeth, np.float64), u), v_lo - 0.33 * (v_lo - v_up))
        cover = np.clip(v - edge + 0.5, 0, 1)[:, None] * fade
        shade = 0.62 - 0.12 * smoothstep(0.0, 1.0, (v - edge)[:, None] / (2 * scale))  # in the upper teeth's shadow
        lower = 0.75 * palette.teeth + 0.25 * palette.mucosa
        colour = colour * (1 - cover) + lower * shade * cover
    if shape.upper_teeth is not None:
        edge = mf.curve(np.asarray(shape.upper_teeth, np.float64), u)
        cover = np.clip(edge - v + 0.5, 0, 1)[:, None] * fade
        below_lip = v - v_up
        shade = 1.0 - 0.3 * np.exp(-below_lip / (0.6 * scale))  # the upper lip's shadow
        shade = shade * (0.82 + 0.18 * (1 - lateral))  # the side teeth are further back
        gap_px = np.min(np.abs(u[:, None] - _TOOTH_GAPS[None]), axis=1) * mf.length
        shade = shade * (1 - 0.14 * np.exp(-(gap_px / 0.6) ** 2))  # faint gaps between teeth
        translucent = 1 - 0.1 * np.exp(-np.maximum(edge - v, 0) / 1.2)  # the incisal edge is greyer
        colour = colour * (1 - cover) + palette.teeth * (shade * translucent)[:, None] * cover
    return colour


def _from_source(cavity, source, mouth: SourceMouth, u, d_up, d_lo) -> np.ndarray:
    """The source's own opening: its upper part follows the upper lip, its lower part the lower lip; what is
    wider than the source's opening shows the synthesised ``cavity``."""
    sf = _Frame(mouth.upper_lip, mouth.lower_lip)
    s_up, s_lo = sf.curve(mouth.upper_lip, u), sf.curve(mouth.lower_lip, u)
    half = np.maximum((s_lo - s_up) / 2, 0.0)
    use_upper = d_up <= d_lo
    v_src = np.where(use_upper, s_up + d_up, s_lo - d_lo)
    xy = sf.xy(u, v_src).astype(np.float32)
    sampled = cv2.remap(source, xy[:, 0].reshape(-1, 1), xy[:, 1].reshape(-1, 1), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE).reshape(-1, 3).astype(np.float32) / 255.0
    beyond = smoothstep(-1.5, 1.5, np.minimum(d_up, d_lo) - half)[:, None]
    return sampled * (1 - beyond) + np.minimum(cavity, mouth.dark) * beyond


#: inner-lip points (between the corners) and the outer-lip points facing them, lower then upper lip
_LOWER_PAIRS = ((95, 146), (88, 91), (178, 181), (87, 84), (14, 17), (317, 314), (402, 405), (318, 321), (324, 375))
_UPPER_PAIRS = ((191, 185), (80, 40), (81, 39), (82, 37), (13, 0), (312, 267), (311, 269), (310, 270), (415, 409))


def refine_inner_lips(image: np.ndarray, landmarks: np.ndarray, samples: int = 12, max_move: float = 0.6) -> np.ndarray:
    """Move inner-lip landmarks that lie on visible teeth to the lips' real edge.

    With teeth showing, the landmarker often puts the inner lip contour inside the teeth (the opening it reports
    is smaller than the one seen), so the lip triangles of the warp carry teeth with them and a closed mouth
    still shows teeth. Along the line from each inner-lip point to the outer-lip point facing it, pixels as bright
    as the teeth at the inner point (brighter than the lip further out) are teeth: the inner point moves to
    where they end, at most ``max_move`` of the way to the outer lip.

    Args:
        image: ``(h, w, 3)`` uint8 RGB.
        landmarks: ``(478, 2+)`` pixels.

    Returns:
        a float64 copy of ``landmarks`` with refined inner-lip points.
    """
    out = np.array(landmarks, np.float64)
    luma = _luma(image.astype(np.float32) / 255.0).astype(np.float32)
    t = np.linspace(0.0, 1.0, samples)
    for pairs in (_LOWER_PAIRS, _UPPER_PAIRS):
        inner = out[[p[0] for p in pairs], :2]
        outer = out[[p[1] for p in pairs], :2]
        line = inner[:, None] + (outer - inner)[:, None] * t[None, :, None]  # (9, samples, 2)
        values = cv2.remap(luma, line[..., 0].astype(np.float32), line[..., 1].astype(np.float32), cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)  # (9, samples)
        lip = np.median(values[:, int(0.75 * samples):])  # the lip's own brightness, near the outer edge
        teeth = np.median(values[:, :2])
        if teeth - lip < 0.12:  # no bright teeth at the inner contour: nothing to fix
            continue
        threshold = 0.5 * (teeth + lip)
        for i in range(len(pairs)):
            below = np.flatnonzero(values[i] < threshold)
            end = t[below[0]] if len(below) else max_move
            out[pairs[i][0], :2] = inner[i] + (outer[i] - inner[i]) * min(float(end), max_move)
    return out
