"""Modulated convolution with weight demodulation (Karras et al., StyleGAN2, CVPR 2020, Sec. 2.2).

MergeTalk's generator (Sec. II-C) is "a generator adapted from StyleGAN2 [16]" driven by W+ latents. Each
sample's style vector scales the input channels of the convolution weight, and demodulation rescales every
output channel to unit expected norm::

    w'_ijk  = s_i * w_ijk                                   (StyleGAN2 Eq. 1)
    w''_ijk = w'_ijk / sqrt(sum_{i,k} w'_ijk^2 + eps)       (StyleGAN2 Eq. 3)

Weights use the equalised learning rate (runtime scale 1/sqrt(fan_in)); the style affine starts with bias 1
so the initial modulation is the identity. The per-sample weights run as one grouped convolution.
``upsample=True`` doubles the size with bilinear interpolation before the convolution (a simplification of
StyleGAN2's transposed convolution + FIR blur). :class:`StyledConv2d` adds StyleGAN2's noise, bias and
scaled leaky ReLU; its noise is an explicit input, never drawn inside.

Shapes: b batch, i/o input/output channels, k kernel size, s style size, h/w size.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["ModulatedConv2d", "StyledConv2d"]


class ModulatedConv2d(ConfigMixin, nn.Module):
    """Style-modulated (and demodulated) convolution: (b, i, h, w), (b, s) -> (b, o, h', w').

    Args:
        in_channels / out_channels: i / o.
        kernel_size: odd k.
        style_dim: s, size of the style (w) vector.
        demodulate: apply Eq. 3 (off for ToRGB layers).
        upsample: double h and w before the convolution.
        eps: demodulation epsilon.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, style_dim: int,
                 demodulate: bool = True, upsample: bool = False, eps: float = 1e-8):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.scale = 1.0 / math.sqrt(in_channels * kernel_size**2)  # equalised learning rate
        self.affine = nn.Linear(style_dim, in_channels)
        nn.init.ones_(self.affine.bias)
        self.demodulate = demodulate
        self.upsample = upsample
        self.eps = eps
        self.padding = kernel_size // 2

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """x: (b, i, h, w); style: (b, s). Returns (b, o, h, w), or (b, o, 2h, 2w) with ``upsample``."""
        b, i, _, _ = x.shape
        s = self.affine(style.to(x.dtype))  # (b, i)
        weight = self.scale * self.weight[None] * s[:, None, :, None, None]  # Eq. 1: (b, o, i, k, k)
        if self.demodulate:
            # Eq. 3, in float32: the sum of squares under/overflows in half precision.
            norm = torch.rsqrt(weight.float().square().sum(dim=(2, 3, 4), keepdim=True) + self.eps)
            weight = weight * norm.to(weight.dtype)
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        h, w = x.shape[-2:]
        out = F.conv2d(x.reshape(1, b * i, h, w), weight.reshape(-1, i, *weight.shape[-2:]),
                       padding=self.padding, groups=b)
        return out.reshape(b, -1, *out.shape[-2:])


class StyledConv2d(ConfigMixin, nn.Module):
    """StyleGAN2 synthesis layer: modulated conv, + noise * learned strength, + bias, leaky ReLU * sqrt(2).

    Args: as :class:`ModulatedConv2d` (always demodulated).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, style_dim: int,
                 upsample: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, kernel_size, style_dim, upsample=upsample)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, style: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        """x: (b, i, h, w); style: (b, s); noise: (b, 1, h', w') or None. Returns (b, o, h', w')."""
        out = self.conv(x, style)
        if noise is not None:
            out = out + self.noise_strength * noise.to(out.dtype)
        out = out + self.bias[None, :, None, None]
        return F.leaky_relu(out, 0.2) * math.sqrt(2.0)
