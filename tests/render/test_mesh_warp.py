"""The mesh warp: identity, rigid shifts, anchoring, fold relaxing."""

from __future__ import annotations

import cv2
import numpy as np

from talkinghead.face3d import load_canonical_mesh
from talkinghead.render import WarpRenderer, default_topology, unfold
from talkinghead.render.mesh_warp import WarpMesh
from talkinghead.render.warp_renderer import LOWER_INNER_LIP, UPPER_INNER_LIP


def _face_points(size=256, scale=0.35):
    """The canonical mesh laid frontally on a ``size`` image, lips closed: ``(468, 2)`` pixels."""
    v = load_canonical_mesh().vertices[:, :2].astype(np.float64)
    v = (v - v.mean(0)) / np.ptp(v[:, 1]) * size * scale
    pts = np.stack([size / 2 + v[:, 0], size / 2 - v[:, 1]], 1)
    pts[list(LOWER_INNER_LIP)] = pts[list(UPPER_INNER_LIP)]
    return pts


def _topology():
    mesh = load_canonical_mesh()
    return default_topology(mesh.triangles, mesh.mouth_triangles, mesh.eye_triangles)


def _image(size=256):
    rng = np.random.default_rng(0)
    img = cv2.resize(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8), (size, size), interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(img)


def test_identity_warp_gives_the_source_back():
    pts = _face_points()
    mesh = WarpMesh(_topology(), pts)
    region = mesh.region(mesh.points(pts + 0.5), (256, 256))  # something moved: a region to map
    map_x, map_y = mesh.maps(mesh.points(pts), region, map_scale=0.5)
    yy, xx = np.mgrid[region.y0:region.y1, region.x0:region.x1]
    assert np.abs(map_x - xx).max() < 1e-2 and np.abs(map_y - yy).max() < 1e-2


def test_a_shift_moves_the_face_and_leaves_the_background():
    img = _image()
    pts = _face_points()
    renderer = WarpRenderer(_topology(), map_size=128)
    source = renderer.prepare(img, np.concatenate([pts, np.zeros((10, 2))]), keep_source_teeth=False)
    out = renderer.render(source, pts + [4.0, 0.0]).copy()
    # the nose tip's pixel came along with the face
    x, y = np.round(pts[4]).astype(int)
    assert np.abs(out[y, x + 4].astype(int) - img[y, x].astype(int)).max() <= 12
    # far from the face (outside the outer anchor ring) nothing changed
    np.testing.assert_array_equal(out[:8], img[:8])
    np.testing.assert_array_equal(out[:, :8], img[:, :8])
    # and a still target reproduces the source exactly
    np.testing.assert_array_equal(renderer.render(source, pts), img)


def test_unfold_removes_a_fold():
    pts = _face_points()
    mesh = WarpMesh(_topology(), pts)
    target = pts.copy()
    target[2] += [0.0, 12.0]  # push a point under the nose through its neighbours
    assert mesh.folded(mesh.points(target)).any()
    fixed = unfold(mesh, target, iterations=40)
    assert not mesh.folded(mesh.points(fixed)).any()
    assert np.abs(fixed - pts).max() > 0  # it still moved
