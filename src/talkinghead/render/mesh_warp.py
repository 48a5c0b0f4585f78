"""Piecewise-affine warp of an image driven by face-mesh landmarks, anchored outside the face.

Shape legend: ``v`` = 468 mesh vertices, ``r`` = points of one anchor ring (the face oval's), ``p`` = warp points
(mesh vertices then the rings), ``f`` = triangles.

The warp mesh is mediapipe's own 898-triangle face mesh (its 18 inner-mouth triangles are the cavity and, like the
eye openings' triangles, may open and close freely) plus rings of anchor points around the face oval, joined to it and to each other by
quad strips, so that every triangle is known in advance and no Delaunay triangulation can fold across the
closed lips (DESIGN.md, "Measured facts and pitfalls"). The first ring sits in the hair and the neck and follows
the oval's motion partly (the hair more than the neck, so that a nod or an opening jaw does not compress the
chin against fixed points); the outer ring stays fixed, and so does every pixel outside it: background far from
the face is copied unchanged.

Per frame, target triangles are rasterised into a triangle-index map at a reduced resolution, each pixel gets
the source position of its triangle's affine map (backward mapping), the map is upsampled to the output region
and the source is resampled once with ``cv2.remap`` (float32 maps; DESIGN.md's cost figures: ~6.5 ms at 512^2
with a half-resolution map). Triangles that would fold (flip or collapse) are relaxed first by
:func:`unfold`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import sparse

__all__ = ["WarpTopology", "WarpMesh", "WarpRegion", "unfold", "triangle_areas", "ring_weights"]

#: ring scales about the oval's centre and how much of the oval's displacement each ring follows (top, bottom)
DEFAULT_RINGS: tuple[tuple[float, float, float], ...] = ((1.28, 0.85, 0.55), (1.9, 0.0, 0.0))


def triangle_areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Signed areas ``(f,)`` of ``triangles`` over ``points`` ``(p, 2)`` (positive = counter-clockwise in y-up)."""
    a, b, c = points[triangles[:, 0]], points[triangles[:, 1]], points[triangles[:, 2]]
    return 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


def ring_weights(oval: np.ndarray, top: float, bottom: float) -> np.ndarray:
    """``(r,)`` share of the oval's displacement a ring point follows: ``top`` above the oval's middle
    height, easing to ``bottom`` at the chin (the neck moves less than the skull)."""
    y = oval[:, 1]
    t = np.clip((y - y.min()) / max(np.ptp(y), 1e-6), 0, 1)  # 0 at the forehead, 1 at the chin
    s = np.clip((t - 0.4) / 0.6, 0, 1)
    s = s * s * (3 - 2 * s)
    return top + (bottom - top) * s


