"""The z-buffer rasteriser against a brute-force per-pixel reference (issue 5, "Show")."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face3d.raster import interpolate, rasterize


def brute_force(points, depth, triangles, size, cull):
    """Every pixel centre against every triangle, nearest wins (later triangle on ties, like ``rasterize``)."""
    w, h = size
    tri_map = np.full((h, w), -1)
    depth_map = np.full((h, w), np.inf)
    for y in range(h):
        for x in range(w):
            px, py = x + 0.5, y + 0.5
            for i, (a, b, c) in enumerate(triangles):
                (ax, ay), (bx, by), (cx, cy) = points[a], points[b], points[c]
                area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
                if abs(area) < 1e-12 or (cull and area >= 0):
                    continue
                w0 = ((cx - bx) * (py - by) - (cy - by) * (px - bx)) / area
                w1 = ((ax - cx) * (py - cy) - (ay - cy) * (px - cx)) / area
                w2 = 1.0 - w0 - w1
                if min(w0, w1, w2) < -1e-9:
                    continue
                d = 1.0 / (w0 / depth[a] + w1 / depth[b] + w2 / depth[c])
                if d <= depth_map[y, x]:
                    depth_map[y, x] = d
                    tri_map[y, x] = i
    return tri_map, depth_map


def small_mesh(seed):
    """A bumpy 4x4-vertex grid (18 triangles, counter-clockwise in a y-up view) over a tilted second sheet."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.linspace(2, 27, 4), np.linspace(3, 20, 4))
    grid = np.stack([gx.ravel(), gy.ravel()], 1) + rng.uniform(-1.5, 1.5, (16, 2))
    tris = []
    for r in range(3):
        for c in range(3):
            i = r * 4 + c
            tris += [(i, i + 4, i + 1), (i + 1, i + 4, i + 5)]  # y down in pixels -> clockwise in pixels
    sheet = np.array([[0.0, 0.0], [31.0, 4.0], [6.0, 23.0]]) + rng.uniform(-1, 1, (3, 2))
    points = np.concatenate([grid, sheet])
    depth = np.concatenate([rng.uniform(4.0, 6.0, 16), [3.0, 7.0, 5.5]])  # the sheet cuts through the grid
    tris.append((16, 18, 17))
    return points, depth, np.array(tris)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cull", [None, "back"])
def test_matches_brute_force(seed, cull):
    points, depth, tris = small_mesh(seed)
    frags = rasterize(points, depth, tris, (32, 24), cull=cull)
    tri_ref, depth_ref = brute_force(points, depth, tris, (32, 24), cull == "back")
    assert frags.mask.sum() > 300
    np.testing.assert_array_equal(frags.mask, tri_ref >= 0)
    np.testing.assert_allclose(frags.depth[frags.mask], depth_ref[frags.mask], rtol=1e-12)
    # Triangle ids agree wherever the nearest surface is unique (shared edges tie at equal depth).
    assert (frags.triangle == tri_ref).mean() > 0.97


def test_culling_drops_back_faces():
    points = np.array([[2.0, 2.0], [2.0, 12.0], [12.0, 2.0]])  # counter-clockwise in a y-up view
    tri = np.array([[0, 1, 2]])
    front = rasterize(points, np.ones(3), tri, (16, 16), cull="back")
    back = rasterize(points, np.ones(3), tri[:, ::-1], (16, 16), cull="back")
    assert front.mask.sum() == 55  # centres (2 + i + 0.5, 2 + j + 0.5) with i + j <= 9: 10 * 11 / 2
    assert back.mask.sum() == 0


def test_perspective_correct_interpolation():
    """A plane seen in perspective: interpolated 3D x and depth equal the ray-plane intersection."""
    focal, cx, cy = 20.0, 16.0, 16.0
    corners = np.array([[-3.0, -3.0, -8.0], [3.0, -3.0, -14.0], [3.0, 3.0, -14.0], [-3.0, 3.0, -8.0]])
    pix = np.stack([cx + focal * corners[:, 0] / -corners[:, 2], cy - focal * corners[:, 1] / -corners[:, 2]], 1)
    tris = np.array([[0, 1, 2], [0, 2, 3]])
    frags = rasterize(pix, -corners[:, 2], tris, (32, 32), cull=None)
    x3d = interpolate(frags, tris, corners[:, 0])
    ys, xs = np.nonzero(frags.mask)
    # Ray through the pixel centre: direction (u, v, -1) scaled by depth.
    u = (xs + 0.5 - cx) / focal
    d = frags.depth[ys, xs]
    np.testing.assert_allclose(x3d[ys, xs], u * d, atol=1e-9)
    # The plane z = -11 - x (through the four corners): depth = 11 + x.
    np.testing.assert_allclose(d, 11.0 + x3d[ys, xs], atol=1e-9)


def test_empty_and_offscreen():
    points = np.array([[-50.0, -50.0], [-40.0, -50.0], [-50.0, -40.0]])
    frags = rasterize(points, np.ones(3), np.array([[0, 2, 1]]), (8, 8), cull=None)
    assert not frags.mask.any() and np.isinf(frags.depth).all()
    with pytest.raises(ValueError, match="cull"):
        rasterize(points, np.ones(3), np.array([[0, 1, 2]]), (8, 8), cull="sideways")
