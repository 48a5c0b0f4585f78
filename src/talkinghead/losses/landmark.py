"""Landmark losses: per-frame L1 (IP-LAP Eq. 10), temporal continuity (IP-LAP Eq. 11), weighted L2 (OSM-Net Eq. 9).

IP-LAP::

    L_1 = 1/T sum_t ( ||l_hat_t - l_t||_1 )                                      (Eq. 10)
    L_c = 1/(T-1) sum_t ||(l_hat_{t+1} - l_hat_t) - (l_{t+1} - l_t)||_2          (Eq. 11)

(Eq. 10 and 11 sum a lip and a jaw term; call the loss once per group, or on the concatenation.)
OSM-Net, with weight 20 on inner-mouth and nose points and 1 elsewhere::

    L_ldmk = 1/N sum_n w_n ||p_tilde_n - p_n||^2                                   (Eq. 9)

Shapes: b batch, t frames, n landmarks, c coordinates (2 or 3). Inputs (b, t, n, c) or, without time,
(b, n, c).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["LandmarkL1Loss", "LandmarkContinuityLoss", "WeightedLandmarkLoss"]


class LandmarkL1Loss(nn.Module):
    """IP-LAP Eq. 10: the L1 norm of each frame's landmark error (summed over landmarks and coordinates),
    averaged over frames and batch."""

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """prediction / target: (b, t, n, c). Returns a scalar."""
        return (prediction.float() - target.float()).abs().flatten(-2).sum(-1).mean()


class LandmarkContinuityLoss(nn.Module):
    """IP-LAP Eq. 11: L2 norm of the error in frame-to-frame landmark motion, averaged over the T-1 steps."""

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """prediction / target: (b, t, n, c) with t >= 2. Returns a scalar."""
        if prediction.shape[1] < 2:
            raise ValueError("the continuity loss needs at least 2 frames")
        delta = prediction.float().diff(dim=1) - target.float().diff(dim=1)
        return delta.flatten(-2).norm(dim=-1).mean()


class WeightedLandmarkLoss(nn.Module):
    """OSM-Net Eq. 9: squared landmark distance weighted per landmark, averaged over landmarks.

    Args:
        weights: (n,) per-landmark weights (OSM-Net: 20 for inner mouth and nose, 1 elsewhere).
    """

    def __init__(self, weights: torch.Tensor):
        super().__init__()
        self.register_buffer("weights", torch.as_tensor(weights, dtype=torch.float32), persistent=False)

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """prediction / target: (..., n, c). Returns a scalar."""
        squared = (prediction.float() - target.float()).square().sum(-1)  # (..., n)
        return (squared * self.weights.to(squared.device)).mean()
