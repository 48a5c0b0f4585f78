"""FID: the Fréchet distance between Gaussians fitted to Inception features of two sets of frames.

Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter, "GANs Trained by a Two Time-Scale Update Rule Converge
to a Local Nash Equilibrium", NeurIPS 2017, Eq. 6:

    d^2 = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2))

computed here as Tr((S_1 S_2)^(1/2)) = sum of the square roots of the eigenvalues of S_1^(1/2) S_2 S_1^(1/2),
a symmetric positive semi-definite matrix, which avoids the complex round-off of a general matrix square root.
Features: 2048-d pool3 of :class:`~talkinghead.metrics.inception.FIDInceptionV3` with the user's weight file.
Reported by IP-LAP, VividTalk and ControlTalk. FID is biased with few samples: compare values computed on
the same number of frames, thousands where possible. Shape legend: n samples, d feature dimension.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch

from talkinghead.errors import InputError
from talkinghead.metrics.frames import frames_to_tensor, iter_frame_batches
from talkinghead.metrics.inception import load_fid_inception
from talkinghead.metrics.registry import MetricResult, WeightFile, register_metric
from talkinghead.metrics.weights import cached_model

__all__ = ["GaussianStats", "frechet_distance", "feature_statistics", "inception_statistics"]


@dataclass(frozen=True)
class GaussianStats:
    """Mean (d,) and covariance (d, d), float64, of n feature vectors."""

    mean: np.ndarray
    cov: np.ndarray
    count: int


def feature_statistics(features: np.ndarray) -> GaussianStats:
    """Mean and unbiased covariance (ddof 1, as the FID reference code) of (n, d) features, n >= 2."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise InputError(f"FID: need at least 2 feature vectors (n, d), got shape {features.shape}")
    return GaussianStats(features.mean(axis=0), np.cov(features, rowvar=False), len(features))


def _sqrtm_psd(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix by eigendecomposition."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(a: GaussianStats, b: GaussianStats) -> float:
    """Squared Fréchet (2-Wasserstein) distance between N(a.mean, a.cov) and N(b.mean, b.cov) (Eq. 6)."""
    if a.mean.shape != b.mean.shape:
        raise InputError(f"FID: feature sizes differ ({a.mean.shape} vs {b.mean.shape})")
    root_a = _sqrtm_psd(a.cov)
    middle = root_a @ b.cov @ root_a
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    diff = a.mean - b.mean
    return float(diff @ diff + np.trace(a.cov) + np.trace(b.cov) - 2 * trace_sqrt)


def inception_statistics(
    model: torch.nn.Module,
    frames: np.ndarray | Iterable[np.ndarray],
    *,
    batch_size: int = 32,
    device: torch.device | str = "cpu",
) -> GaussianStats:
    """Feature statistics of a set of frames, streamed in batches (memory does not grow with n).

    Args:
        model: maps (b, 3, h, w) float [0, 1] RGB to (b, d) features (:class:`FIDInceptionV3`).
        frames: (n, h, w, 3) uint8 RGB, or an iterable of such arrays (videos of different sizes are fine).
    """
    total = None
    outer = None
    count = 0
    with torch.inference_mode():
        for batch in iter_frame_batches(frames, batch_size):
            feats = model(frames_to_tensor(batch, device=device)).double().cpu().numpy()
            total = feats.sum(axis=0) if total is None else total + feats.sum(axis=0)
            outer = feats.T @ feats if outer is None else outer + feats.T @ feats
            count += len(feats)
    if count < 2:
        raise InputError(f"FID: need at least 2 frames per set, got {count}")
    mean = total / count
    cov = (outer - count * np.outer(mean, mean)) / (count - 1)
    return GaussianStats(mean, cov, count)


@register_metric(
    "fid",
    kind="distribution",
    inputs=("pred", "ref"),
    higher_is_better=False,
    definition="""Fréchet Inception Distance between the generated frames and the real frames: Gaussians
    fitted to 2048-d Inception-v3 pool3 features (frames resized to 299x299 bilinear, RGB in [-1, 1]),
    ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)). Biased at small sample sizes: compare at equal counts.""",
    reference="Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter, GANs Trained by a Two Time-Scale Update "
    "Rule Converge to a Local Nash Equilibrium, NeurIPS 2017.",
    papers=("ip_lap", "vividtalk", "controltalk"),
    weights=(
        WeightFile(
            "fid_inception",
            "Inception-v3 FID weights, pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (plain state dict)",
        ),
    ),
)
def fid_metric(*, pred, ref, fid_inception: str | os.PathLike, device="cpu") -> MetricResult:
    model = cached_model(load_fid_inception, fid_inception).to(device)
    a = inception_statistics(model, pred, device=device)
    b = inception_statistics(model, ref, device=device)
    return MetricResult({"fid": frechet_distance(a, b)}, details={"pred_frames": a.count, "ref_frames": b.count})
