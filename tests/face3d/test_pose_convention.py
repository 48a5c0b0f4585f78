"""One head-pose convention for the package (``talkinghead.face.geometry``): pitch > 0 lifts the chin.

The same face looking down must give a negative pitch from every producer: ``Pose.euler`` (face3d, the
motion's ``head_pose``), the landmark geometry behind ``DetectedFace.pitch`` / ``talkinghead faces``, and a
``FaceFitter`` fit of the landmarks.
"""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face.geometry import facial_transform, pose_angles, rotation_from_angles
from talkinghead.face3d import Camera, FaceFitter, Pose
from talkinghead.face3d.camera import euler_to_rotation


def test_euler_and_geometry_angles_are_the_same_rotation():
    for angles in [(10.0, 0.0, 0.0), (0.0, 12.0, 0.0), (0.0, 0.0, 8.0), (-14.0, -9.0, 5.0)]:
        np.testing.assert_allclose(euler_to_rotation(*angles), rotation_from_angles(*angles), atol=1e-12)


@pytest.mark.parametrize("pitch", [-15.0, 15.0])
def test_looking_down_is_negative_pitch_everywhere(model, synthetic_landmarks, pitch):
    pose = Pose.from_euler(0.0, pitch, 0.0, translation=(0.0, 0.0, -45.0))
    nose = pose.rotation @ np.array([0.0, 0.0, 1.0])  # canonical nose direction -> camera space (y up)
    assert np.sign(nose[1]) == np.sign(pitch)  # pitch < 0: the nose points down
    camera = Camera.mediapipe(480, 480)
    landmarks = synthetic_landmarks(model, model.mean_shape, np.zeros(52), pose, camera)
    # the nose tip (1) moves down in the image (pixel y grows) relative to the eyes' corners when looking down
    eyes_y = landmarks[[33, 263], 1].mean()
    frontal = synthetic_landmarks(model, model.mean_shape, np.zeros(52), Pose.from_euler(0, 0, 0, (0, 0, -45)), camera)
    drop = (landmarks[1, 1] - eyes_y) - (frontal[1, 1] - frontal[[33, 263], 1].mean())
    assert np.sign(drop) == -np.sign(pitch)

    _, detected_pitch, _ = pose_angles(facial_transform(landmarks, (480, 480)))  # DetectedFace.pitch's path
    fitted_pitch = FaceFitter(model).fit(landmarks, (480, 480)).pose.euler[1]
    assert detected_pitch == pytest.approx(pitch, abs=3.0)
    assert fitted_pitch == pytest.approx(pitch, abs=3.0)
