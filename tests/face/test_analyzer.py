"""FaceAnalyzer.detect on the astronaut, synthesized scenes (moved, small, several faces, none) and real images."""

from __future__ import annotations

import numpy as np
import pytest
from face_helpers import place, similarity, texture

from talkinghead.errors import AmbiguousFaceError, NoFaceError
from talkinghead.face import DetectedFace, select_face
from talkinghead.face import landmark_groups as lg


def test_astronaut_landmarks(astronaut_face: DetectedFace):
    face = astronaut_face
    assert face.landmarks.shape == (478, 3) and face.landmarks.dtype == np.float32
    assert face.blendshapes.shape == (52,) and face.blendshapes.dtype == np.float32
    assert face.transform.shape == (4, 4)
    assert 0.0 <= face.blendshapes.min() and face.blendshapes.max() <= 1.0
    assert face.image_size == (512, 512)
    # her face is at about x 180-270, y 70-180 in the 512x512 image
    cx, cy = face.center
    assert 200 < cx < 250 and 100 < cy < 150
    assert 80 < face.size < 130
    lm = face.landmarks
    eye_y = lm[[lg.LEFT_IRIS_CENTER, lg.RIGHT_IRIS_CENTER], 1].mean()
    assert eye_y < lm[lg.NOSE_TIP, 1] < lm[lg.INNER_LIP_CENTER[0], 1] < lm[lg.CHIN, 1]
    # the subject's left eye appears on the image's right
    assert lm[lg.LEFT_IRIS_CENTER, 0] > lm[lg.RIGHT_IRIS_CENTER, 0]
    assert face.score >= 0.8
    # she smiles: the smile blendshapes are the strongest mouth ones
    from talkinghead.blendshapes import INDEX

    assert face.blendshapes[INDEX["mouthSmileLeft"]] > 0.5 and face.blendshapes[INDEX["mouthSmileRight"]] > 0.5


def test_synthesized_scene_landmarks_follow_the_face(analyzer, astronaut, astronaut_face):
    """The astronaut rotated by 25 degrees, shrunk and moved into a textured 900x700 canvas: the landmarks found
    there are the original landmarks moved by the same similarity (a check of every coordinate mapping)."""
    m = similarity(25.0, 0.8, astronaut_face.center, (560, 300))
    scene = place(texture(700, 900, seed=1), astronaut, m)
    faces = analyzer.detect(scene)
    assert len(faces) == 1
    face = faces[0]
    expected = astronaut_face.landmarks[:, :2] @ m[:, :2].T + m[:, 2]
    error = np.linalg.norm(face.landmarks[:, :2] - expected, axis=1)
    assert np.median(error) < 0.025 * face.size, np.median(error)
    assert face.roll == pytest.approx(astronaut_face.roll + 25.0, abs=4.0)
    assert face.size == pytest.approx(0.8 * astronaut_face.size, rel=0.08)
    # depth is in pixels of the image it refers to: it scales with the face
    depth_range = np.ptp(face.landmarks[:, 2]) / np.ptp(astronaut_face.landmarks[:, 2])
    assert depth_range == pytest.approx(0.8, rel=0.15)


def test_small_face_in_a_large_image_is_found(analyzer, astronaut, astronaut_face):
    """A ~75 px face in a 1600x1200 image (under 7% of the short side): mediapipe alone misses it."""
    from talkinghead.face import _mediapipe as mpw

    m = similarity(0.0, 0.75, astronaut_face.center, (1150, 420))
    scene = place(texture(1200, 1600, seed=2), astronaut, m)
    direct = analyzer._image_landmarker().detect(mpw.mp_image(scene))
    assert len(direct.face_landmarks) == 0
    faces = analyzer.detect(scene)
    assert len(faces) == 1
    assert np.hypot(*(np.subtract(faces[0].center, m[:, :2] @ astronaut_face.center + m[:, 2]))) < 8
    assert faces[0].score >= 0.8


def test_several_faces_largest_first_and_ambiguity(analyzer, astronaut, astronaut_face):
    scene = texture(600, 1000, seed=3)
    scene = place(scene, astronaut, similarity(0.0, 1.0, astronaut_face.center, (250, 300)))
    scene = place(scene, astronaut, similarity(0.0, 1.5, astronaut_face.center, (700, 300)))
    faces = analyzer.detect(scene)
    assert len(faces) == 2
    assert faces[0].center[0] > 500 and faces[1].center[0] < 500  # the 1.5x face first
    assert select_face(faces) is faces[0]
    assert select_face(faces, face_index=1) is faces[1]

    twins = place(texture(600, 1000, seed=4), astronaut, similarity(0.0, 1.2, astronaut_face.center, (250, 300)))
    twins = place(twins, astronaut, similarity(0.0, 1.2, astronaut_face.center, (700, 300)))
    faces = analyzer.detect(twins)
    assert len(faces) == 2
    with pytest.raises(AmbiguousFaceError, match="--face-index"):
        select_face(faces)
    assert select_face(faces, face_index=0) is faces[0]


def test_no_face(analyzer):
    scene = texture(480, 640, seed=5)
    assert analyzer.detect(scene) == []
    with pytest.raises(NoFaceError, match="no human face"):
        select_face(analyzer.detect(scene))


def test_rejects_non_rgb_arrays(analyzer):
    with pytest.raises(ValueError, match="uint8 RGB"):
        analyzer.detect(np.zeros((10, 10), np.uint8))


def test_close_is_idempotent(landmarker_model, astronaut):
    from talkinghead.face import FaceAnalyzer

    a = FaceAnalyzer(landmarker_model)
    assert len(a.detect(astronaut)) == 1
    a.close()
    a.close()


@pytest.mark.real_media
def test_real_images(analyzer, media_dir):
    """Photos, paintings (one with a small face), a sculpture and a 3D cartoon: one face each; the dog: none."""
    from talkinghead.io import read_image

    for path in sorted((media_dir / "image").glob("*.jpg")):
        image = read_image(path)
        faces = analyzer.detect(image)
        if path.name.startswith("dog"):
            assert faces == [], path.name
            candidates = analyzer.detect_all(image)
            assert candidates and max(f.score for f in candidates) < 0.8  # face-like, but not human
            with pytest.raises(NoFaceError, match="no human face"):
                select_face(faces, what=repr(path.name))
        else:
            assert len(faces) == 1, path.name
            assert faces[0].score >= 0.85, (path.name, faces[0].score)
