"""SPADE: spatially-adaptive normalisation (Park et al., CVPR 2019), as used by IP-LAP.

IP-LAP (Sec. 3.2.1) injects the 2k+1 target sketches into the alignment module, and (Sec. 3.2.2) the
aggregated warped image and features into the translation module, "by SPADE layers, which modulate the
visual features". SPADE normalises ``x`` without learned affine parameters, then predicts a per-pixel scale
and shift from a condition map resized to ``x``::

    y = norm(x) * (1 + gamma(cond)) + beta(cond)          (Park et al., Eq. 1)

Shapes: b batch, c feature channels, k condition channels, h/w feature size, H/W condition size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["SPADE", "SPADEResBlock"]


class SPADE(ConfigMixin, nn.Module):
    """Spatially-adaptive (de)normalisation.

    Args:
        channels: c, channels of the features to modulate.
        cond_channels: k, channels of the condition map (sketches, warped images, features).
        hidden_channels: width of the shared convolution that embeds the condition.
        kernel_size: odd kernel size of the condition convolutions.
        eps: variance epsilon of the parameter-free instance normalisation.
    """

    def __init__(self, channels: int, cond_channels: int, hidden_channels: int = 128, kernel_size: int = 3,
                 eps: float = 1e-5):
        super().__init__()
        pad = kernel_size // 2
        self.eps = eps
        self.shared = nn.Sequential(nn.Conv2d(cond_channels, hidden_channels, kernel_size, padding=pad), nn.ReLU())
        self.to_gamma = nn.Conv2d(hidden_channels, channels, kernel_size, padding=pad)
        self.to_beta = nn.Conv2d(hidden_channels, channels, kernel_size, padding=pad)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x: (b, c, h, w); cond: (b, k, H, W), resized to (h, w) with nearest neighbour. Returns (b, c, h, w)."""
        if cond.shape[-2:] != x.shape[-2:]:
            cond = F.interpolate(cond, size=x.shape[-2:], mode="nearest")
        normalized = F.instance_norm(x, eps=self.eps)
        hidden = self.shared(cond.to(x.dtype))
        return normalized * (1 + self.to_gamma(hidden)) + self.to_beta(hidden)  # Park et al. Eq. 1


class SPADEResBlock(ConfigMixin, nn.Module):
    """SPADE residual block (Park et al. Fig. 4): [SPADE, LeakyReLU, conv] x 2, learned skip when c changes.

    Args:
        in_channels / out_channels: channels of input and output features.
        cond_channels: channels of the condition map.
        hidden_channels: SPADE's hidden width.
    """

    def __init__(self, in_channels: int, out_channels: int, cond_channels: int, hidden_channels: int = 128):
        super().__init__()
        mid = min(in_channels, out_channels)
        self.norm1 = SPADE(in_channels, cond_channels, hidden_channels)
        self.conv1 = nn.Conv2d(in_channels, mid, 3, padding=1)
        self.norm2 = SPADE(mid, cond_channels, hidden_channels)
        self.conv2 = nn.Conv2d(mid, out_channels, 3, padding=1)
        self.skip = None
        if in_channels != out_channels:
            self.skip_norm = SPADE(in_channels, cond_channels, hidden_channels)
            self.skip = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x: (b, in, h, w); cond: (b, k, H, W). Returns (b, out, h, w)."""
        skip = x if self.skip is None else self.skip(self.skip_norm(x, cond))
        h = self.conv1(F.leaky_relu(self.norm1(x, cond), 0.2))
        h = self.conv2(F.leaky_relu(self.norm2(h, cond), 0.2))
        return skip + h