@dataclass(frozen=True)
class WarpRegion:
    """The output window a warp touches: ``x0, y0, x1, y1`` (integers, end exclusive), inside the image."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


class WarpTopology:
    """The warp's triangles: the face mesh plus quad strips joining the oval to the anchor rings.

    Built once per mesh topology and shared by every frame (and every source frame of a video).

    Args:
        triangles: ``(f0, 3)`` mediapipe's face-mesh triangles over the ``v`` mesh vertices.
        oval: ``(r,)`` the face-oval vertex indices as an ordered loop (the mesh's boundary).
        free: ``(f0,)`` bool, triangles allowed to collapse (the mouth and eye openings: they open and close),
            excluded from fold checks.
        num_vertices: ``v``.
        rings: ``(scale, follow_top, follow_bottom)`` per anchor ring, innermost first: its scale about the oval's
            centre, and the share of the oval's displacement it follows at the forehead and at the chin; the
            last ring should follow 0 (fixed).
    """

    def __init__(self, triangles: np.ndarray, oval: np.ndarray, free: np.ndarray, num_vertices: int = 468,
                 rings: tuple[tuple[float, float, float], ...] = DEFAULT_RINGS):
        triangles = np.asarray(triangles, np.int64)
        self.oval = np.asarray(oval, np.int64)
        self.rings = tuple(rings)
        self.num_vertices = int(num_vertices)
        r = len(self.oval)
        ring_tris = []
        inner_index = self.oval
        for k in range(len(self.rings)):
            outer_index = self.num_vertices + k * r + np.arange(r)
            for i in range(r):
                j = (i + 1) % r
                a, b, c, d = inner_index[i], inner_index[j], outer_index[j], outer_index[i]
                ring_tris += [(a, b, c), (a, c, d)]
            inner_index = outer_index
        # ring triangles first: where a folded or out-of-range triangle overlaps, the face mesh is drawn on top
        ring_tris = np.array(ring_tris, np.int64)
        self.triangles = np.concatenate([ring_tris, triangles])
        self.free = np.concatenate([np.zeros(len(ring_tris), bool), np.asarray(free, bool)])
        self.ring_oval = np.tile(self.oval, len(self.rings))
        # vertex adjacency of the face mesh, row-normalised: the mean over a vertex's neighbours
        tri = triangles
        rows = np.concatenate([tri[:, 0], tri[:, 1], tri[:, 2], tri[:, 1], tri[:, 2], tri[:, 0]])
        cols = np.concatenate([tri[:, 1], tri[:, 2], tri[:, 0], tri[:, 0], tri[:, 1], tri[:, 2]])
        adj = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.num_vertices,) * 2).tocsr()
        adj.data[:] = 1.0
        degree = np.asarray(adj.sum(1)).ravel()
        self.neighbour_mean = (sparse.diags(1.0 / np.maximum(degree, 1)) @ adj).tocsr()


class WarpMesh:
    """A :class:`WarpTopology` placed on one source face: source positions of every warp point.

    Args:
        topology: the triangles.
        source_points: ``(v, 2)`` float pixels of the mesh vertices in the source image.
    """

    def __init__(self, topology: WarpTopology, source_points: np.ndarray):
        self.topology = topology
        source_points = np.asarray(source_points, np.float64)[: topology.num_vertices]
        self.num_vertices = topology.num_vertices
        self.triangles = topology.triangles
        oval_pts = source_points[topology.oval]
        self.center = oval_pts.mean(0)
        ring_pts, ring_follow = [], []
        for scale, top, bottom in topology.rings:
            ring_pts.append(self.center + (oval_pts - self.center) * scale)
            ring_follow.append(ring_weights(oval_pts, top, bottom))
        self.ring_source = np.concatenate(ring_pts)
        self.ring_follow = np.concatenate(ring_follow)
        self.ring_oval = topology.ring_oval
        self.source_points = np.concatenate([source_points, self.ring_source])
        self.source_areas = triangle_areas(self.source_points, self.triangles)
        # the sign of a triangle's area that is not turned over (the mesh is consistently oriented)
        self.orientation = float(np.sign(np.median(self.source_areas[~topology.free]))) or 1.0
        # folds are checked on triangles of a pixel or more that face the right way in the source: slivers at the
        # lip corners and under the nose are often already turned over by the landmarker, and a closed mouth's
        # or eye's triangles have no orientation at all
        scale = float(np.ptp(source_points[:, 1])) or 1.0
        self._checked = ~topology.free & (self.source_areas * self.orientation > max(1.0, 1e-4 * scale * scale))
        # triangles on the silhouette turn over when the head turns (the far cheek goes out of sight): that is not a
        # fold to relax, the hidden-surface rule of :meth:`maps` handles it
        self._checked &= ~np.isin(self.triangles, topology.oval).any(axis=1)

    def points(self, target_vertices: np.ndarray) -> np.ndarray:
        """All warp points ``(p, 2)`` for target mesh vertices ``(v, 2)``: the rings follow the oval."""
        target_vertices = np.asarray(target_vertices, np.float64)
        shift = target_vertices[self.ring_oval] - self.source_points[self.ring_oval]
        return np.concatenate([target_vertices, self.ring_source + self.ring_follow[:, None] * shift])

    def region(self, target_points: np.ndarray, image_size: tuple[int, int], margin: int = 2) -> WarpRegion:
        """The window holding every moved triangle (target and source positions), clipped to the image."""
        moved = np.abs(target_points - self.source_points).max(1) > 1e-3
        if not moved.any():
            return WarpRegion(0, 0, 0, 0)
        pts = np.concatenate([target_points, self.source_points])
        lo = np.floor(pts.min(0)) - margin
        hi = np.ceil(pts.max(0)) + margin
        w, h = image_size
        return WarpRegion(int(max(lo[0], 0)), int(max(lo[1], 0)), int(min(hi[0], w)), int(min(hi[1], h)))

    def folded(self, target_points: np.ndarray, min_ratio: float = 0.15) -> np.ndarray:
        """``(f,)`` bool: checked triangles that flip or shrink below ``min_ratio`` of their source area."""
        area = triangle_areas(target_points, self.triangles)
        ratio = area / np.where(self._checked, self.source_areas, 1.0)
        return self._checked & (ratio < min_ratio)

    def maps(
        self, target_points: np.ndarray, region: WarpRegion, map_scale: float = 0.5
    ) -> tuple[np.ndarray, np.ndarray]:
        """Backward maps for ``cv2.remap``: ``(map_x, map_y)``, each ``(region.height, region.width)`` float32,
        the source pixel of every output pixel of ``region`` (identity outside the warp mesh).

        Args:
            target_points: ``(p, 2)`` warp points in output pixels (see :meth:`points`).
            region: the output window.
            map_scale: resolution of the triangle-index map relative to the output (1 = full).
        """
        # the map covers the region plus a margin of two map pixels: bilinear upsampling near the region's
        # border would otherwise extrapolate (half a map pixel of shift along the edges, a visible seam)
        pad = int(np.ceil(2.0 / map_scale)) if map_scale < 1 else 0
        inner = region
        region = WarpRegion(region.x0 - pad, region.y0 - pad, region.x1 + pad, region.y1 + pad)
        mw = max(2, int(round(region.width * map_scale)))
        mh = max(2, int(round(region.height * map_scale)))
        sx, sy = mw / region.width, mh / region.height
        # triangle index map (0 = outside every triangle) at the map resolution; pixel centres at i + 0.5
        tgt = (target_points - (region.x0, region.y0) + 0.5) * (sx, sy) - 0.5
        index = np.zeros((mh, mw), np.int32)
        fixed = np.round(tgt[self.triangles] * 16).astype(np.int32)  # 4 fractional bits
        # hidden surfaces, without a depth buffer: a triangle turned over in the target (an opening's triangle
        # with the lips pressed past each other, a fold at the silhouette) covers nothing, nor does one turned
        # over in the source (the far side of a turned face: its pixels are the background behind the cheek)
        skip = (triangle_areas(target_points, self.triangles) * self.orientation <= 0) | (
            ~self.topology.free & (self.source_areas * self.orientation <= 0))
        for i in np.flatnonzero(~skip):
            cv2.fillConvexPoly(index, fixed[i], int(i) + 1, lineType=cv2.LINE_8, shift=4)
        # affine map of every triangle: map-pixel coordinates -> source pixels, from [u v 1] @ A = source
        t = np.concatenate([tgt[self.triangles], np.ones((len(self.triangles), 3, 1))], axis=2)  # (f, 3, 3)
        s = self.source_points[self.triangles]  # (f, 3, 2)
        det = np.linalg.det(t)
        ok = np.abs(det) > 1e-9
        affine = np.zeros((len(self.triangles) + 1, 3, 2))
        affine[1:][ok] = np.linalg.solve(t[ok], s[ok])
        # row 0 (and degenerate triangles, which cover no pixel): the identity in map-pixel coordinates
        identity = np.array([[1 / sx, 0], [0, 1 / sy], [(0.5 / sx - 0.5) + region.x0, (0.5 / sy - 0.5) + region.y0]])
        affine[0] = identity
        affine[1:][~ok] = identity
        affine = affine.astype(np.float32)
        # source box of every triangle: rasterisation paints pixels up to a pixel outside a triangle, where
        # the affine map of a sliver (under the nose, at the lip corners) extrapolates wildly; clamping to the
        # source triangle's box (plus that margin) keeps such pixels near the triangle they belong to
        box = np.empty((len(self.triangles) + 1, 4), np.float32)
        box[0] = (-np.inf, -np.inf, np.inf, np.inf)
        margin = 1.0 / min(sx, sy)  # one map pixel: how far outside a triangle rasterisation may paint
        box[1:, :2] = s.min(1) - margin
        box[1:, 2:] = s.max(1) + margin
        u = np.arange(mw, dtype=np.float32)[None, :]
        v = np.arange(mh, dtype=np.float32)[:, None]
        a = affine[index]  # (mh, mw, 3, 2)
        b = box[index]  # (mh, mw, 4)
        map_x = np.clip(a[..., 0, 0] * u + a[..., 1, 0] * v + a[..., 2, 0], b[..., 0], b[..., 2])
        map_y = np.clip(a[..., 0, 1] * u + a[..., 1, 1] * v + a[..., 2, 1], b[..., 1], b[..., 3])
        if (mw, mh) != (region.width, region.height):
            map_x = cv2.resize(map_x, (region.width, region.height), interpolation=cv2.INTER_LINEAR)
            map_y = cv2.resize(map_y, (region.width, region.height), interpolation=cv2.INTER_LINEAR)
        crop = slice(pad, pad + inner.height), slice(pad, pad + inner.width)
        return np.ascontiguousarray(map_x[crop]), np.ascontiguousarray(map_y[crop])


def unfold(mesh: WarpMesh, target_vertices: np.ndarray, iterations: int = 12, step: float = 0.5) -> np.ndarray:
    """Relax target mesh vertices ``(v, 2)`` until no checked triangle folds (see :meth:`WarpMesh.folded`).

    The displacement of each vertex of a folding triangle is pulled towards the mean displacement of its
    neighbours (a local Laplacian smoothing of the motion, not of the shape), a few times; lip corners and
    the slivers under the nose are where this happens. Returns the relaxed ``(v, 2)`` float64 copy.
    """
    target = np.asarray(target_vertices, np.float64).copy()
    source = mesh.source_points[: mesh.num_vertices]
    previous = None
    for _ in range(iterations):
        bad = mesh.folded(mesh.points(target))
        count = int(bad.sum())
        if count == 0 or (previous is not None and count >= previous and _ > 3):
            break  # done, or no longer improving
        previous = count
        verts = np.unique(mesh.triangles[bad])
        verts = verts[verts < mesh.num_vertices]
        if len(verts) == 0:
            break
        disp = target - source
        smooth = mesh.topology.neighbour_mean @ disp
        disp[verts] += step * (smooth[verts] - disp[verts])
        target = source + disp
    return target
