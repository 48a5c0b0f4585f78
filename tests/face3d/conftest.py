"""Fixtures of the face3d tests: the committed model, the astronaut's detected face, a synthetic posed face."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face3d import Camera, FaceModel, Pose


@pytest.fixture(scope="session")
def model() -> FaceModel:
    return FaceModel.load()


@pytest.fixture(scope="session")
def astronaut_face(astronaut, landmarker_model):
    """``DetectedFace`` of skimage's astronaut, from ``talkinghead.face.FaceAnalyzer``."""
    from talkinghead.face import FaceAnalyzer, select_face

    with FaceAnalyzer(model_path=landmarker_model) as analyzer:
        return select_face(analyzer.detect(astronaut))


@pytest.fixture()
def frontal_camera() -> tuple[Camera, Pose]:
    """A 256x256 mediapipe camera and a pose that puts the canonical face, slightly turned, in its centre."""
    camera = Camera.mediapipe(256, 256)
    return camera, Pose.from_euler(12.0, -5.0, 3.0, translation=(0.0, 0.0, -42.0))


@pytest.fixture(scope="session")
def synthetic_landmarks():
    """The function :func:`_synthetic_landmarks`."""
    return _synthetic_landmarks


def _synthetic_landmarks(model: FaceModel, identity, beta, pose: Pose, camera: Camera) -> np.ndarray:
    """``(478, 3)`` pixel landmarks as mediapipe reports them: x, y projected; z relative depth in pixel units.

    mediapipe's z is the depth relative to the face centre, in the image scale of the face; the geometry
    pipeline turns it back into metric depth with the face's scale, so ``focal * depth / mean depth`` is a
    consistent choice (the offset is irrelevant: the pipeline subtracts the mean).
    """
    points = pose.apply(model.shape(identity, beta))
    depth = -points[:, 2]
    pixels = camera.project(points)
    return np.concatenate([pixels, (camera.focal * depth / depth[:468].mean())[:, None]], 1).astype(np.float64)
