"""Normalisation layers chosen by name, shared by the residual blocks and discriminators.

Shapes: b batch, c channels; 1D layers take (b, c, t), 2D layers (b, c, h, w).
"""

from __future__ import annotations

import math
from typing import Literal

from torch import nn

__all__ = ["Norm", "norm_layer"]

Norm = Literal["batch", "instance", "group", "none"]


def norm_layer(kind: Norm, channels: int, spatial_dims: int = 2, affine: bool = True) -> nn.Module:
    """A normalisation layer over c channels.

    Args:
        kind: ``batch``, ``instance``, ``group`` (gcd(32, c) groups) or ``none`` (identity).
        channels: c.
        spatial_dims: 1 or 2.
        affine: learned scale and shift for instance norm (pix2pixHD's discriminator uses none).
    """
    if kind == "batch":
        return (nn.BatchNorm1d if spatial_dims == 1 else nn.BatchNorm2d)(channels)
    if kind == "instance":
        return (nn.InstanceNorm1d if spatial_dims == 1 else nn.InstanceNorm2d)(channels, affine=affine)
    if kind == "group":
        return nn.GroupNorm(math.gcd(32, channels), channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}; use batch, instance, group or none")
