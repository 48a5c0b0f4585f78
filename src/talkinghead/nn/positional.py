"""Sinusoidal position encodings (Vaswani et al., NeurIPS 2017, Sec. 3.5), as used by IP-LAP.

IP-LAP (Sec. 3.1.1): "temporal positional encoding of the t-th frame e_t^pos is calculated following the
sinusoidal positional encoding"::

    PE(t, 2i)   = sin(t / base^(2i / d))
    PE(t, 2i+1) = cos(t / base^(2i / d))

Shapes: n positions, d encoding size.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["sinusoidal_positions", "SinusoidalPositionalEncoding"]


def sinusoidal_positions(positions: torch.Tensor, dim: int, base: float = 10000.0) -> torch.Tensor:
    """Encode ``positions`` (n,) (integer or fractional) as (n, dim) float32, interleaved sin/cos.

    ``dim`` must be even. Computed in float32 on the device of ``positions``.
    """
    if dim % 2:
        raise ValueError(f"sinusoidal encoding size must be even, got {dim}")
    positions = positions.to(torch.float32)
    freqs = torch.exp(torch.arange(0, dim, 2, device=positions.device, dtype=torch.float32) * (-math.log(base) / dim))
    angles = positions[:, None] * freqs[None, :]
    encoding = torch.stack([angles.sin(), angles.cos()], dim=-1)  # (n, d/2, 2): sin at 2i, cos at 2i+1
    return encoding.reshape(positions.shape[0], dim)


class SinusoidalPositionalEncoding(nn.Module):
    """Adds sinusoidal encodings of ``positions`` to tokens; no parameters, no buffers.

    Positions below zero get no encoding (IP-LAP Eq. 6: reference tokens carry only a modality encoding).
    """

    def __init__(self, dim: int, base: float = 10000.0):
        super().__init__()
        self.dim = dim
        self.base = base

    def forward(self, tokens: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """tokens: (b, n, d); positions: (n,) or (b, n) long/float. Returns (b, n, d) in tokens' dtype."""
        flat = positions.reshape(-1).to(tokens.device)
        encoding = sinusoidal_positions(flat.clamp(min=0), self.dim, self.base)
        encoding = encoding * (flat >= 0).to(encoding.dtype)[:, None]
        encoding = encoding.reshape(*positions.shape, self.dim)
        return tokens + encoding.to(tokens.dtype)
