"""TrackSmoother (gap bridging, lost faces, order) and FaceTrack, on synthetic detections."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from talkinghead.face.tracking import BRIDGED, DETECTED, LOST, FaceTrack, RawFace, SmoothingConfig, TrackSmoother

IMAGE = np.zeros((4, 4, 3), np.uint8)


def detections(base: np.ndarray, n: int, missing: set[int]):
    """A face drifting right by 2 px per frame; ``None`` on the ``missing`` frames."""
    out = []
    for i in range(n):
        lm = base.copy()
        lm[:, 0] += 2.0 * i
        shapes = np.full(52, i / n, np.float32)
        out.append(None if i in missing else RawFace(lm, shapes, 0.9))
    return out


def run(raws, fps=25.0, config=SmoothingConfig(enabled=False)):
    smoother = TrackSmoother((640, 480), config)
    frames = []
    for i, raw in enumerate(raws):
        frames += list(smoother.push(i, i / fps, IMAGE, raw))
    frames += list(smoother.flush())
    assert [f.index for f in frames] == list(range(len(raws)))  # one output per input, in order
    return frames


def test_short_gap_is_bridged_by_interpolation(astronaut_face):
    base = astronaut_face.landmarks.astype(np.float64)
    frames = run(detections(base, 20, missing={8, 9, 10}))
    assert [f.status for f in frames[7:12]] == [DETECTED, BRIDGED, BRIDGED, BRIDGED, DETECTED]
    for i in (8, 9, 10):
        assert np.allclose(frames[i].face.landmarks[:, 0], base[:, 0] + 2.0 * i, atol=1e-3)
        assert frames[i].face.blendshapes[0] == pytest.approx(i / 20, abs=1e-6)


def test_long_gap_is_reported_not_invented(astronaut_face, caplog):
    base = astronaut_face.landmarks.astype(np.float64)
    missing = set(range(5, 25))  # 0.8 s at 25 fps > max_gap 0.5 s
    with caplog.at_level(logging.WARNING, logger="talkinghead.face.tracking"):
        frames = run(detections(base, 30, missing))
    assert all(f.status == LOST and f.face is None for f in frames[5:25])
    assert all(f.status == DETECTED for f in frames[:5] + frames[25:])
    assert "face lost from frame 5" in caplog.text
    track = FaceTrack.collect(iter(frames), 25)
    assert track.lost_segments == [(5, 25)]
    assert np.isnan(track.landmarks[10]).all() and track.face(10) is None
    assert track.face(4) is not None and track.valid.sum() == 10


def test_leading_and_trailing_short_gaps_hold_the_nearest_detection(astronaut_face):
    base = astronaut_face.landmarks.astype(np.float64)
    frames = run(detections(base, 12, missing={0, 1, 10, 11}))
    assert [f.status for f in frames[:3]] == [BRIDGED, BRIDGED, DETECTED]
    assert np.allclose(frames[0].face.landmarks, frames[2].face.landmarks)
    assert [f.status for f in frames[-3:]] == [DETECTED, BRIDGED, BRIDGED]
    assert np.allclose(frames[-1].face.landmarks, frames[-3].face.landmarks)


def test_never_found_is_all_lost():
    frames = run([None] * 30)
    assert all(f.face is None and f.status == LOST for f in frames)


def test_smoothing_on_keeps_order_and_straight_motion(astronaut_face):
    base = astronaut_face.landmarks.astype(np.float64)
    frames = run(detections(base, 40, missing={15, 16}), config=SmoothingConfig())
    # linear motion is a polynomial: smoothing leaves it in place
    for f in frames:
        assert np.allclose(f.face.landmarks[:, 0], base[:, 0] + 2.0 * f.index, atol=0.05)
    face = frames[20].face
    assert face.transform.shape == (4, 4) and face.image_size == (640, 480)


def test_face_track_arrays(astronaut_face):
    base = astronaut_face.landmarks.astype(np.float64)
    track = FaceTrack.collect(iter(run(detections(base, 10, missing=set()))), 25)
    assert track.landmarks.shape == (10, 478, 3) and track.blendshapes.shape == (10, 52)
    assert track.transforms.shape == (10, 4, 4) and track.pose.shape == (10, 3) and track.bboxes.shape == (10, 4)
    assert len(track) == 10 and track.lost_segments == [] and track.status_name(3) == DETECTED
    assert track.face(3).landmarks[0, 0] == pytest.approx(base[0, 0] + 6.0, abs=1e-3)
