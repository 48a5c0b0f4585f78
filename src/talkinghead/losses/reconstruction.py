"""Pixel reconstruction losses, optionally restricted to a mask.

The L1 reconstruction terms of every paper: IP-LAP Eq. 10 (on landmarks, see ``landmark.py``), MergeTalk Eq. 3
(L_recon), OSM-Net Eq. 12 (L_rec), VividTalk Eq. 11 (L_bso); ControlTalk (Sec. 3.4, Fig. 3) compares the
generated and source frames outside the mouth region only, hence the mask.

Shapes: b batch, c channels, ``*`` any further dims; masks broadcast against the inputs.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MaskedL1Loss", "masked_mean"]


def masked_mean(values: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Mean of ``values`` where ``mask`` (broadcastable, in [0, 1]) is on; plain mean without a mask."""
    if mask is None:
        return values.mean()
    mask = mask.to(values.dtype).expand_as(values)
    return (values * mask).sum() / mask.sum().clamp(min=1.0)


class MaskedL1Loss(nn.Module):
    """Mean absolute error, over the whole tensor or where ``mask`` is 1 (soft masks weight pixels)."""

    def forward(self, prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """prediction, target: (b, c, *); mask: broadcastable to them, e.g. (b, 1, h, w). Returns a scalar."""
        return masked_mean((prediction - target).abs(), mask)
