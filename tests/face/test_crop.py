"""Aligned crops: upright, centred, any size, exact inverse; area-filtered shrinking."""

from __future__ import annotations

import numpy as np
import pytest
from face_helpers import place, similarity, texture

from talkinghead.face import CropTransform, align_crop, crop_transform
from talkinghead.face import landmark_groups as lg


@pytest.mark.parametrize("size", [128, 256, 512])
def test_align_crop_is_upright_and_centred(astronaut, astronaut_face, size):
    crop, t = align_crop(astronaut, astronaut_face.landmarks, size)
    assert crop.shape == (size, size, 3) and crop.dtype == np.uint8
    lm = t.to_crop(astronaut_face.landmarks)
    left, right = lm[lg.LEFT_EYE_CORNERS[0], :2], lm[lg.RIGHT_EYE_CORNERS[0], :2]
    assert abs(np.degrees(np.arctan2(left[1] - right[1], left[0] - right[0]))) < 3.0  # eyes level
    middle = (lm[lg.FOREHEAD_TOP, :2] + lm[lg.CHIN, :2]) / 2
    assert np.allclose(middle, (size - 1) / 2, atol=0.06 * size)
    height = np.linalg.norm(lm[lg.FOREHEAD_TOP, :2] - lm[lg.CHIN, :2])
    assert height == pytest.approx(size / 1.8, rel=0.12)  # DEFAULT_CROP_SCALE
    # the crop's pixels are the image's: sample the eye corner both ways
    x, y = np.round(lm[lg.NOSE_TIP, :2]).astype(int)
    ix, iy = np.round(t.to_image(np.array([x, y], float))).astype(int)
    assert np.abs(crop[y, x].astype(int) - astronaut[iy, ix].astype(int)).max() < 40


def test_rotated_face_gives_the_same_crop(astronaut, astronaut_face):
    """The crop undoes an in-plane rotation and scale of the whole scene."""
    m = similarity(30.0, 1.3, astronaut_face.center, (400, 400))
    scene = place(texture(800, 800, seed=7), astronaut, m)
    moved = astronaut_face.landmarks.astype(np.float64).copy()
    moved[:, :2] = moved[:, :2] @ m[:, :2].T + m[:, 2]
    a, _ = align_crop(astronaut, astronaut_face.landmarks, 256)
    b, tb = align_crop(scene, moved, 256)
    assert tb.angle == pytest.approx(-30.0 + align_crop(astronaut, astronaut_face.landmarks, 256)[1].angle, abs=0.5)
    centre = slice(64, 192)
    assert np.abs(a[centre, centre].astype(int) - b[centre, centre].astype(int)).mean() < 6


def test_transform_inverse_and_resized(astronaut_face):
    t = crop_transform(astronaut_face.landmarks, 512, (512, 512))
    pts = astronaut_face.landmarks.astype(np.float64)
    assert np.allclose(t.to_image(t.to_crop(pts)), pts, atol=1e-6)
    assert np.allclose(np.vstack([t.matrix, [0, 0, 1]]) @ np.vstack([t.inverse, [0, 0, 1]]), np.eye(3))
    small = t.resized(128)
    assert small.size == 128 and small.scale == pytest.approx(t.scale / 4)
    # same footprint: a pixel centre of the 128 crop covers 4x4 pixels of the 512 crop
    assert np.allclose(small.to_image(np.array([[0.0, 0.0]])), t.to_image(np.array([[1.5, 1.5]])), atol=1e-9)
    assert np.allclose(small.footprint(), t.footprint(), atol=1e-9)
    # z follows the scale
    assert np.allclose(t.to_crop(pts)[:, 2], pts[:, 2] * t.scale)


def test_axis_aligned_and_area_filter():
    t = CropTransform.axis_aligned((100.0, 50.0), 64.0, 16, (400, 300))
    assert t.angle == 0 and t.scale == 0.25
    assert np.allclose(t.to_crop(np.array([[100.0, 50.0]])), 7.5)
    checker = (np.indices((300, 400)).sum(0) % 2 * 255).astype(np.uint8)
    small = t.warp(checker)
    assert np.abs(small.astype(float) - 127.5).max() < 20  # averaged, not aliased into stripes
