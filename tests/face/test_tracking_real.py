"""Tracking real talking videos: smoothing removes jitter without lag, lost faces are bridged or reported."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from face_helpers import jitter, lag_frames

from talkinghead.face import FaceAnalyzer, FaceTrack, SmoothingConfig, crop_transform
from talkinghead.face.tracking import BRIDGED, DETECTED, LOST, RawFace, TrackSmoother

pytestmark = pytest.mark.real_media






@pytest.fixture(scope="module")
def talk_2(media_dir, landmarker_model):
    """talk_2.mp4 (844x844, 25 fps, evenly timed): frame times and the raw (unsmoothed) landmarks of every frame."""
    from talkinghead.io import iter_frames

    with FaceAnalyzer(landmarker_model, smoothing=SmoothingConfig(enabled=False)) as analyzer:
        frames = list(analyzer.track(iter_frames(media_dir / "video" / "talk_2.mp4")))
    assert all(f.status == DETECTED for f in frames)
    return np.array([f.time for f in frames]), np.array([f.face.landmarks for f in frames], np.float64)


def test_smoothing_reduces_jitter_without_lag(talk_2):
    times, raw = talk_2
    smoother = TrackSmoother((844, 844), SmoothingConfig())
    out = []
    for i, (t, lm) in enumerate(zip(times, raw)):
        out += smoother.push(i, t, np.zeros((1, 1, 3), np.uint8), RawFace(lm, np.zeros(52, np.float32), 0.9))
    out += smoother.flush()
    smoothed = np.array([f.face.landmarks for f in out], np.float64)
    factor = jitter(raw) / jitter(smoothed)
    lag = lag_frames(raw, smoothed)
    mouth = lambda x: np.linalg.norm(x[:, 13, :2] - x[:, 14, :2], axis=1)  # noqa: E731 - inner-lip gap
    print(f"talk_2: jitter reduced {factor:.2f}x, lag {lag:+.3f} frames, "
          f"mouth peak-to-peak kept {np.ptp(mouth(smoothed)) / np.ptp(mouth(raw)):.3f}")
    assert factor > 2.0  # measured 2.55
    assert abs(lag) < 0.25  # measured -0.01
    assert abs(lag_frames(mouth(raw), mouth(smoothed))) < 0.25
    assert np.ptp(mouth(smoothed)) > 0.9 * np.ptp(mouth(raw))
    # crops from the smoothed landmarks shake less than from the raw ones
    centre = lambda lms: np.array([crop_transform(lm, 256, (844, 844)).to_image(np.array([127.5, 127.5]))  # noqa
                                   for lm in lms])
    shake = lambda c: np.sqrt((np.diff(c, 2, axis=0) ** 2).sum(1)).mean()  # noqa: E731
    assert shake(centre(smoothed)) < 0.5 * shake(centre(raw))


def test_lost_face_is_bridged_or_reported(media_dir, landmarker_model, caplog):
    """talk_3 with 4 black frames (0.16 s: bridged) and then 35 (1.4 s: lost, reported, not invented)."""
    from talkinghead.io import iter_frames

    frames = []
    for f in iter_frames(media_dir / "video" / "talk_3.mp4", end=3.0):
        image = f.image.copy()
        if 20 <= f.index < 24 or 40 <= f.index < 75:
            image[:] = 0
        frames.append(image)
    with FaceAnalyzer(landmarker_model) as analyzer, caplog.at_level(logging.WARNING):
        tracked = list(analyzer.track(frames, fps=25))
    status = [f.status for f in tracked]
    assert len(tracked) == len(frames) == 75
    assert status[:20] == [DETECTED] * 20 and status[20:24] == [BRIDGED] * 4 and status[24:40] == [DETECTED] * 16
    assert status[40:] == [LOST] * 35 and all(f.face is None for f in tracked[40:])
    assert "face lost from frame 40" in caplog.text
    # the bridge lies between its neighbours
    a, b = tracked[19].face.center, tracked[24].face.center
    mid = tracked[22].face.center
    assert min(a[0], b[0]) - 3 <= mid[0] <= max(a[0], b[0]) + 3


def test_analyze_video_and_source_face_from_video(media_dir, landmarker_model):
    from talkinghead.face import SourceFace, analyze_video

    path = media_dir / "video" / "talk_5.mp4"
    with FaceAnalyzer(landmarker_model) as analyzer:
        track = analyze_video(path, analyzer, end=1.0)
        source = SourceFace.from_video(path, analyzer, crop_size=256)
    assert isinstance(track, FaceTrack) and len(track) == 25 and track.valid.all()
    assert track.fps == 25 and track.image_size == (524, 524)
    assert source.is_video and source.fps == 25 and source.crop.shape == (256, 256, 3)
    assert len(source.track) == pytest.approx(122, abs=2)
    transforms = source.crop_transforms()
    assert len(transforms) == len(source.track) and all(t is not None and t.size == 256 for t in transforms)
    assert np.allclose(source.face.landmarks, source.track.landmarks[source.frame_index])
