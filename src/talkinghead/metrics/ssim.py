"""Structural similarity (SSIM) and its multi-scale form (MS-SSIM).

SSIM: Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment: from error visibility to structural
similarity", IEEE TIP 13(4), 2004, Eq. 13 with the paper's settings: an 11x11 Gaussian window (sigma 1.5),
K1 = 0.01, K2 = 0.03, statistics weighted by the window (no sample-covariance correction). The mean is taken
over the positions where the window fits inside the image ("valid"), and over channels for colour images,
which is what ``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, channel_axis=-1, data_range=R)`` computes (checked in the tests).

MS-SSIM: Wang, Simoncelli & Bovik, "Multiscale structural similarity for image quality assessment",
Asilomar 2003, Eq. 7: contrast-structure terms at five scales (2x2 average pooling between scales) and the
luminance term at the coarsest, weighted by (0.0448, 0.2856, 0.3001, 0.2363, 0.1333). Negative terms are
clamped to 0 before the fractional powers (as common implementations do). Needs images at least 176 pixels
on the short side for five scales.

Reported by IP-LAP, MergeTalk, OSM-Net and ControlTalk (SSIM). Shape legend: b batch, c channels, h height,
w width, k window size.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from talkinghead.errors import InputError
from talkinghead.metrics.frames import per_frame_pairs
from talkinghead.metrics.registry import MetricResult, register_metric

__all__ = ["ssim", "ms_ssim", "ssim_components", "gaussian_window", "MS_SSIM_WEIGHTS"]

#: Per-scale exponents of MS-SSIM (Wang et al. 2003, Sec. 3.1).
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def gaussian_window(win_size: int, sigma: float, *, dtype=torch.float64, device="cpu") -> torch.Tensor:
    """(k,) normalised 1-D Gaussian weights, centred; the 2-D window is its outer product."""
    x = torch.arange(win_size, dtype=dtype, device=device) - (win_size - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def _filter_valid(x: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """Separable 2-D filtering of (b, c, h, w) by ``window`` (k,), keeping only positions where it fits."""
    c = x.shape[1]
    k = window.numel()
    x = F.conv2d(x, window.view(1, 1, 1, k).expand(c, 1, 1, k), groups=c)
    return F.conv2d(x, window.view(1, 1, k, 1).expand(c, 1, k, 1), groups=c)


def ssim_components(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    data_range: float,
    window: torch.Tensor,
    k1: float = 0.01,
    k2: float = 0.03,
    sample_covariance: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Luminance and contrast-structure maps of SSIM (Wang et al. 2004, Eqs. 6 and 9-10 combined).

    Args:
        pred, target: (b, c, h, w) float in [0, data_range] (``target`` may have b = 1).
        window: (k,) 1-D window weights summing to 1.
        sample_covariance: scale (co)variances by n / (n - 1), n = k^2 (scikit-image's default for the
            uniform window).

    Returns:
        ``(l, cs)``, each (b, c, h - k + 1, w - k + 1); SSIM map = l * cs.
    """
    k = window.numel()
    if min(pred.shape[-2:]) < k:
        raise InputError(f"SSIM: images of {tuple(pred.shape[-2:])} pixels are smaller than the {k}x{k} window")
    target = target.expand_as(pred)
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    stats = _filter_valid(torch.cat([pred, target, pred * pred, target * target, pred * target], dim=1), window)
    mu_x, mu_y, e_xx, e_yy, e_xy = stats.chunk(5, dim=1)
    cov_norm = k * k / (k * k - 1) if sample_covariance else 1.0
    var_x = cov_norm * (e_xx - mu_x * mu_x)
    var_y = cov_norm * (e_yy - mu_y * mu_y)
    cov_xy = cov_norm * (e_xy - mu_x * mu_y)
    luminance = (2 * mu_x * mu_y + c1) / (mu_x * mu_x + mu_y * mu_y + c1)
    contrast_structure = (2 * cov_xy + c2) / (var_x + var_y + c2)
    return luminance, contrast_structure


def _window(gaussian: bool, win_size: int | None, sigma: float, like: torch.Tensor) -> torch.Tensor:
    if gaussian:
        size = win_size or 2 * int(3.5 * sigma + 0.5) + 1  # radius 3.5 sigma, as scikit-image: 11 for 1.5
        return gaussian_window(size, sigma, dtype=like.dtype, device=like.device)
    size = win_size or 7
    return torch.full((size,), 1.0 / size, dtype=like.dtype, device=like.device)


