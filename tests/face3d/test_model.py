"""FaceModel: the committed basis's structure and semantics (issue 5: jawOpen moves only the lower face)."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.blendshapes import ARKIT_NAMES, INDEX
from talkinghead.face import landmark_groups as groups
from talkinghead.face3d import FaceModel


def test_shapes_and_sources(model):
    assert model.mean_shape.shape == (478, 3) and model.basis.shape == (52, 478, 3)
    assert len(model.sources) == 52
    assert set(model.sources) <= {"fitted", "fitted (single variable)", "geometric", "zero"}
    assert model.sources[INDEX["jawOpen"]] == "fitted (single variable)"
    assert model.sources[INDEX["tongueOut"]] == "zero" and not model.basis[INDEX["tongueOut"]].any()
    # Every shape except tongueOut moves something by at least 1 mm at full activation.
    moving = np.linalg.norm(model.basis, axis=2).max(1)
    assert (moving[np.arange(52) != INDEX["tongueOut"]] > 0.1).all()
    assert 15.0 < model.face_height < 19.0  # cm, forehead top to chin


def test_eq1_linear(model):
    rng = np.random.default_rng(0)
    beta = rng.uniform(0, 1, (4, 52))
    identity = model.mean_shape + rng.normal(0, 0.1, (478, 3))
    out = model.shape(identity, beta)
    assert out.shape == (4, 478, 3)
    np.testing.assert_allclose(out[1], identity + np.einsum("k,knc->nc", beta[1], model.basis), atol=1e-5)


def test_jaw_open_moves_only_the_lower_face(model):
    d = np.linalg.norm(model.basis[INDEX["jawOpen"]], axis=1)
    upper = list(groups.LEFT_EYE + groups.RIGHT_EYE + groups.LEFT_BROW + groups.RIGHT_BROW + groups.LEFT_IRIS
                 + groups.RIGHT_IRIS + groups.NOSE_BRIDGE[:2]) + [groups.FOREHEAD_TOP]
    assert d[upper].max() < 0.01 * d.max()
    # Everything above the lower eyelids stays put; the nose tip may follow the upper lip by a millimetre or two.
    above_eyes = model.mean_shape[:, 1] > model.mean_shape[list(groups.LEFT_EYE), 1].min()
    assert d[above_eyes].max() < 0.01 * d.max()
    # The chin and the lower lip move most; the lower lip goes down.
    assert d[groups.CHIN] > 0.5 * d.max()
    assert model.basis[INDEX["jawOpen"], groups.INNER_LIP_CENTER[1], 1] < -2.0


def test_jaw_open_scale_is_realistic(model):
    """DESIGN.md: inner-lip gap ~27% of face height per unit jawOpen; 4-6% at open vowels (jawOpen ~0.2)."""
    up, low = groups.INNER_LIP_CENTER

    def gap(beta_jaw):
        beta = np.zeros(52)
        beta[INDEX["jawOpen"]] = beta_jaw
        s = model.shape(None, beta)
        return (s[up, 1] - s[low, 1]) / model.face_height * 100

    slope = gap(1.0) - gap(0.0)
    assert 22.0 < slope < 40.0
    assert 4.0 < gap(0.2) - gap(0.0) < 8.0


@pytest.mark.parametrize("name", ["eyeBlink", "mouthSmile", "browOuterUp", "mouthPress", "eyeLookIn", "jaw"])
def test_left_and_right_are_mirror_images(model, name):
    if name == "jaw":
        left, right = INDEX["jawLeft"], INDEX["jawRight"]
    else:
        left, right = INDEX[f"{name}Left"], INDEX[f"{name}Right"]
    mirrored = model.basis[right][model.mirror] * np.array([-1.0, 1.0, 1.0])
    np.testing.assert_allclose(model.basis[left], mirrored, atol=1e-3)


@pytest.mark.parametrize("name", ["eyeBlinkLeft", "mouthSmileLeft", "browOuterUpLeft", "mouthUpperUpLeft"])
def test_left_shapes_move_the_subjects_left(model, name):
    """Left is the subject's left: +x in canonical space, the image right of a frontal face."""
    d = np.linalg.norm(model.basis[INDEX[name]], axis=1)
    x = model.mean_shape[:, 0]
    assert d[x > 1.0].sum() > 5 * d[x < -1.0].sum()


def test_iris_follows_eye_look(model):
    beta = np.zeros(52)
    beta[INDEX["eyeLookOutLeft"]] = 1.0
    moved = model.shape(None, beta) - model.mean_shape
    assert moved[groups.LEFT_IRIS_CENTER, 0] > 0.3  # out = towards the left temple = +x
    assert np.abs(moved[groups.RIGHT_IRIS_CENTER]).max() < 1e-6


def test_report_records_held_out_error(model):
    held = model.report["held_out"]
    for protocol in ("cv", "lovo"):
        assert held[protocol]["final basis"]["mouth"] < held[protocol]["mean face"]["mouth"]
    assert set(model.report["shapes"]) == set(ARKIT_NAMES)


def test_load_from_path_round_trip(tmp_path, model):
    path = tmp_path / "basis.npz"
    np.savez(path, mean_shape=model.mean_shape, basis=model.basis * 2, sources=np.array(model.sources),
             mirror=model.mirror)
    other = FaceModel.load(path)
    np.testing.assert_allclose(other.basis, model.basis * 2)
    with pytest.raises(ValueError, match="478"):
        FaceModel(model.mean_shape[:468], model.basis)
