"""Rendering: shaded, UV-textured, NCC (VividTalk Eq. 9-10), depth and mask, at any size."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.blendshapes import INDEX
from talkinghead.face import landmark_groups as groups
from talkinghead.face3d import Camera, FaceFitter, Pose
from talkinghead.face3d.render import FaceRenderer, face_camera, ncc_colors


@pytest.fixture(scope="module")
def frontal_fit(model):
    """The mean face, frontal, 30 cm in front of a 256x256 camera (fitted from its own projection)."""
    camera = Camera.mediapipe(256, 256)
    pose = Pose.from_euler(0.0, 0.0, 0.0, translation=(0.0, 0.0, -30.0))
    points = pose.apply(model.mean_shape)
    depth = -points[:, 2]
    landmarks = np.concatenate([camera.project(points), (camera.focal * depth / depth.mean())[:, None]], 1)
    return FaceFitter(model).fit(landmarks, (256, 256), np.zeros(52))


@pytest.fixture(scope="module")
def renders(frontal_fit):
    return FaceRenderer().render(frontal_fit)


def test_kinds_shapes_and_ranges(renders):
    assert set(renders) == {"shaded", "ncc", "depth", "mask"}  # "textured" needs a texture
    for kind in ("shaded", "ncc"):
        img = renders[kind]
        assert img.shape == (256, 256, 3) and img.dtype == np.float32
        assert img.min() >= 0 and img.max() <= 1
        assert not img[~renders["mask"]].any()
    mask = renders["mask"]
    assert 0.1 < mask.mean() < 0.6
    assert (renders["depth"][mask] > 20).all() and not renders["depth"][~mask].any()


def test_frontal_mean_face_is_symmetric(renders):
    mask = renders["mask"]
    assert (mask & mask[:, ::-1]).sum() / (mask | mask[:, ::-1]).sum() > 0.97


def test_ncc_codes_follow_canonical_axes(renders, model):
    ncc, mask = renders["ncc"], renders["mask"]
    ys, xs = np.nonzero(mask)
    assert np.corrcoef(xs, ncc[ys, xs, 0])[0, 1] > 0.95  # NCC x grows to the image right (canonical +x)
    assert np.corrcoef(ys, ncc[ys, xs, 1])[0, 1] < -0.95  # NCC y grows upwards
    codes = ncc_colors(model.mesh.vertices)  # Eq. 9: each axis normalised to [0, 1]
    np.testing.assert_allclose(codes.min(0), 0) and np.testing.assert_allclose(codes.max(0), 1)
    back = np.full((256, 256, 3), 0.5, np.float32)
    nowhere = np.tile([0.0, 0.0, -50.0], (468, 1))  # every vertex on one point: nothing covered
    composed = FaceRenderer().ncc(FaceRenderer().rasterize_points(nowhere, Camera.mediapipe(8, 8)),
                                  background=back[:8, :8])
    np.testing.assert_allclose(composed, 0.5)  # Eq. 10 with an empty mask is PT_out


def test_depth_is_nearest_at_the_nearest_vertex(renders, frontal_fit):
    depth, mask = renders["depth"], renders["mask"]
    nearest = np.unravel_index(np.argmin(np.where(mask, depth, np.inf)), depth.shape)
    points = frontal_fit.camera_points()[:468]
    tip = np.argmax(points[:, 2])  # on the nose
    assert tip in groups.NOSE
    px = frontal_fit.landmarks()[tip]
    assert np.hypot(nearest[1] + 0.5 - px[0], nearest[0] + 0.5 - px[1]) < 2.0
    assert depth[nearest] == pytest.approx(-points[tip, 2], abs=0.05)


def test_lambert_light_comes_from_the_upper_left(renders):
    grey, mask = renders["shaded"][..., 0], renders["mask"]
    cols = np.nonzero(mask.any(0))[0]
    mid = (cols[0] + cols[-1]) // 2
    assert grey[:, :mid][mask[:, :mid]].mean() > grey[:, mid:][mask[:, mid:]].mean() + 0.02


def test_open_jaw_shows_a_dark_cavity(frontal_fit):
    beta = np.zeros(52)
    beta[INDEX["jawOpen"]] = 0.5
    r = FaceRenderer()
    ff = r.rasterize(frontal_fit, beta=beta)
    mask_all, skin = r.mask(ff), r.mask(ff, cavity=False)
    cavity = mask_all & ~skin
    assert cavity.sum() > 100
    assert r.shaded(ff)[cavity].max() <= r.cavity + 1e-6


def test_any_size(frontal_fit):
    r = FaceRenderer()
    big = r.render(frontal_fit, kinds=("mask",))["mask"]
    small = r.render(frontal_fit, frontal_fit.camera.resize(64), kinds=("mask",))["mask"]
    assert small.shape == (64, 64)
    assert abs(small.mean() - big.mean()) < 0.02
    crop = face_camera(frontal_fit.landmarks(), frontal_fit.camera, size=96)
    lm = frontal_fit.landmarks(camera=crop)
    assert crop.size == (96, 96) and lm.min() > 0 and lm.max() < 96
    assert (lm.max(0) - lm.min(0)).max() == pytest.approx(96 / 1.6, rel=0.02)
    with pytest.raises(ValueError, match="unknown render kind"):
        r.render(frontal_fit, kinds=("wireframe",))


def test_texture_round_trip(frontal_fit):
    """Texture sampled from an image and rendered back in the same view reproduces the image on the face."""
    yy, xx = np.mgrid[0:256, 0:256] / 255.0
    image = (np.stack([xx, yy, 0.5 + 0.5 * np.sin(6 * xx) * np.cos(5 * yy)], -1) * 255).astype(np.uint8)
    r = FaceRenderer()
    texture = r.extract_texture(image, frontal_fit, size=256)
    assert texture.image.shape == (256, 256, 3) and texture.visibility.max() == 1.0
    ff = r.rasterize(frontal_fit)
    out = r.textured(ff, texture)
    import cv2

    inner = cv2.erode(r.mask(ff, cavity=False).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    err = np.abs(out[inner] - image[inner] / 255.0).mean()
    assert err < 0.02
    # And the texture itself is an upright unwrap: forehead (top rows) above the chin.
    uv = frontal_fit.model.mesh.uvs
    assert uv[groups.FOREHEAD_TOP, 1] < uv[groups.CHIN, 1]


@pytest.mark.real_media
def test_astronaut_renders(astronaut, astronaut_face, model):
    fit = FaceFitter(model).fit_face(astronaut_face)
    camera = face_camera(fit.landmarks(), fit.camera, size=128)
    r = FaceRenderer()
    out = r.render(fit, camera, texture=r.extract_texture(astronaut, fit))
    assert set(out) == {"shaded", "textured", "ncc", "depth", "mask"}
    # The textured face is skin-coloured: red above blue, like the photo's face.
    skin = out["textured"][r.mask(r.rasterize(fit, camera), cavity=False)]
    assert skin[:, 0].mean() > skin[:, 2].mean() + 0.1
