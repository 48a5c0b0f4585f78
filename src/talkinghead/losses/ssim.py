"""Structural similarity (Wang et al., IEEE TIP 2004), a differentiable image-quality term.

SSIM compares local means, variances and covariance in a Gaussian window (11 x 11, sigma 1.5)::

    SSIM = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))

with C1 = (0.01 L)^2, C2 = (0.03 L)^2 for data range L. IP-LAP and OSM-Net report SSIM as a metric; here it
also serves the weight-free perceptual loss (see ``perceptual.py``). Computed in float32.

Shapes: b batch, c channels, h/w size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["ssim"]


def _gaussian_window(size: int, sigma: float, device: torch.device) -> torch.Tensor:
    coords = torch.arange(size, device=device, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    return g / g.sum()


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0, window_size: int = 11,
         sigma: float = 1.5) -> torch.Tensor:
    """Mean SSIM of x and y, both (b, c, h, w) in [0, data_range]. Returns a scalar in [-1, 1].

    The window shrinks (odd size) for images smaller than ``window_size``.
    """
    x, y = x.float(), y.float()
    c = x.shape[1]
    size = min(window_size, *x.shape[-2:])
    size -= 1 - size % 2
    g = _gaussian_window(size, sigma, x.device)

    def blur(t: torch.Tensor) -> torch.Tensor:  # separable Gaussian, valid padding
        t = F.conv2d(t, g.view(1, 1, 1, -1).expand(c, 1, 1, size), groups=c)
        return F.conv2d(t, g.view(1, 1, -1, 1).expand(c, 1, size, 1), groups=c)

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x.square()
    var_y = blur(y * y) - mu_y.square()
    cov = blur(x * y) - mu_x * mu_y
    score = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x.square() + mu_y.square() + c1) * (var_x + var_y + c2))
    return score.mean()
