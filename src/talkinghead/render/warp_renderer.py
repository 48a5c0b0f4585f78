"""The warp renderer: a source image (or video frame) re-posed to target landmarks, with a synthesised mouth.

Shape legend: ``v`` = 468 mesh vertices, ``k`` = 11 points of an inner-lip polyline.

One frame = :class:`~talkinghead.render.mesh_warp.WarpMesh` backward maps over the window the face moves in,
one ``cv2.remap`` of the full-resolution source into that window (everything outside it is the source, pixel for
pixel), then :func:`~talkinghead.render.mouth_interior.render_mouth_interior` inside the target lips and
:func:`~talkinghead.render.eyelids.render_eyelids` where a blink lowered the lids. The warp
works at the source's own resolution, so paste-back loses nothing; the warp map itself is computed at a
resolution set by ``map_size`` (the warp is piecewise affine, hence continuous, so a coarse map upsampled
bilinearly differs from the full-resolution one by a fraction of a pixel).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from talkinghead.face.landmark_groups import FACE_OVAL, LIPS_INNER
from talkinghead.render.eyelids import EyeShape, LidPalette, estimate_lid_palette, render_eyelids
from talkinghead.render.mesh_warp import WarpMesh, WarpRegion, WarpTopology, unfold
from talkinghead.render.mouth_interior import MouthPalette, MouthShape, SourceMouth, estimate_palette, render_mouth_interior

__all__ = ["WarpRenderer", "PreparedSource", "UPPER_INNER_LIP", "LOWER_INNER_LIP", "default_topology"]

#: inner-lip polylines from the subject's right inner corner (78) to the left one (308)
LOWER_INNER_LIP: tuple[int, ...] = LIPS_INNER[:11]
UPPER_INNER_LIP: tuple[int, ...] = (LIPS_INNER[0],) + LIPS_INNER[11:][::-1] + (LIPS_INNER[10],)


def canonical_topology() -> WarpTopology:
    """:func:`default_topology` over the canonical face mesh (the topology every warp of a mediapipe face uses)."""
    from talkinghead.face3d import load_canonical_mesh

    mesh = load_canonical_mesh()
    return default_topology(mesh.triangles, mesh.mouth_triangles, mesh.eye_triangles)


def default_topology(triangles: np.ndarray, mouth_triangles: np.ndarray, eye_triangles: np.ndarray) -> WarpTopology:
    """The warp topology over mediapipe's face mesh: ``triangles`` ``(898, 3)``; the mouth and eye openings'
    triangles ``(898,)`` bool may collapse (closed lips, closed eyelids)."""
    return WarpTopology(triangles, np.array(FACE_OVAL), np.asarray(mouth_triangles) | np.asarray(eye_triangles))


@dataclass(frozen=True, eq=False)
class PreparedSource:
    """One source image made ready for rendering.

    Attributes:
        image: ``(h, w, 3)`` uint8 RGB.
        mesh: the warp mesh on its landmarks.
        palette: mouth-interior colours.
        source_mouth: the source's own open mouth with teeth, or ``None``.
        face_height: forehead-top to chin distance in pixels.
        lids: eyelid colours for blinks.
    """

    image: np.ndarray
    mesh: WarpMesh
    palette: MouthPalette
    source_mouth: SourceMouth | None
    face_height: float
    lids: LidPalette


class WarpRenderer:
    """Render frames by warping a source to target landmarks.

    Args:
        topology: warp triangles (:func:`default_topology`).
        map_size: the warp map's longer side in pixels (at most half the output window's); smaller is faster.
        fix_folds: relax folding triangles (:func:`~talkinghead.render.mesh_warp.unfold`).
    """

    def __init__(self, topology: WarpTopology, map_size: int = 256, fix_folds: bool = True):
        self.topology = topology
        self.map_size = int(map_size)
        self.fix_folds = fix_folds
        self._buffer: np.ndarray | None = None
        self._buffer_source: np.ndarray | None = None
        self._dirty: WarpRegion | None = None

    def prepare(self, image: np.ndarray, landmarks: np.ndarray, palette: MouthPalette | None = None,
                keep_source_teeth: bool = True, lids: LidPalette | None = None) -> PreparedSource:
        """Analyse a source image once: warp mesh, interior colours, its own teeth.

        Args:
            image: ``(h, w, 3)`` uint8 RGB.
            landmarks: ``(478, 2+)`` pixel landmarks of the face in ``image``.
            palette: reuse interior colours (a video keeps those of its first frame); default: estimated.
            keep_source_teeth: reuse the source's own visible teeth when its mouth is open.
            lids: reuse eyelid colours; default: estimated.
        """
        lm = np.asarray(landmarks, np.float64)[:, :2]
        face_height = float(np.linalg.norm(lm[10] - lm[152]))
        palette = palette or estimate_palette(image, lm)
        mouth = None
        if keep_source_teeth:
            mouth = SourceMouth.detect(image, lm[list(UPPER_INNER_LIP)], lm[list(LOWER_INNER_LIP)], face_height, palette)
        lids = lids or estimate_lid_palette(image, lm)
        return PreparedSource(image, WarpMesh(self.topology, lm), palette, mouth, face_height, lids)

    def render(self, source: PreparedSource, target_vertices: np.ndarray, mouth: MouthShape | None = None,
               eyes: list[EyeShape] | None = None) -> np.ndarray:
        """One output frame.

        Args:
            source: from :meth:`prepare`.
            target_vertices: ``(v, 2)`` (or ``(478, 2+)``) target pixel positions of the mesh vertices.
            mouth: this frame's mouth polylines (from the target landmarks when ``None``, without teeth).
            eyes: upper lids lowered by a blink, painted over the warp (:mod:`~talkinghead.render.eyelids`).

        Returns:
            ``(h, w, 3)`` uint8 RGB, the source's size. The array is reused by the next call: copy it to keep it.
        """
        image = source.image
        h, w = image.shape[:2]
        target = np.asarray(target_vertices, np.float64)[: self.topology.num_vertices, :2]
        if self.fix_folds:
            target = unfold(source.mesh, target)
        points = source.mesh.points(target)
        frame = self._frame_buffer(image)
        region = source.mesh.region(points, (w, h))
        if region.width > 1 and region.height > 1:
            scale = min(0.5, self.map_size / max(region.width, region.height))
            map_x, map_y = source.mesh.maps(points, region, map_scale=scale)
            frame[region.slices] = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            self._dirty = region
        if mouth is None:
            mouth = MouthShape(target[list(UPPER_INNER_LIP)], target[list(LOWER_INNER_LIP)])
        render_mouth_interior(frame, mouth, source.palette, image, source.source_mouth)
        if eyes:
            render_eyelids(frame, eyes, source.lids)
        if self._dirty is None or not _contains(self._dirty, mouth):
            self._dirty = _union(self._dirty, _mouth_box(mouth, (w, h)))
        return frame

    def _frame_buffer(self, image: np.ndarray) -> np.ndarray:
        """The output buffer, holding ``image`` again wherever the previous frame changed it."""
        if self._buffer is None or self._buffer.shape != image.shape or self._buffer_source is not image:
            self._buffer = image.copy()
            self._buffer_source = image
        elif self._dirty is not None:
            self._buffer[self._dirty.slices] = image[self._dirty.slices]
        self._dirty = None
        return self._buffer


def _mouth_box(mouth: MouthShape, size: tuple[int, int]) -> WarpRegion:
    pts = np.concatenate([mouth.upper_lip, mouth.lower_lip])
    lo = np.floor(pts.min(0)).astype(int) - 3
    hi = np.ceil(pts.max(0)).astype(int) + 4
    return WarpRegion(max(lo[0], 0), max(lo[1], 0), min(hi[0], size[0]), min(hi[1], size[1]))


def _contains(region: WarpRegion, mouth: MouthShape) -> bool:
    pts = np.concatenate([mouth.upper_lip, mouth.lower_lip])
    return bool(pts[:, 0].min() - 3 >= region.x0 and pts[:, 0].max() + 4 <= region.x1
                and pts[:, 1].min() - 3 >= region.y0 and pts[:, 1].max() + 4 <= region.y1)


def _union(a: WarpRegion | None, b: WarpRegion) -> WarpRegion:
    if a is None or a.width <= 0 or a.height <= 0:
        return b
    return WarpRegion(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))
