"""Head transform and pose angles: equal to mediapipe's matrix, consistent signs."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face.geometry import facial_transform, pose_angles, rotation_from_angles


def test_transform_equals_mediapipes_own(landmarker_model, astronaut, astronaut_face):
    """Recomputed from our (crop-refined) landmarks, the matrix equals the one mediapipe reports for them:
    run mediapipe on the full image and feed its own landmarks to facial_transform."""
    from talkinghead.face import _mediapipe as mpw

    _, vision, BaseOptions = mpw.mediapipe_modules()
    options = vision.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(landmarker_model)),
                                           output_facial_transformation_matrixes=True, num_faces=1)
    with mpw.quiet_native_stderr():
        landmarker = vision.FaceLandmarker.create_from_options(options)
    try:
        with mpw.quiet_native_stderr():
            result = landmarker.detect(mpw.mp_image(astronaut))
    finally:
        landmarker.close()
    h, w = astronaut.shape[:2]
    lm = np.array([[p.x * w, p.y * h, p.z * w] for p in result.face_landmarks[0]])
    theirs = np.asarray(result.facial_transformation_matrixes[0])
    ours = facial_transform(lm, (w, h))
    assert np.abs(ours[:3, :3] - theirs[:3, :3]).max() < 1e-3
    assert np.abs(ours[:3, 3] - theirs[:3, 3]).max() < 1e-2  # cm, at ~70 cm from the camera
    # and the analyzer's face (refined on a crop) has nearly the same pose
    assert np.allclose(pose_angles(theirs), astronaut_face.pose, atol=1.5)


@pytest.mark.parametrize("angles", [(0, 0, 0), (30, 0, 0), (0, -20, 0), (0, 0, 15), (-25, 12, -8)])
def test_angles_round_trip(angles):
    r = rotation_from_angles(*angles)
    assert np.allclose(r @ r.T, np.eye(3)) and np.linalg.det(r) == pytest.approx(1.0)
    m = np.eye(4)
    m[:3, :3] = 1.02 * r  # mediapipe's matrices carry a scale near 1
    assert np.allclose(pose_angles(m), angles, atol=1e-6)


def test_signs_on_a_rotated_rendering():
    """yaw > 0: nose towards the image right; pitch > 0: chin up (nose up); roll > 0: counter-clockwise."""
    nose = np.array([0.0, 0.0, 1.0])  # canonical: out of the face, towards the camera
    up = np.array([0.0, 1.0, 0.0])
    assert (rotation_from_angles(20, 0, 0) @ nose)[0] > 0  # camera x right
    assert (rotation_from_angles(0, 20, 0) @ nose)[1] > 0  # camera y up
    assert (rotation_from_angles(0, 0, 20) @ up)[0] < 0  # the top of the head moves left: counter-clockwise


def test_mirrored_image_flips_yaw_and_roll(analyzer, astronaut, astronaut_face):
    mirrored = np.ascontiguousarray(astronaut[:, ::-1])
    face = analyzer.detect(mirrored)[0]
    assert face.roll == pytest.approx(-astronaut_face.roll, abs=1.5)
    assert face.yaw == pytest.approx(-astronaut_face.yaw, abs=2.0)
    assert face.pitch == pytest.approx(astronaut_face.pitch, abs=2.0)
