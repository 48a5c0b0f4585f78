"""Stochastic head motion fitted from head-pose tracks of real talking videos.

Shape legend: ``t`` frames, ``n`` frames of a fitted track.

Each rotation axis (yaw, pitch, roll) is an autoregressive process ``x_t = a_1 x_{t-1} + ... + a_p x_{t-p} +
g_t e_t`` at ``stats.fps``, whose coefficients (hence its spectrum) are fitted by Yule-Walker on the pooled
autocorrelation of real tracks. The innovation gain ``g_t = 1 + k * z_t`` couples the motion to the loudness
``z_t`` of the speech (a z-score over the clip): people move their head more while they speak louder. The
amplitude of each axis is drawn per clip around the median of the real videos, inside a ball of radius
``epsilon`` in log-amplitude space scaled by the spread across videos: one audio gives many natural motions,
the idea of OSM-Net's motion-space sampling (OSM-Net Sec. III-A2, Eq. 5: F = {F : |F - F_c| <= epsilon}).

:func:`fit_head_motion` turns tracks into :class:`HeadMotionStats`; ``scripts/default/fit_head_motion.py`` runs
it on ``../shared/media/video`` and writes ``talkinghead/assets/default/head_motion.json``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.linalg import solve_toeplitz
from scipy.signal import lfilter

__all__ = ["PoseTrack", "HeadMotionStats", "HeadMotionModel", "fit_head_motion", "loudness_zscore"]

logger = logging.getLogger(__name__)

AXES = ("yaw", "pitch", "roll")
_ASSET = "head_motion.json"


@dataclass(frozen=True)
class PoseTrack:
    """A head-pose track of one real video.

    Attributes:
        name: where it came from.
        angles: ``(n, 3)`` degrees ``(yaw, pitch, roll)``.
        fps: frame rate of the rows.
        loudness: ``(n,)`` loudness of the speech at those frames (any log scale, e.g. dB), or ``None``.
        blinks_per_min: blink rate measured on the video, or ``None``.
    """

    name: str
    angles: np.ndarray
    fps: float
    loudness: np.ndarray | None = None
    blinks_per_min: float | None = None


@dataclass(frozen=True)
class HeadMotionStats:
    """Fitted statistics of head motion in talking videos (all angles in degrees).

    Attributes:
        fps: rate the autoregressive coefficients refer to.
        std_deg: ``(3,)`` median standard deviation per axis (yaw, pitch, roll) across videos.
        log_std_spread: ``(3,)`` standard deviation of ``log(std)`` across videos: how much speakers differ.
        ar: ``(3, p)`` autoregressive coefficients per axis.
        loudness_gain: ``(3,)`` innovation gain per unit of loudness z-score.
        speed_loudness_slope: ``(3,)`` measured slope of angular speed on loudness z-score, over mean speed.
        blinks_per_min: median blink rate of the videos (``None`` if not measured).
        videos: per-video figures: ``name``, ``frames``, ``fps``, ``std_deg``, ``blinks_per_min``.
    """

    fps: float
    std_deg: tuple[float, float, float]
    log_std_spread: tuple[float, float, float]
    ar: tuple[tuple[float, ...], ...]
    loudness_gain: tuple[float, float, float]
    speed_loudness_slope: tuple[float, float, float]
    blinks_per_min: float | None = None
    videos: tuple[dict, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> HeadMotionStats:
        data = json.loads(text)
        return cls(
            fps=float(data["fps"]),
            std_deg=tuple(data["std_deg"]),
            log_std_spread=tuple(data["log_std_spread"]),
            ar=tuple(tuple(a) for a in data["ar"]),
            loudness_gain=tuple(data["loudness_gain"]),
            speed_loudness_slope=tuple(data["speed_loudness_slope"]),
            blinks_per_min=data.get("blinks_per_min"),
            videos=tuple(data.get("videos", ())),
        )

    @classmethod
    def default(cls) -> HeadMotionStats:
        """The statistics shipped in ``talkinghead/assets/default/head_motion.json``."""
        text = resources.files("talkinghead").joinpath("assets", "default", _ASSET).read_text(encoding="utf-8")
        return cls.from_json(text)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")


def loudness_zscore(loudness: np.ndarray | None, num_frames: int, smooth_frames: int = 5) -> np.ndarray:
    """Loudness as a z-score over the clip, lightly smoothed, ``(t,)`` float64 (zeros when unknown or flat)."""
    if loudness is None or len(loudness) == 0:
        return np.zeros(num_frames)
    x = np.asarray(loudness, np.float64)
    if len(x) != num_frames:
        x = np.interp(np.linspace(0, len(x) - 1, num_frames), np.arange(len(x)), x)
    if smooth_frames > 1:
        kernel = np.hanning(smooth_frames + 2)[1:-1]
        x = np.convolve(np.pad(x, smooth_frames // 2, mode="edge"), kernel / kernel.sum(), mode="valid")[:num_frames]
    std = x.std()
    return (x - x.mean()) / std if std > 1e-6 else np.zeros(num_frames)


def _resample(x: np.ndarray, fps: float, target_fps: float) -> np.ndarray:
    """Linear resampling of ``(n, ...)`` rows from ``fps`` to ``target_fps``."""
    if abs(fps - target_fps) < 1e-6:
        return np.asarray(x, np.float64)
    t = np.arange(len(x)) / fps
    t_new = np.arange(0.0, t[-1] + 1e-9, 1.0 / target_fps)
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    out = np.stack([np.interp(t_new, t, x[:, k]) for k in range(x.shape[1])], axis=1)
    return out.reshape((len(t_new),) + np.shape(x)[1:]) if out.shape[1] > 1 else out[:, 0]


def _speed_slope(angles: np.ndarray, z: np.ndarray, fps: float) -> np.ndarray:
    """Per axis: slope of |d angle / dt| on loudness z-score, divided by the mean speed."""
    speed = np.abs(np.diff(angles, axis=0)) * fps
    zz = 0.5 * (z[1:] + z[:-1])
    slopes = []
    for k in range(angles.shape[1]):
        mean = speed[:, k].mean()
        slopes.append(np.polyfit(zz, speed[:, k], 1)[0] / mean if mean > 0 and zz.std() > 0 else 0.0)
    return np.array(slopes)


def fit_head_motion(tracks: Sequence[PoseTrack], fps: float = 25.0, order: int = 2, max_lag: int = 12) -> HeadMotionStats:
    """Fit :class:`HeadMotionStats` to real head-pose tracks.

    Each track is resampled to ``fps`` and its mean removed; the per-axis autocorrelations of the standardised
    tracks are pooled (weighted by length) and solved for AR(``order``) coefficients; amplitudes are the
    median and log-spread of the per-video standard deviations; the loudness coupling is the median measured
    slope of angular speed on loudness, calibrated by simulating the fitted process on the same loudness tracks.
    """
    if not tracks:
        raise ValueError("fit_head_motion needs at least one track")
    acs, weights, stds, slopes, resampled = [], [], [], [], []
    for track in tracks:
        angles = _resample(track.angles, track.fps, fps)
        angles = angles - angles.mean(0)
        std = angles.std(0)
        stds.append(std)
        x = angles / np.maximum(std, 1e-6)
        n = len(x)
        acs.append(np.array([[np.mean(x[: n - lag, k] * x[lag:, k]) for lag in range(max_lag)] for k in range(3)]) * n)
        weights.append(n)
        if track.loudness is not None:
            z = loudness_zscore(_resample(track.loudness, track.fps, fps)[:n], n)
            slopes.append(_speed_slope(angles, z, fps))
            resampled.append(z)
    ac = sum(acs) / sum(weights)
    ar = np.array([solve_toeplitz(ac[k, :order], ac[k, 1 : order + 1]) for k in range(3)])
    stds = np.array(stds)
    measured = np.median(np.array(slopes), axis=0) if slopes else np.zeros(3)
    gain = measured.copy()
    if resampled:
        # one correction step: the AR filter smooths the gain, so the simulated slope falls short of the gain
        rng = np.random.default_rng(0)
        simulated = np.median([
            _speed_slope(_ar_filter(ar, rng.standard_normal((len(z), 3)), 1 + np.clip(gain[None] * z[:, None], -0.75, 1.5)), z, fps)
            for z in resampled for _ in range(8)
        ], axis=0)
        gain = np.where(np.abs(simulated) > 1e-3, gain * measured / simulated, gain)
        gain = np.clip(gain, 0.0, 1.0)  # a negative coupling (one odd video) is not worth modelling
    blinks = [t.blinks_per_min for t in tracks if t.blinks_per_min is not None]
    videos = tuple(
        {"name": t.name, "frames": int(len(t.angles)), "fps": round(float(t.fps), 3),
         "std_deg": [round(float(s), 3) for s in std],
         "blinks_per_min": None if t.blinks_per_min is None else round(float(t.blinks_per_min), 1)}
        for t, std in zip(tracks, stds)
    )
    return HeadMotionStats(
        fps=float(fps),
        std_deg=tuple(round(float(v), 4) for v in np.median(stds, axis=0)),
        log_std_spread=tuple(round(float(v), 4) for v in np.log(np.maximum(stds, 1e-3)).std(0)),
        ar=tuple(tuple(round(float(c), 5) for c in row) for row in ar),
        loudness_gain=tuple(round(float(v), 4) for v in gain),
        speed_loudness_slope=tuple(round(float(v), 4) for v in measured),
        blinks_per_min=round(float(np.median(blinks)), 2) if blinks else None,
        videos=videos,
    )


def _ar_filter(ar: np.ndarray, noise: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Run the AR filters of ``ar`` ``(3, p)`` on ``noise * gain`` ``(n, 3)``; returns ``(n, 3)``."""
    return np.stack([lfilter([1.0], np.concatenate([[1.0], -ar[k]]), noise[:, k] * gain[:, k]) for k in range(3)], 1)


