"""Codebook and commitment losses of a vector quantiser (van den Oord et al. 2017; VividTalk Eqs. 12-13).

VividTalk's reconstruction phase (Eq. 12)::

    L_rec = ||P - P_hat||^2 + ||sg(E(P)) - z_q||^2 + ||sg(z_q) - E(P)||^2
                              ^ codebook term        ^ commitment term

and its mapping phase (Eq. 13) keeps only a commitment-like term ``||Z_hat - sg(Z_q)||^2`` (the codebook is
frozen): use ``VQLoss(codebook_weight=0.0)``. The reconstruction term ``||P - P_hat||^2`` is the method's own.
The classic VQ-VAE weights the commitment term by beta = 0.25; VividTalk writes both with weight 1.

Shapes: ``*`` any dims; ``z`` and ``codes`` share them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["VQLoss"]


class VQLoss(nn.Module):
    """``codebook_weight * ||sg(z) - codes||^2 + commitment_weight * ||z - sg(codes)||^2`` (mean squared).

    Args:
        codebook_weight: weight of the term that moves codes towards encoder outputs (0 when frozen).
        commitment_weight: weight of the term that keeps encoder outputs near their codes (VQ-VAE's beta).
    """

    def __init__(self, codebook_weight: float = 1.0, commitment_weight: float = 1.0):
        super().__init__()
        self.codebook_weight = codebook_weight
        self.commitment_weight = commitment_weight

    def forward(self, z: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """z: (*, d) encoder output before quantisation; codes: (*, d) ``QuantizerOutput.codes``. Returns a scalar."""
        z, codes = z.float(), codes.float()
        loss = self.commitment_weight * F.mse_loss(z, codes.detach())
        if self.codebook_weight:
            loss = loss + self.codebook_weight * F.mse_loss(codes, z.detach())
        return loss
