"""Motion value, blink and head-motion models, prosodic gestures, the phonetic generator."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.blendshapes import INDEX
from talkinghead.errors import InputError
from talkinghead.motion import (
    BlinkModel, BlinkSchedule, HeadMotionModel, HeadMotionStats, Motion, PhoneticMotionGenerator, PoseTrack, SpeechFeatures,
    find_events, fit_head_motion,
)
from talkinghead.motion.blink import count_blinks
from talkinghead.motion.head_motion import _ar_filter


def _motion(t=10, seed=3):
    rng = np.random.default_rng(0)
    return Motion(25.0, rng.random((t, 52)), rng.normal(size=(t, 3)), np.zeros((t, 3)), rng.random(t),
                  {"source_frame": np.arange(t)}, seed)


def test_motion_json_round_trip(tmp_path):
    m = _motion()
    path = m.save(tmp_path / "m.json")
    back = Motion.load(path)
    assert back.num_frames == 10 and back.fps == 25.0 and back.seed == 3
    np.testing.assert_allclose(back.blendshapes, m.blendshapes, atol=1e-4)
    np.testing.assert_allclose(back.head_pose, m.head_pose, atol=1e-4)
    np.testing.assert_array_equal(back.extras["source_frame"], np.arange(10))
    assert m[2:5].num_frames == 3


def test_motion_rejects_bad_shapes_and_files(tmp_path):
    with pytest.raises(ValueError):
        Motion(25.0, np.zeros((4, 52)), np.zeros((3, 3)), np.zeros((4, 3)), np.zeros(4))
    (tmp_path / "x.json").write_text('{"format": "something else"}')
    with pytest.raises(InputError):
        Motion.load(tmp_path / "x.json")


def test_blinks_have_the_requested_rate_and_are_seeded():
    model = BlinkModel(rate_per_min=20)
    fps, minutes = 25.0, 20
    curve = model.sample(int(minutes * 60 * fps), fps, np.random.default_rng(1))
    assert curve.min() >= 0 and curve.max() <= 1
    n = count_blinks(curve, fps)
    assert 0.8 * 20 * minutes < n < 1.2 * 20 * minutes
    # every blink reaches full closure on some frame unless it is a partial one
    assert (curve > 0.99).any()
    again = model.sample(len(curve), fps, np.random.default_rng(1))
    other = model.sample(len(curve), fps, np.random.default_rng(2))
    np.testing.assert_array_equal(curve, again)
    assert not np.array_equal(curve, other)
    assert not BlinkModel(rate_per_min=0).sample(100, fps, np.random.default_rng(0)).any()


def test_blink_schedule_ranges_join_into_one_seeded_curve():
    """Chunk by chunk (the arkit-csv export) gives the curve that one long draw gives, whatever the chunking."""
    model, fps = BlinkModel(rate_per_min=30), 25.0
    whole = model.sample(3000, fps, np.random.default_rng(5))
    for sizes in ([3000], [7, 993, 1, 1999], [250] * 12):
        schedule = BlinkSchedule(model, fps, seed=5)
        starts = np.cumsum([0, *sizes[:-1]])
        parts = [schedule(int(a), n) for a, n in zip(starts, sizes)]
        np.testing.assert_array_equal(np.concatenate(parts), whole)
    assert count_blinks(whole, fps) > 0.8 * 30 * 2  # two minutes at 30 a minute
    assert not np.array_equal(BlinkSchedule(model, fps, seed=6)(0, 3000), whole)


def test_head_motion_amplitude_scale_and_seed():
    stats = HeadMotionStats.default()
    model = HeadMotionModel(stats, epsilon=0.0)  # no style sampling: the median amplitude exactly
    pose = model.sample(2000, 25.0, np.random.default_rng(0))
    np.testing.assert_allclose(pose.std(0), stats.std_deg, rtol=1e-3)
    np.testing.assert_array_equal(pose, model.sample(2000, 25.0, np.random.default_rng(0)))
    assert not np.array_equal(pose, model.sample(2000, 25.0, np.random.default_rng(1)))
    assert not model.sample(100, 25.0, np.random.default_rng(0), scale=0.0).any()
    half = model.sample(2000, 25.0, np.random.default_rng(0), scale=0.5)
    np.testing.assert_allclose(half.std(0), 0.5 * np.asarray(stats.std_deg), rtol=1e-3)


def test_head_motion_moves_more_when_louder():
    model = HeadMotionModel(HeadMotionStats.default())
    t = 3000
    loud = np.where((np.arange(t) // 250) % 2 == 0, -15.0, -45.0)  # alternating loud / quiet stretches
    speeds = []
    for seed in range(6):
        pose = model.sample(t, 25.0, np.random.default_rng(seed), loudness=loud)
        speed = np.abs(np.diff(pose, axis=0)).sum(1)
        speeds.append((speed[loud[1:] > -30].mean(), speed[loud[1:] < -30].mean()))
    speeds = np.array(speeds)
    assert (speeds[:, 0] > speeds[:, 1]).all()


def test_fit_recovers_an_ar_process():
    rng = np.random.default_rng(0)
    ar = np.array([[1.5, -0.6], [1.7, -0.75], [1.4, -0.5]])
    tracks = []
    for i in range(4):
        x = _ar_filter(ar, rng.standard_normal((3000, 3)), np.ones((3000, 3)))
        tracks.append(PoseTrack(f"synthetic{i}", x * [2.0, 3.0, 1.0], 25.0))
    stats = fit_head_motion(tracks)
    np.testing.assert_allclose(np.array(stats.ar), ar, atol=0.06)
    assert stats.std_deg[1] > stats.std_deg[0] > stats.std_deg[2]


def test_shipped_stats_come_from_real_videos():
    stats = HeadMotionStats.default()
    assert len(stats.videos) >= 3 and all(0.3 < s < 10 for s in stats.std_deg)
    assert stats.blinks_per_min is not None


def test_prosodic_events():
    fps, t = 25.0, 200
    voiced = np.zeros(t, bool)
    voiced[20:80] = voiced[120:180] = True
    f0 = np.where(voiced, 120.0, 0.0)
    f0[45:50] = 160.0  # a pitch accent
    loud = np.where(voiced, -20.0, -60.0)
    events = find_events(f0, voiced, loud, fps)
    onsets = [e.frame for e in events if e.kind == "onset"]
    accents = [e.frame for e in events if e.kind == "accent"]
    assert onsets == [20, 120]
    assert len(accents) == 1 and 44 <= accents[0] <= 50


def _speech(t=250, fps=25.0):
    rng = np.random.default_rng(5)
    mouth = np.zeros((t, 52), np.float32)
    mouth[:, INDEX["jawOpen"]] = np.clip(np.sin(np.arange(t) / 3.0), 0, 1) * 0.3
    voiced = np.arange(t) % 60 < 45
    return SpeechFeatures(fps, mouth, np.where(voiced, -20, -60).astype(np.float32),
                          np.where(voiced, 110 + 30 * rng.random(t), 0).astype(np.float32), voiced, voiced)


def test_generator_is_seeded_and_honours_options():
    speech = _speech()
    gen = PhoneticMotionGenerator()
    a, b, c = gen.generate(speech, seed=1), gen.generate(speech, seed=1), gen.generate(speech, seed=2)
    np.testing.assert_array_equal(a.blendshapes, b.blendshapes)
    np.testing.assert_array_equal(a.head_pose, b.head_pose)
    assert not np.array_equal(a.head_pose, c.head_pose)
    # the mouth is the audio's, the same for every seed
    np.testing.assert_array_equal(a.blendshapes[:, INDEX["jawOpen"]], c.blendshapes[:, INDEX["jawOpen"]])
    closed = PhoneticMotionGenerator(mouth_scale=0.0).generate(speech, seed=1)
    assert not closed.blendshapes[:, INDEX["jawOpen"]].any()
    still = PhoneticMotionGenerator(head_motion=0.0, gestures=False, blink_rate=0).generate(speech, seed=1)
    assert not still.head_pose.any() and not still.blink.any()
    assert np.array_equal(a.blink, a.blendshapes[:, INDEX["eyeBlinkLeft"]])


def test_relative_head_pose_counts_from_the_first_tracked_frame():
    from talkinghead.motion import relative_head_pose

    poses = np.array([[np.nan] * 3, [10.0, -2.0, 1.0], [12.0, -1.0, 1.0], [np.nan] * 3], np.float64)
    rel = relative_head_pose(poses)
    assert rel.dtype == np.float32
    np.testing.assert_allclose(rel, [[0, 0, 0], [0, 0, 0], [2, 1, 0], [0, 0, 0]])
    assert (relative_head_pose(np.full((3, 3), np.nan)) == 0).all()
