"""AdaIN: adaptive instance normalisation (Huang & Belongie, ICCV 2017), as used by IP-LAP and OSM-Net.

IP-LAP (Sec. 3.2.2): "the auditory feature a_t is injected into the translation module through AdaIN
layers". OSM-Net's conditional auto-encoder (Sec. III-C) conditions the decoder the same way. The feature map
is normalised per sample and channel, then scaled and shifted by values predicted from a vector::

    y = (1 + gamma(z)) * (x - mean(x)) / std(x) + beta(z)      (Huang & Belongie, Eq. 8)

``gamma`` is predicted as a residual around 1 so a freshly initialised layer is close to plain instance norm.

Shapes: b batch, c channels, d condition size, ``*s`` any spatial dims (t for 1D, h w for 2D).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["AdaIN"]


class AdaIN(ConfigMixin, nn.Module):
    """Adaptive instance normalisation conditioned on a vector.

    Args:
        channels: c, channels of the feature map.
        cond_dim: d, size of the condition vector (e.g. the audio embedding a_t).
        eps: variance epsilon.
    """

    def __init__(self, channels: int, cond_dim: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.to_scale_shift = nn.Linear(cond_dim, 2 * channels)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x: (b, c, *s) with more than one spatial element; cond: (b, d). Returns (b, c, *s)."""
        gamma, beta = self.to_scale_shift(cond.to(x.dtype)).chunk(2, dim=-1)
        shape = (*gamma.shape, *([1] * (x.ndim - 2)))
        return F.instance_norm(x, eps=self.eps) * (1 + gamma.reshape(shape)) + beta.reshape(shape)
