"""Landmark index groups: valid, ordered loops, left/right consistent with the canonical mesh."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face import landmark_groups as lg
from talkinghead.face.canonical import read_geometry_metadata

LOOPS = ["FACE_OVAL", "LIPS_OUTER", "LIPS_INNER", "LEFT_EYE", "RIGHT_EYE", "LEFT_BROW", "RIGHT_BROW"]


@pytest.fixture(scope="module")
def mesh(landmarker_model):
    return read_geometry_metadata(landmarker_model)


def test_indices_valid_and_unique():
    for name in LOOPS + ["JAW", "NOSE_BRIDGE", "NOSE_BOTTOM", "NOSE", "LIPS", "POSE_BASIS"]:
        group = getattr(lg, name)
        assert len(set(group)) == len(group), name
        assert all(0 <= i < lg.NUM_MESH_VERTICES for i in group), name
    assert set(lg.LEFT_IRIS) | set(lg.RIGHT_IRIS) | {lg.LEFT_IRIS_CENTER, lg.RIGHT_IRIS_CENTER} == set(range(468, 478))
    assert lg.CHIN in lg.JAW and lg.JAW[0] == 454 and lg.JAW[-1] == 234


def _crosses(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    return orient(p1, p2, q1) * orient(p1, p2, q2) < 0 and orient(q1, q2, p1) * orient(q1, q2, p2) < 0


def test_loops_are_simple_polygons(mesh):
    """Traced in order, no two edges of a loop cross in the frontal view (usable as polygons for masks)."""
    for name in LOOPS:
        pts = mesh.vertices[list(getattr(lg, name)), :2].astype(np.float64)
        edges = [(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]
        for i in range(len(edges)):
            for j in range(i + 2, len(edges)):
                if i == 0 and j == len(edges) - 1:
                    continue  # neighbours through the closing edge
                assert not _crosses(*edges[i], *edges[j]), (name, i, j)


def test_left_is_the_subjects_left_and_mirrors_right(mesh):
    v = mesh.vertices
    assert v[list(lg.LEFT_EYE), 0].mean() > 0 > v[list(lg.RIGHT_EYE), 0].mean()  # canonical x: subject's left
    for left, right in [("LEFT_EYE", "RIGHT_EYE"), ("LEFT_BROW", "RIGHT_BROW")]:
        mirrored = v[list(getattr(lg, left))] * np.array([-1.0, 1.0, 1.0])
        assert np.abs(mirrored - v[list(getattr(lg, right))]).max() < 1e-3, left


def test_mouth_and_eyes_geometry(mesh):
    v = mesh.vertices
    top, bottom = lg.INNER_LIP_CENTER
    assert v[top, 1] > v[bottom, 1]  # canonical y up
    assert v[lg.FOREHEAD_TOP, 1] > v[lg.NOSE_TIP, 1] > v[top, 1] > v[lg.CHIN, 1]
    assert np.array_equal(np.sort(lg.POSE_BASIS), np.sort(mesh.landmark_ids))
