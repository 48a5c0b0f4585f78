"""Gram-matrix style loss (Gatys et al. 2016; Johnson et al. 2016), as used by IP-LAP and OSM-Net.

IP-LAP (Eq. 19) and OSM-Net (Eq. 14)::

    L_s = sum_i || G_i^phi(x) - G_i^phi(y) ||_1,     G^phi = phi phi^T / (c h w)

where phi_i is a feature map (c channels, h w positions) of the feature extractor: VGG-19 with user weights,
or the weight-free pyramid features (then the loss matches gradient and band statistics, not VGG style).

Shapes: b batch, c channels, h/w size.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["gram_matrix", "GramStyleLoss"]


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """(b, c, h, w) -> (b, c, c) channel correlations, normalised by c*h*w, in float32."""
    b, c = features.shape[:2]
    flat = features.float().reshape(b, c, -1)
    return flat @ flat.transpose(1, 2) / flat[0].numel()


class GramStyleLoss(nn.Module):
    """Sum over feature maps of the mean absolute difference of Gram matrices.

    Args:
        features: the feature extractor (share the perceptual loss's module to avoid a second copy).
    """

    def __init__(self, features: nn.Module):
        super().__init__()
        self.features = features

    @staticmethod
    def compare(features_x: Sequence[torch.Tensor], features_y: Sequence[torch.Tensor]) -> torch.Tensor:
        """The loss from precomputed feature lists (shared with the perceptual loss)."""
        return sum((gram_matrix(fx) - gram_matrix(fy.detach())).abs().mean()
                   for fx, fy in zip(features_x, features_y, strict=True))

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """prediction / target: (b, 3, h, w) in [0, 1]. Returns a scalar."""
        return self.compare(self.features(prediction), self.features(target))
