"""Camera, pose and mediapipe's screen-to-metric step (talkinghead.face3d.camera / metric)."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face3d import Camera, Pose, landmarks_to_metric
from talkinghead.face3d.camera import euler_to_rotation
from talkinghead.face3d.metric import RIGID_POSE_WEIGHTS, weighted_procrustes


def test_project_unproject_round_trip():
    cam = Camera.mediapipe(640, 480)
    rng = np.random.default_rng(0)
    pts = rng.uniform([-10, -10, -80], [10, 10, -30], (50, 3))
    back = cam.unproject(cam.project(pts), -pts[:, 2])
    np.testing.assert_allclose(back, pts, atol=1e-9)
    # 63 degrees vertical field of view: a point at the top edge is tan(31.5 deg) * depth above the axis.
    top = cam.project(np.array([0.0, np.tan(np.radians(31.5)) * 50.0, -50.0]))
    np.testing.assert_allclose(top, [320.0, 0.0], atol=1e-9)


def test_crop_and_resize_move_pixels_consistently():
    cam = Camera.mediapipe(640, 480)
    pts = np.array([[1.0, 2.0, -40.0], [-3.0, -1.0, -55.0]])
    full = cam.project(pts)
    crop = cam.crop(100, 50, 300, 250)
    np.testing.assert_allclose(crop.project(pts), full - [100, 50], atol=1e-9)
    small = crop.resize(64)
    assert small.size == (64, 64)
    np.testing.assert_allclose(small.project(pts), (full - [100, 50]) * 64 / 200, atol=1e-9)


@pytest.mark.parametrize("angles", [(0, 0, 0), (25, -10, 5), (-40, 20, -15)])
def test_pose_round_trips(angles):
    pose = Pose.from_euler(*angles, translation=(1, 2, -50), scale=1.1)
    np.testing.assert_allclose(pose.euler, angles, atol=1e-9)
    again = Pose.from_matrix(pose.matrix)
    np.testing.assert_allclose(again.rotation, pose.rotation, atol=1e-12)
    assert again.scale == pytest.approx(1.1)
    x = np.random.default_rng(1).normal(size=(10, 3))
    np.testing.assert_allclose(pose.inverse_apply(pose.apply(x)), x, atol=1e-12)


def test_yaw_sign_turns_nose_to_image_right():
    nose = np.array([0.0, 0.0, 8.0])
    pose = Pose.from_euler(30, 0, 0, translation=(0, 0, -50))
    assert Camera.mediapipe(100, 100).project(pose.apply(nose))[0] > 50


def test_weighted_procrustes_recovers_similarity():
    rng = np.random.default_rng(2)
    src = rng.normal(size=(30, 3))
    truth = Pose(euler_to_rotation(20, -30, 10), [1, -2, -40], 1.7)
    weights = rng.uniform(0.1, 1.0, 30)
    est = weighted_procrustes(src, truth.apply(src), weights)
    np.testing.assert_allclose(est.matrix, truth.matrix, atol=1e-9)


def test_metric_step_reprojects_and_recovers_pose(model, frontal_camera, synthetic_landmarks):
    camera, pose = frontal_camera
    lm = synthetic_landmarks(model, None, None, pose, camera)
    metric = landmarks_to_metric(lm, camera, pose_weights=RIGID_POSE_WEIGHTS)
    # The metric camera-space points project back onto the detected pixels exactly (by construction of the step).
    np.testing.assert_allclose(camera.project(metric.camera_space), lm[:, :2], atol=1e-9)
    # The pose comes back up to mediapipe's depth approximation (relative z treated as metric).
    np.testing.assert_allclose(metric.pose.euler, pose.euler, atol=0.5)
    err = np.linalg.norm(metric.canonical - model.mean_shape, axis=1).mean()
    assert err < 0.02 * model.face_height


@pytest.mark.real_media
def test_pose_matches_mediapipe_matrix(astronaut, landmarker_model):
    """Re-implemented screen-to-metric step reproduces mediapipe's own facial transformation matrix."""
    mp = pytest.importorskip("mediapipe")
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(landmarker_model)),
                                           output_facial_transformation_matrixes=True, num_faces=1)
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(astronaut)))
    h, w = astronaut.shape[:2]
    lm = np.array([[p.x * w, p.y * h, p.z * w] for p in result.face_landmarks[0]])
    expected = np.asarray(result.facial_transformation_matrixes[0])
    metric = landmarks_to_metric(lm, Camera.mediapipe(w, h))
    np.testing.assert_allclose(metric.pose.matrix, expected, atol=2e-3)
    assert np.abs(metric.pose.matrix[:3, :3] - expected[:3, :3]).max() < 1e-4
