"""Spontaneous blinks: a renewal process with a human rate and an asymmetric closing/opening profile.

Shape legend: ``t`` frames.

Blink timing in conversation is irregular but not Poisson: there is a refractory time after each blink and
intervals are skewed. Intervals are drawn from a gamma distribution (shape 2: coefficient of variation 0.7)
with mean ``60 / rate_per_min`` seconds and a floor of ``min_interval_s``. A blink closes fast and opens more
slowly (about 1 : 1.6); its total duration is log-normal around ``duration_s`` (100-400 ms in people).
Some blinks are partial. Amplitudes and times come from the generator passed in (``--seed``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BlinkModel", "BlinkSchedule", "blink_profile", "count_blinks"]


def blink_profile(phase: np.ndarray, close_fraction: float = 0.38, hold_fraction: float = 0.08) -> np.ndarray:
    """Eyelid closure over one blink.

    Args:
        phase: ``(n,)`` position in the blink, 0 at its start, 1 at its end (values outside give 0).
        close_fraction: share of the duration spent closing.
        hold_fraction: share spent fully closed.

    Returns:
        ``(n,)`` float32 closure in [0, 1].
    """
    phase = np.asarray(phase, np.float64)
    out = np.zeros_like(phase)
    closing = (phase >= 0) & (phase < close_fraction)
    out[closing] = np.sin(0.5 * np.pi * phase[closing] / close_fraction) ** 2
    hold_end = close_fraction + hold_fraction
    out[(phase >= close_fraction) & (phase < hold_end)] = 1.0
    opening = (phase >= hold_end) & (phase <= 1)
    u = (phase[opening] - hold_end) / (1 - hold_end)
    out[opening] = (1 - u) ** 1.6 * (0.5 + 0.5 * np.cos(np.pi * u))  # slower, decelerating opening
    return out.astype(np.float32)


@dataclass(frozen=True)
class BlinkModel:
    """Sample blink curves.

    Attributes:
        rate_per_min: mean blinks per minute (people talking: about 10-30; 0 disables blinking).
        duration_s: median blink duration in seconds.
        duration_spread: log-normal sigma of the duration.
        min_interval_s: refractory time between blink starts.
        interval_shape: gamma shape of the intervals (1 = Poisson process; larger = more regular).
        partial_probability: share of blinks that do not close the eye fully.
    """

    rate_per_min: float = 20.0
    duration_s: float = 0.26
    duration_spread: float = 0.2
    min_interval_s: float = 0.6
    interval_shape: float = 2.0
    partial_probability: float = 0.15

    def sample_times(self, duration: float, rng: np.random.Generator) -> list[tuple[float, float, float]]:
        """Blink ``(start_s, duration_s, amplitude)`` triples over ``duration`` seconds."""
        if self.rate_per_min <= 0 or duration <= 0:
            return []
        mean = 60.0 / self.rate_per_min
        # the floor shifts the mean: draw the remainder so that the mean interval stays `mean`
        scale = max(mean - self.min_interval_s, 0.05 * mean) / self.interval_shape
        blinks = []
        # the first blink comes somewhere in a typical interval, not at t = 0
        t = rng.uniform(0.1, 1.0) * mean
        while t < duration:
            length = float(np.clip(self.duration_s * np.exp(self.duration_spread * rng.standard_normal()), 0.1, 0.5))
            amplitude = 1.0 if rng.random() >= self.partial_probability else float(rng.uniform(0.45, 0.85))
            blinks.append((float(t), length, amplitude))
            t += max(self.min_interval_s, length) + rng.gamma(self.interval_shape, scale)
        return blinks

    def sample(self, num_frames: int, fps: float, rng: np.random.Generator) -> np.ndarray:
        """A blink curve: ``(t,)`` float32 eyelid closure in [0, 1] (1 = closed) at ``fps``."""
        curve = np.zeros(num_frames, np.float32)
        times = np.arange(num_frames) / fps
        middle = 0.38 + 0.08 / 2  # phase of the closed hold in blink_profile
        for start, length, amplitude in self.sample_times(num_frames / fps, rng):
            # put a frame in the middle of the closed hold, so that every blink is seen fully closed
            start = round((start + middle * length) * fps) / fps - middle * length
            first, last = int(np.floor(start * fps)), int(np.ceil((start + length) * fps)) + 1
            sl = slice(max(first, 0), min(last, num_frames))
            curve[sl] = np.maximum(curve[sl], amplitude * blink_profile((times[sl] - start) / length))
        return curve


class BlinkSchedule:
    """One seeded blink curve read range by range, for writers that see a recording chunk by chunk without knowing
    its length (``talkinghead analyze-audio --format arkit-csv``).

    ``schedule(first, num_frames)`` is ``BlinkModel.sample(...)[first : first + num_frames]`` of a long enough
    curve drawn with ``numpy.random.default_rng(seed)``: consecutive ranges join seamlessly. The curve is redrawn
    from the seed (twice as long, so the cost stays linear) when a range goes past it; the blinks already drawn
    are the same, since the intervals come one after the other from the same generator.

    Args:
        model: the blink statistics.
        fps: frame rate of the ranges.
        seed: seed of the blinks.
    """

    _MARGIN_S = 1.0  # drawn beyond the last frame asked for: a blink drawn later never reaches back into a range

    def __init__(self, model: BlinkModel, fps: float, seed: int = 0):
        self.model, self.fps, self.seed = model, float(fps), seed
        self._curve = np.zeros(0, np.float32)

    def __call__(self, first: int, num_frames: int) -> np.ndarray:
        """``(num_frames,)`` float32 eyelid closure in [0, 1] of frames ``first .. first + num_frames - 1``."""
        end = first + num_frames
        margin = int(np.ceil(self._MARGIN_S * self.fps))
        if end + margin > len(self._curve):
            length = max(end + margin, 2 * len(self._curve))
            self._curve = self.model.sample(length, self.fps, np.random.default_rng(self.seed))
        return self._curve[first:end].copy()


def count_blinks(closure: np.ndarray, fps: float, threshold: float = 0.2, min_gap_s: float = 0.25) -> int:
    """Count blinks in a measured eyelid-closure track (e.g. mediapipe's mean ``eyeBlinkLeft/Right`` score).

    A blink is a rise of the closure more than ``threshold`` above its running 2-second median (the person's
    resting lid position, which looking down also raises) that returns below it; rises closer than
    ``min_gap_s`` merge. Used on real videos and on generated ones alike.

    Args:
        closure: ``(t,)`` closure scores in [0, 1] (NaN where no face: not counted).
        fps: frame rate.
    """
    from scipy.ndimage import median_filter

    x = np.asarray(closure, np.float64)
    valid = np.isfinite(x)
    if valid.sum() < 3:
        return 0
    x = np.where(valid, x, np.nanmedian(x))
    baseline = median_filter(x, size=max(3, int(round(2 * fps)) | 1), mode="nearest")
    above = (x - baseline) > threshold
    count, last_end = 0, -np.inf
    i = 0
    while i < len(x):
        if above[i]:
            j = i
            while j + 1 < len(x) and above[j + 1]:
                j += 1
            if (i - last_end) / fps >= min_gap_s:
                count += 1
            last_end = j
            i = j + 1
        else:
            i += 1
    return count