def ssim(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    data_range: float = 1.0,
    gaussian: bool = True,
    sigma: float = 1.5,
    win_size: int | None = None,
    k1: float = 0.01,
    k2: float = 0.03,
    sample_covariance: bool = False,
) -> torch.Tensor:
    """Mean SSIM of each image of a batch (Wang et al. 2004).

    Args:
        pred, target: (b, c, h, w) float in [0, data_range]; colour images are scored per channel and averaged.
        gaussian: Gaussian window (11x11, sigma 1.5, the paper's) or, if False, a uniform ``win_size`` window
            (7 by default, scikit-image's default; pair it with ``sample_covariance=True`` to reproduce
            scikit-image's default settings).

    Returns:
        (b,) SSIM in [-1, 1], 1 for equal images, in the inputs' dtype and device.
    """
    window = _window(gaussian, win_size, sigma, pred)
    luminance, cs = ssim_components(
        pred, target, data_range=data_range, window=window, k1=k1, k2=k2, sample_covariance=sample_covariance
    )
    return (luminance * cs).mean(dim=(1, 2, 3))


def ms_ssim(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    data_range: float = 1.0,
    weights: tuple[float, ...] = MS_SSIM_WEIGHTS,
    sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
) -> torch.Tensor:
    """MS-SSIM of each image of a batch (Wang et al. 2003, Eq. 7).

    Args:
        pred, target: (b, c, h, w) float in [0, data_range].
        weights: exponent per scale, finest first; ``len(weights)`` scales. With ``(1.0,)`` it equals
            :func:`ssim` with the Gaussian window.

    Returns:
        (b,) MS-SSIM in [0, 1], 1 for equal images.
    """
    window = _window(True, None, sigma, pred)
    k = window.numel()
    scales = len(weights)
    min_side = k * 2 ** (scales - 1)
    if min(pred.shape[-2:]) < min_side:
        raise InputError(
            f"MS-SSIM with {scales} scales needs images of at least {min_side} pixels on the short side, "
            f"got {tuple(pred.shape[-2:])}; upscale the frames or use SSIM"
        )
    target = target.expand_as(pred)
    w = torch.tensor(weights, dtype=pred.dtype, device=pred.device)
    terms = []
    for scale in range(scales):
        luminance, cs = ssim_components(pred, target, data_range=data_range, window=window, k1=k1, k2=k2)
        if scale == scales - 1:
            terms.append((luminance * cs).mean(dim=(2, 3)))  # coarsest scale: the full SSIM term
        else:
            terms.append(cs.mean(dim=(2, 3)))
            pred = F.avg_pool2d(pred, 2)
            target = F.avg_pool2d(target, 2)
    stacked = torch.stack(terms, dim=-1).clamp(min=0)  # (b, c, scales)
    return (stacked**w).prod(dim=-1).mean(dim=1)


@register_metric(
    "ssim",
    kind="frame_pair",
    inputs=("pred", "ref"),
    higher_is_better=True,
    definition="""Structural similarity between each generated frame and its ground-truth frame: 11x11
    Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, data range 255, mean over valid window positions and
    the three RGB channels; averaged over frames.""",
    reference="Wang, Bovik, Sheikh & Simoncelli, Image quality assessment: from error visibility to structural "
    "similarity, IEEE TIP 13(4), 2004.",
    papers=("ip_lap", "mergetalk", "osm_net", "controltalk"),
)
def ssim_metric(*, pred: np.ndarray, ref: np.ndarray) -> MetricResult:
    values = per_frame_pairs(ssim, pred, ref)
    return MetricResult({"ssim": float(values.mean())}, per_frame={"ssim": values})


@register_metric(
    "ms_ssim",
    kind="frame_pair",
    inputs=("pred", "ref"),
    higher_is_better=True,
    definition="""Multi-scale SSIM between each generated frame and its ground-truth frame: five scales
    (2x2 average pooling), weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), 11x11 Gaussian window, per RGB
    channel then averaged; averaged over frames. Frames need at least 176 pixels on the short side.""",
    reference="Wang, Simoncelli & Bovik, Multiscale structural similarity for image quality assessment, "
    "Asilomar Conference on Signals, Systems and Computers, 2003.",
)
def ms_ssim_metric(*, pred: np.ndarray, ref: np.ndarray) -> MetricResult:
    values = per_frame_pairs(ms_ssim, pred, ref)
    return MetricResult({"ms_ssim": float(values.mean())}, per_frame={"ms_ssim": values})
