"""IP-LAP landmark sketches and VividTalk-style Gaussian landmark heatmaps."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.face3d import Camera, Pose
from talkinghead.face3d.sketch import DEFAULT_PARTS, draw_sketch, landmark_heatmaps, lip_landmarks, sketch_parts


@pytest.fixture(scope="module")
def landmarks(model):
    camera = Camera.mediapipe(128, 128)
    return camera.project(Pose.from_euler(5, 0, 0, translation=(0, 0, -45)).apply(model.mean_shape))


def segment_distance(p, a, b):
    ab = b - a
    t = np.clip(((p - a) @ ab) / max(ab @ ab, 1e-12), 0, 1)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


def test_sketch_draws_only_on_contours(landmarks):
    sketch = draw_sketch(landmarks, (128, 128))
    assert sketch.shape == (128, 128, 3) and sketch.dtype == np.float32
    ys, xs = np.nonzero(sketch[..., 0] > 0)
    centres = np.stack([xs + 0.5, ys + 0.5], 1)
    dist = np.full(len(centres), np.inf)
    for name in DEFAULT_PARTS:
        index, closed = sketch_parts()[name]
        path = list(index) + ([index[0]] if closed else [])
        for i, j in zip(path[:-1], path[1:]):
            dist = np.minimum(dist, segment_distance(centres, landmarks[i], landmarks[j]))
    assert len(centres) > 150
    assert dist.max() < 1.5  # 1-pixel lines on the contours, nothing else
    # Each part is visible: every contour vertex has a lit pixel within 1.5 px.
    lit = np.stack([xs + 0.5, ys + 0.5], 1)
    for name in DEFAULT_PARTS:
        for i in sketch_parts()[name][0]:
            assert np.linalg.norm(lit - landmarks[i], axis=1).min() < 1.5, name


def test_sketch_colors_and_parts(landmarks):
    sketch = draw_sketch(landmarks, (128, 128), parts=("lips_outer",), color={"lips_outer": (1.0, 0.0, 0.0)})
    assert sketch[..., 0].sum() > 0 and not sketch[..., 1:].any()
    with pytest.raises(ValueError, match="unknown sketch part"):
        draw_sketch(landmarks, (128, 128), parts=("ears",))


def test_heatmaps(landmarks):
    lips = landmarks[list(lip_landmarks())]
    maps = landmark_heatmaps(lips, (128, 128), sigma=2.0)
    assert maps.shape == (40, 128, 128) and maps.max() <= 1.0
    for k in (0, 17):
        y, x = np.unravel_index(np.argmax(maps[k]), maps[k].shape)
        assert np.hypot(x + 0.5 - lips[k, 0], y + 0.5 - lips[k, 1]) <= 0.75
    np.testing.assert_allclose(landmark_heatmaps(lips, (128, 128), 2.0, reduce="max"), maps.max(0), atol=1e-6)
    summed = landmark_heatmaps(lips, (128, 128), 2.0, reduce="sum")
    np.testing.assert_allclose(summed, maps.sum(0), rtol=1e-4, atol=1e-5)
    # A point exactly on a pixel centre peaks at 1; one sigma away the map is exp(-1/2).
    one = landmark_heatmaps(np.array([[10.5, 20.5]]), (32, 32), sigma=2.0)[0]
    assert one[20, 10] == pytest.approx(1.0) and one[20, 12] == pytest.approx(np.exp(-0.5), rel=1e-5)
