"""Zero-lag landmark smoothing: exact on polynomials, removes jitter, keeps timing and mouth amplitude."""

from __future__ import annotations

import numpy as np
import pytest
from face_helpers import jitter, lag_frames

from talkinghead.face import landmark_groups as lg
from talkinghead.face.smoothing import LandmarkSmoother, LocalPolynomialSmoother, join_rigid, split_rigid


def run(smoother, times, values):
    out = []
    for t, v in zip(times, values):
        out += smoother.push(t, v, payload=t)
    out += smoother.flush()
    assert [p for p, _ in out] == list(times)  # every sample once, in order
    return np.array([v for _, v in out])


def test_quadratic_is_reproduced_exactly_even_at_the_ends():
    t = np.arange(40) / 30.0
    x = 3.0 - 2.0 * t + 5.0 * t ** 2
    y = run(LocalPolynomialSmoother(0.2, order=2), t, x[:, None])
    assert np.allclose(y[:, 0], x, atol=1e-9)


def test_uneven_times_and_delay_bound():
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.02, 0.06, 60))
    x = np.sin(2 * t)
    s = LocalPolynomialSmoother(0.15, order=2)
    emitted_at = {}
    for ti, xi in zip(t, x):
        for payload, _ in s.push(ti, np.array([xi]), payload=ti):
            emitted_at[payload] = ti
    s.flush()
    delays = [emitted_at[k] - k for k in emitted_at]
    assert max(delays) <= 0.15 + 0.06 + 1e-9  # out once the window is complete, no later


def test_white_noise_is_reduced_and_sine_not_delayed():
    rng = np.random.default_rng(1)
    fps, n = 30.0, 300
    t = np.arange(n) / fps
    clean = np.sin(2 * np.pi * 1.0 * t)
    noisy = clean + rng.normal(0, 0.05, n)
    y = run(LocalPolynomialSmoother(0.2, order=2), t, noisy[:, None])[:, 0]
    assert np.std(np.diff(y - clean, 2)) < np.std(np.diff(noisy - clean, 2)) / 5  # frame-to-frame jitter
    assert np.std(y - clean) < np.std(noisy - clean) / 2
    lags = np.arange(-3, 4)
    cc = [np.dot(clean[3:-3], np.roll(y, -k)[3:-3]) for k in lags]
    assert lags[int(np.argmax(cc))] == 0


def test_split_and_join_rigid_round_trip(astronaut_face):
    lm = astronaut_face.landmarks.astype(np.float64)
    rigid, expression = split_rigid(lm)
    assert np.allclose(join_rigid(rigid, expression), lm, atol=1e-6)
    # the expression part does not move when the whole face is moved, rotated and scaled
    c, s = np.cos(0.3), np.sin(0.3)
    moved = lm.copy()
    moved[:, :2] = 1.3 * lm[:, :2] @ np.array([[c, -s], [s, c]]).T + (40, -25)
    moved[:, 2] *= 1.3
    _, expression2 = split_rigid(moved)
    assert np.allclose(expression2, expression, atol=1e-6)


def _sequence(base: np.ndarray, n: int, fps: float, noise: float, seed: int):
    """Head sway (translation, roll) + mouth opening pulses + detector-like noise on every landmark."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fps
    size = np.ptp(base[:, :2], axis=0).max()
    mouth = np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) * 0.08 * size  # 3 Hz syllables, lips apart 8%
    lower = [i for i in range(478) if i in set(lg.JAW) | {14, 87, 178, 88, 95, 317, 402, 318, 324, 17, 84, 181, 91,
                                                          146, 314, 405, 321, 375}]
    clean = []
    for k in range(n):
        x = base.copy()
        x[lower, 1] += mouth[k]
        a = np.radians(4 * np.sin(2 * np.pi * 0.4 * t[k]))
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        centre = base[:, :2].mean(0)
        x[:, :2] = (x[:, :2] - centre) @ rot.T + centre + (0.3 * size * np.sin(2 * np.pi * 0.25 * t[k]), 0)
        clean.append(x)
    clean = np.array(clean)
    noisy = clean + rng.normal(0, noise * size, clean.shape) + rng.normal(0, noise * size, (n, 1, 3))
    return t, clean, noisy






def test_landmark_smoother_on_a_synthetic_talking_head(astronaut_face):
    fps = 30.0
    t, clean, noisy = _sequence(astronaut_face.landmarks.astype(np.float64), 150, fps, noise=0.004, seed=2)
    smoothed = run(LandmarkSmoother(), t, noisy)
    assert jitter(noisy) / jitter(smoothed) > 2.5
    assert np.abs(smoothed - clean).mean() < 0.8 * np.abs(noisy - clean).mean()
    assert abs(lag_frames(noisy, smoothed)) < 0.1
    gap = lambda x: x[:, 14, 1] - x[:, 13, 1]  # noqa: E731 - mouth opening
    assert np.ptp(gap(smoothed)) == pytest.approx(np.ptp(gap(clean)), rel=0.1)
    assert abs(lag_frames(gap(clean)[:, None, None], gap(smoothed)[:, None, None])) < 0.1
