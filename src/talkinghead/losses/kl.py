"""Kullback-Leibler divergences: between categorical weights (OSM-Net) and of a Gaussian posterior (VAE).

OSM-Net (Sec. III-A2, Eq. 4) aligns the motion-basis weights predicted from audio with those from video::

    L_KL = D_KL(w_m || w_m^a) = sum_s w_m^s (log w_m^s - log w_m^{a,s})

where both are distributions over the S motion bases (softmax attention weights, Eq. 2). VividTalk's
dual-branch motion-VAE (Sec. 3.3) regularises its posterior with the Gaussian KL (Kingma & Welling 2014)::

    D_KL(N(mu, sigma^2) || N(0, 1)) = -1/2 sum (1 + log sigma^2 - mu^2 - sigma^2)

Shapes: b batch, s categories, d latent size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["CategoricalKLLoss", "GaussianKLLoss"]


class CategoricalKLLoss(nn.Module):
    """D_KL(target || prediction) over the last dim, summed over categories, averaged over the rest."""

    def forward(self, target: torch.Tensor, prediction_logits: torch.Tensor) -> torch.Tensor:
        """target: (..., s) probabilities (OSM-Net w_m); prediction_logits: (..., s) unnormalised log-probs
        (w_m^a before its softmax). Returns a scalar >= 0."""
        log_prediction = F.log_softmax(prediction_logits.float(), dim=-1)
        kl = F.kl_div(log_prediction, target.float(), reduction="none").sum(-1)  # Eq. 4
        return kl.mean()


class GaussianKLLoss(nn.Module):
    """KL of a diagonal Gaussian posterior from N(0, I), summed over the latent, averaged over the batch."""

    def forward(self, mean: torch.Tensor, log_variance: torch.Tensor) -> torch.Tensor:
        """mean / log_variance: (b, d...) posterior parameters. Returns a scalar >= 0."""
        mean, log_variance = mean.float(), log_variance.float()
        kl = -0.5 * (1 + log_variance - mean.square() - log_variance.exp())
        return kl.flatten(1).sum(-1).mean()