class HeadMotionModel:
    """Sample head rotations with the fitted statistics.

    Args:
        stats: fitted statistics (default: the shipped asset).
        epsilon: radius of the style ball in units of the across-speaker spread (OSM-Net's epsilon).
    """

    def __init__(self, stats: HeadMotionStats | None = None, epsilon: float = 1.0):
        self.stats = stats if stats is not None else HeadMotionStats.default()
        self.epsilon = float(epsilon)

    def sample_amplitude(self, rng: np.random.Generator) -> np.ndarray:
        """A speaker's per-axis standard deviation ``(3,)`` in degrees, drawn uniformly inside the style ball."""
        direction = rng.standard_normal(3)
        direction /= max(np.linalg.norm(direction), 1e-12)
        radius = self.epsilon * rng.random() ** (1 / 3)
        return np.asarray(self.stats.std_deg) * np.exp(np.asarray(self.stats.log_std_spread) * radius * direction)

    def sample(
        self,
        num_frames: int,
        fps: float,
        rng: np.random.Generator,
        loudness: np.ndarray | None = None,
        scale: float = 1.0,
    ) -> np.ndarray:
        """Head rotation offsets.

        Args:
            num_frames: frames to produce.
            fps: their rate.
            rng: the random generator (style and noise are drawn from it, in that order).
            loudness: ``(t,)`` loudness of the speech at those frames (any log scale), or ``None``.
            scale: multiplies the amplitude (0 = still).

        Returns:
            ``(t, 3)`` float32 degrees ``(yaw, pitch, roll)``, zero mean over the clip.
        """
        if num_frames == 0:
            return np.zeros((0, 3), np.float32)
        amplitude = self.sample_amplitude(rng)
        stats = self.stats
        n = int(np.ceil(num_frames / fps * stats.fps)) + 2
        burn_in = int(4 * stats.fps)  # start from the stationary distribution, not from rest
        noise = rng.standard_normal((burn_in + n, 3))
        z = loudness_zscore(loudness, num_frames)
        z = np.interp(np.arange(n) / stats.fps, np.arange(num_frames) / fps, z)
        gain = 1 + np.clip(np.asarray(stats.loudness_gain)[None] * z[:, None], -0.75, 1.5)
        gain = np.concatenate([np.ones((burn_in, 3)), gain])
        x = _ar_filter(np.asarray(stats.ar), noise, gain)[burn_in:]
        x -= x.mean(0)
        x *= amplitude / np.maximum(x.std(0), 1e-9) * scale
        out = np.stack([np.interp(np.arange(num_frames) / fps, np.arange(n) / stats.fps, x[:, k]) for k in range(3)], 1)
        return out.astype(np.float32)
