"""Fitting FaceModel to landmarks (issue 5: fit -> re-project reproduces the detected landmarks)."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.blendshapes import INDEX
from talkinghead.face import landmark_groups as groups
from talkinghead.face3d import Camera, FaceFitter, Pose

EXCITED = ["jawOpen", "mouthSmileLeft", "mouthSmileRight", "eyeBlinkLeft", "browInnerUp", "mouthPucker",
           "mouthUpperUpLeft"]
UPPER_FACE = list(groups.LEFT_EYE + groups.RIGHT_EYE + groups.LEFT_BROW + groups.RIGHT_BROW + groups.LEFT_IRIS
                  + groups.RIGHT_IRIS) + [groups.FOREHEAD_TOP]


def face_height_px(landmarks):
    return float(np.linalg.norm(landmarks[groups.FOREHEAD_TOP, :2] - landmarks[groups.CHIN, :2]))


def synthetic_sequence(model, synthetic_landmarks, frames=40, seed=0):
    rng = np.random.default_rng(seed)
    identity = model.mean_shape + rng.normal(0, 0.08, (478, 3))
    beta = np.zeros((frames, 52))
    for name in EXCITED:
        wave = np.sin(np.linspace(0, 3, frames) * rng.uniform(1, 4) + rng.uniform(0, 6))
        beta[:, INDEX[name]] = np.clip(0.4 * wave, 0, 1)
    camera = Camera.mediapipe(640, 480)
    poses = [Pose.from_euler(*rng.normal(0, [8, 5, 3]), translation=(*rng.normal(0, 2, 2), -45)) for _ in range(frames)]
    landmarks = np.stack([synthetic_landmarks(model, identity, b, p, camera) for b, p in zip(beta, poses)])
    return identity, beta, poses, landmarks


def test_single_image_fit_reprojects_exactly(model, synthetic_landmarks):
    identity, beta, poses, landmarks = synthetic_sequence(model, synthetic_landmarks, frames=1)
    fit = FaceFitter(model).fit(landmarks[0], (640, 480), beta[0])
    np.testing.assert_allclose(fit.landmarks(), landmarks[0, :, :2], atol=1e-6)
    assert fit.beta.shape == (52,) and fit.beta.min() >= 0 and fit.beta.max() <= 1
    # Neutralisation: beta = 0 removes exactly the fitted expression, in the fitted pose.
    neutral = fit.neutral_landmarks()
    expected = fit.camera.project(fit.pose.apply(fit.identity.astype(np.float64)))
    np.testing.assert_allclose(neutral, expected, atol=1e-9)
    assert np.linalg.norm(neutral - fit.landmarks(), axis=1).max() > 1.0  # the synthetic face was expressive
    np.testing.assert_allclose(model.project(fit.identity, fit.beta, fit.pose, fit.camera), fit.landmarks(), atol=1e-9)


def test_sequence_fit_recovers_identity_and_corrects_a_noisy_prior(model, synthetic_landmarks):
    identity, beta, poses, landmarks = synthetic_sequence(model, synthetic_landmarks)
    rng = np.random.default_rng(1)
    prior = beta + rng.normal(0, 0.08, beta.shape)  # mediapipe-like scores: right on average, noisy per frame
    fit = FaceFitter(model, beta_smoothing=0, pose_smoothing=0).fit_sequence(landmarks, (640, 480), prior)
    ex = [INDEX[n] for n in EXCITED]
    assert np.abs(fit.betas - beta)[:, ex].mean() < 0.6 * np.abs(prior - beta)[:, ex].mean()
    assert np.linalg.norm(fit.identity - identity, axis=1).mean() < 0.15  # cm
    err = np.linalg.norm(fit.landmarks() - landmarks[:, :, :2], axis=2).mean(1) / face_height_px(landmarks[0]) * 100
    assert err.max() < 0.5  # % of face height
    np.testing.assert_allclose(fit[3].landmarks(), fit.landmarks()[3], atol=1e-9)
    for t in (0, 17):
        np.testing.assert_allclose(fit.pose(t).euler, poses[t].euler, atol=1.5)


def test_sequence_smoothing_reduces_jitter(model, synthetic_landmarks):
    identity, beta, poses, landmarks = synthetic_sequence(model, synthetic_landmarks, frames=30, seed=3)
    still = np.repeat(landmarks[:1], 30, axis=0)
    noisy = still + np.random.default_rng(2).normal(0, 0.6, still.shape)
    prior = np.repeat(beta[:1], 30, 0)
    raw = FaceFitter(model, beta_smoothing=0, pose_smoothing=0).fit_sequence(noisy, (640, 480), prior)
    smooth = FaceFitter(model, beta_smoothing=1.5, pose_smoothing=1.5).fit_sequence(noisy, (640, 480), prior)
    assert np.std(np.diff(smooth.translations, axis=0)) < 0.6 * np.std(np.diff(raw.translations, axis=0))
    assert np.abs(np.diff(smooth.betas, axis=0)).mean() < np.abs(np.diff(raw.betas, axis=0)).mean()


def test_bad_input_shape(model):
    with pytest.raises(ValueError, match="478"):
        FaceFitter(model).fit_sequence(np.zeros((3, 468, 3)), (64, 64))


@pytest.mark.real_media
def test_astronaut_fit_reprojects_and_expression_moves_only_the_mouth(astronaut_face, model):
    fit = FaceFitter(model).fit_face(astronaut_face)
    height = face_height_px(astronaut_face.landmarks)
    err = np.linalg.norm(fit.landmarks() - astronaut_face.landmarks[:, :2], axis=1)
    assert err.max() / height * 100 < 1e-4  # % of face height: the single-image fit is exact
    assert np.abs(fit.beta - astronaut_face.blendshapes).mean() < 0.1
    assert fit.beta[INDEX["mouthSmileLeft"]] > 0.3  # she smiles
    beta = fit.beta.copy()
    beta[INDEX["jawOpen"]] += 0.3
    moved = np.linalg.norm(fit.landmarks(beta=beta) - fit.landmarks(), axis=1)
    up, low = groups.INNER_LIP_CENTER
    assert moved[low] > 0.05 * height
    assert moved[UPPER_FACE].max() < 0.002 * height


@pytest.mark.real_media
def test_video_fit_reprojects_within_one_percent(media_dir, landmarker_model, model):
    """Shared identity + per-frame expression and pose explain a real talking video's landmarks."""
    from talkinghead.face import FaceAnalyzer, analyze_video

    with FaceAnalyzer(model_path=landmarker_model) as analyzer:
        track = analyze_video(media_dir / "video" / "talk_1.mp4", analyzer=analyzer, end=2.0)
    ok = track.status > 0
    landmarks, scores = track.landmarks[ok], track.blendshapes[ok]
    fit = FaceFitter(model).fit_sequence(landmarks, track.image_size, scores)
    heights = np.linalg.norm(landmarks[:, groups.FOREHEAD_TOP, :2] - landmarks[:, groups.CHIN, :2], axis=1)
    err = np.linalg.norm(fit.landmarks() - landmarks[:, :, :2], axis=2).mean(1) / heights * 100
    assert err.mean() < 1.0 and np.percentile(err, 95) < 2.0
    # The neutral face closes the mouth the speaker opens.
    up, low = groups.INNER_LIP_CENTER
    gap = lambda lm: lm[low, 1] - lm[up, 1]  # noqa: E731
    frame = int(np.argmax(fit.betas[:, INDEX["jawOpen"]]))
    assert gap(fit[frame].neutral_landmarks()) < gap(fit[frame].landmarks()) - 0.02 * heights[frame]
