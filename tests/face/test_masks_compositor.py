"""Masks from landmarks and the feathered paste-back (IP-LAP Fig. 3)."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face import (Compositor, align_crop, eyes_mask, face_mask, feather_mask, lower_face_mask,
                              mouth_inner_mask, mouth_mask)
from talkinghead.face import landmark_groups as lg
from talkinghead.face.masks import polygon_mask


@pytest.fixture(scope="module")
def crop_case(astronaut, astronaut_face):
    crop, t = align_crop(astronaut, astronaut_face.landmarks, 512)
    return crop, t, t.to_crop(astronaut_face.landmarks)


def test_masks_nest_and_cover_their_parts(crop_case):
    _, _, lm = crop_case
    shape = (512, 512)
    face, lower, mouth, inner, eyes = (fn(lm, shape) for fn in (face_mask, lower_face_mask, mouth_mask,
                                                                 mouth_inner_mask, eyes_mask))
    for m in (face, lower, mouth, inner, eyes):
        assert m.shape == shape and m.dtype == np.float32 and 0 <= m.min() and m.max() <= 1
    area = {k: float(v.sum()) for k, v in dict(face=face, lower=lower, mouth=mouth, inner=inner, eyes=eyes).items()}
    assert area["face"] > area["lower"] > area["mouth"] > area["inner"] > 0  # she smiles with teeth showing
    assert ((lower > 0.5) & (face < 0.5)).sum() < 0.02 * area["lower"]  # lower face inside the face
    assert ((inner > 0.5) & (mouth < 0.5)).sum() == 0
    assert (eyes * lower).sum() == 0 and (eyes * mouth).sum() == 0
    nose = np.round(lm[lg.NOSE_TIP, :2]).astype(int)
    chin_inside = np.round(lm[lg.CHIN, :2] * 0.9 + lm[lg.NOSE_TIP, :2] * 0.1).astype(int)
    assert lower[chin_inside[1], chin_inside[0]] == 1.0
    eye = np.round(lm[[159, 145], :2].mean(0)).astype(int)  # right eye, between the lids
    assert eyes[eye[1], eye[0]] == 1.0 and face[nose[1], nose[0]] == 1.0


def test_polygon_mask_is_anti_aliased():
    m = polygon_mask([np.array([[10.25, 10.25], [30.25, 10.25], [30.25, 30.25], [10.25, 30.25]])], (40, 40))
    assert m[20, 20] == 1.0 and m[0, 0] == 0.0 and m[20, 31] == 0.0
    assert m[20, 10] == pytest.approx(0.25, abs=0.07)  # pixel 10 spans 9.5..10.5: a quarter inside
    assert 0.7 < m[20, 30] <= 1.0  # 0.75, up to a quarter pixel more (OpenCV fills boundary pixels)
    assert m.sum() == pytest.approx(400, rel=0.05)


def test_feather_mask_bounds():
    m = np.zeros((200, 200), np.float32)
    m[50:150, 50:150] = 1
    f = feather_mask(m, sigma=8, erode=10)
    assert f[100, 100] == 1.0
    assert f[:, :20].max() == 0.0 and f[20:180, 150 + 3 * 8:].max() == 0.0  # zero beyond 3 sigma
    assert 0.25 < f[100, 50 + 10] < 0.75  # about half-way at the eroded edge
    assert np.all(np.diff(f[100, 100:], axis=0) <= 1e-6)  # monotone fall-off


def test_round_trip_paste_is_exact_outside_the_mask(astronaut, crop_case):
    """crop -> inverse -> paste with the unchanged crop: the frame is bit-identical wherever the feathered mask
    is 0, which is everything but the face and a band around it; inside, only resampling error remains."""
    crop, t, lm = crop_case
    comp = Compositor()
    mask = face_mask(lm, crop.shape[:2])
    out = comp.paste(astronaut, crop, t, mask)
    alpha = comp.frame_alpha(mask, t, astronaut.shape)
    assert out.dtype == np.uint8 and out.shape == astronaut.shape
    assert np.array_equal(out[alpha == 0], astronaut[alpha == 0])
    # alpha is 0 outside the face oval grown by the feather band (3 sigma of 2% of the crop, in image pixels)
    oval = face_mask(t.to_image(lm), astronaut.shape[:2]) > 0
    import cv2

    reach = int(np.ceil((3 * comp.feather - comp.erode) * 512 / t.scale)) + 2  # image pixels past the oval
    grown = cv2.dilate(oval.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0
    assert alpha[~grown].max() == 0.0
    assert (alpha > 0).sum() < 1.5 * oval.sum()
    diff = np.abs(out.astype(int) - astronaut.astype(int)).max(axis=2)[alpha > 0]
    assert np.median(diff) <= 1 and np.percentile(diff, 99) <= 12
    assert abs(out[alpha > 0].astype(float).mean() - astronaut[alpha > 0].astype(float).mean()) < 0.5  # no colour shift


def test_paste_a_changed_crop_of_another_size(astronaut, crop_case):
    crop, t, lm = crop_case
    small = np.full((256, 256, 3), (255, 0, 0), np.uint8)  # a renderer working at 256: a red face
    comp = Compositor()
    mask = lower_face_mask(lm / 2, (256, 256))
    out = comp.paste(astronaut, small, t, mask)
    mouth_img = t.to_image(lm[list(lg.INNER_LIP_CENTER), :2]).mean(0).round().astype(int)
    assert tuple(out[mouth_img[1], mouth_img[0]]) == (255, 0, 0)
    changed = np.any(out != astronaut, axis=2)
    assert changed.sum() < 0.06 * changed.size  # only the lower face


def test_match_color_hides_a_global_tint(astronaut, crop_case):
    crop, t, lm = crop_case
    tinted = np.clip(crop.astype(int) + (25, -10, 5), 0, 255).astype(np.uint8)
    mask = face_mask(lm, crop.shape[:2])
    plain = Compositor().paste(astronaut, tinted, t, mask)
    matched = Compositor(match_color=True).paste(astronaut, tinted, t, mask)
    region = Compositor().frame_alpha(mask, t, astronaut.shape) > 0
    err = lambda x: np.abs(x[region].astype(float).mean(0) - astronaut[region].astype(float).mean(0)).max()  # noqa
    assert err(plain) > 10 and err(matched) < 3
