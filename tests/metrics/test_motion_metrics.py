"""Head-pose spread (OSM-Net diversity, VividTalk HPD), blink rate, landmark distances."""

from __future__ import annotations

import numpy as np
import pytest

from talkinghead.errors import InputError, OptionError
from talkinghead.metrics import (
    METRICS,
    blink_rate,
    detect_blinks,
    head_pose_diversity,
    interocular_distance,
    landmark_distance,
    pose_diversity,
)


def test_pose_diversity_of_sinusoids():
    t = np.arange(1000) / 25.0
    amplitudes = np.array([4.0, 10.0, 2.0])
    pose = amplitudes * np.sin(2 * np.pi * 0.5 * t)[:, None] + np.array([5.0, -3.0, 0.0])
    value, per_angle = pose_diversity(pose)
    np.testing.assert_allclose(per_angle, amplitudes / np.sqrt(2), rtol=1e-3)  # std of A sin = A / sqrt(2)
    assert value == pytest.approx(per_angle.mean())
    assert pose_diversity(np.tile([3.0, 1.0, -2.0], (50, 1)))[0] == 0.0


def test_hpd_is_the_variance_of_the_pose_norm():
    # Moving on a sphere (constant norm): diverse angles, zero HPD.
    phi = np.linspace(0, 2 * np.pi, 200)
    sphere = 10 * np.stack([np.cos(phi), np.sin(phi), np.zeros_like(phi)], axis=1)
    assert head_pose_diversity(sphere) == pytest.approx(0.0, abs=1e-9)
    assert pose_diversity(sphere)[0] > 4
    # Along one axis the norm is |yaw|.
    yaw = np.random.default_rng(0).uniform(1, 20, 300)
    pose = np.stack([np.zeros(300), yaw, np.zeros(300)], axis=1)
    assert head_pose_diversity(pose) == pytest.approx(yaw.var())
    result = METRICS["hpd"](pose=pose)
    assert result["hpd"] == pytest.approx(yaw.var())
    assert set(METRICS["pose_diversity"](pose=pose).details) == {"std_pitch", "std_yaw", "std_roll"}


def test_pose_input_is_checked():
    with pytest.raises(InputError, match="NaN"):
        pose_diversity(np.array([[0, 0, 0], [np.nan, 0, 0]]))
    with pytest.raises(InputError, match=r"\(t, 3\)"):
        head_pose_diversity(np.zeros((10, 2)))


def _closure_with_blinks(starts, fps=25.0, seconds=30.0, length=5, seed=0):
    rng = np.random.default_rng(seed)
    series = np.clip(rng.normal(0.1, 0.05, int(fps * seconds)), 0, 1)
    for s in starts:
        series[s : s + length] = np.array([0.4, 0.8, 0.95, 0.8, 0.4])[:length]
    return series


def test_blinks_are_found_and_counted():
    starts = [40, 200, 380, 600]
    series = _closure_with_blinks(starts)
    blinks = detect_blinks(series, 25.0)
    assert [b[0] for b in blinks] == [s + 1 for s in starts]  # first frame above 0.5
    assert blink_rate(series, 25.0) == pytest.approx(4 * 60 / 30)
    result = METRICS["blink_rate"](eye_closure=series, fps=25.0)
    assert result["blink_rate"] == pytest.approx(8.0)
    # Each pulse 0.4, 0.8, 0.95, 0.8, 0.4: above 0.5 from its 2nd frame, below 0.35 from its 6th.
    assert result["blink_duration"] == pytest.approx(4 / 25)


def test_long_closures_and_threshold_noise_are_not_blinks():
    series = _closure_with_blinks([100])
    series[300:400] = 0.9  # eyes shut for 4 s
    series[500:520] = np.tile([0.49, 0.51], 10)  # flicker around the threshold: one episode at most
    blinks = detect_blinks(series, 25.0)
    assert len(blinks) == 2 and blinks[0][0] == 101 and blinks[1][0] == 501
    with pytest.raises(OptionError):
        detect_blinks(series, 25.0, threshold=0.3, release=0.5)


def test_landmark_distance():
    rng = np.random.default_rng(0)
    ref = rng.uniform(0, 100, (4, 10, 2))
    pred = ref.copy()
    pred[:, :3] += np.array([3.0, 4.0])  # three landmarks off by 5 pixels
    np.testing.assert_allclose(landmark_distance(pred, ref), 5 * 3 / 10)
    np.testing.assert_allclose(landmark_distance(pred, ref, indices=[0, 1, 2]), 5.0)
    np.testing.assert_allclose(landmark_distance(pred, ref, indices=[3, 4]), 0.0)
    scale = interocular_distance(ref, [0], [1])
    np.testing.assert_allclose(landmark_distance(pred, ref, indices=[0], scale=scale), 5.0 / scale)
    with pytest.raises(InputError):
        landmark_distance(pred, ref[:2])
