"""Vector quantiser with a straight-through gradient (van den Oord et al., VQ-VAE, NeurIPS 2017).

VividTalk's learnable head-pose codebook (Sec. 3.2, Eq. 5) maps every latent vector to its nearest code::

    Z_q = q(z) = argmin_{z_k in Z} || z - z_k ||

"due to the quantization function (5) is not differentiable, we apply a straight-through gradient estimator
[2] that copies the gradients from the decoder to the encoder" (Sec. 3.4). The output ``quantized`` equals
``codes`` in value but passes gradients to ``z`` unchanged; ``codes`` carries gradients to the codebook. The
codebook and commitment terms of Eqs. 12-13 are :class:`talkinghead.losses.VQLoss`, applied to ``z`` and
``codes``. Freeze the codebook in VividTalk's mapping phase with ``requires_grad_(False)``.

Shapes: ``*`` any leading dims, d code size, K number of codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["VectorQuantizer", "QuantizerOutput"]


@dataclass
class QuantizerOutput:
    """What :class:`VectorQuantizer` returns.

    Attributes:
        quantized: (*, d) codes in value, gradient straight through to the input (feed the decoder this).
        codes: (*, d) the chosen codebook rows, gradient to the codebook (for the codebook loss).
        indices: (*,) long, index of each chosen code in [0, K).
    """

    quantized: torch.Tensor
    codes: torch.Tensor
    indices: torch.Tensor


class VectorQuantizer(ConfigMixin, nn.Module):
    """Nearest-code quantisation with straight-through gradients (VividTalk Eq. 5).

    Args:
        num_codes: K.
        dim: d, size of each code.
    """

    def __init__(self, num_codes: int, dim: int):
        super().__init__()
        self.codebook = nn.Embedding(num_codes, dim)
        nn.init.uniform_(self.codebook.weight, -1.0 / num_codes, 1.0 / num_codes)

    def forward(self, z: torch.Tensor) -> QuantizerOutput:
        """z: (*, d) latents. Returns :class:`QuantizerOutput`."""
        indices = self.nearest(z)
        codes = self.codebook(indices).to(z.dtype)
        quantized = z + (codes - z).detach()  # straight-through estimator (Bengio et al. 2013)
        return QuantizerOutput(quantized=quantized, codes=codes, indices=indices)

    @torch.no_grad()
    def nearest(self, z: torch.Tensor) -> torch.Tensor:
        """Index of the nearest code for each vector of z (*, d), computed in float32. Returns (*,) long."""
        flat = z.detach().reshape(-1, z.shape[-1]).float()
        book = self.codebook.weight.float()
        # ||z - e||^2 = ||z||^2 - 2 z.e + ||e||^2; the ||z||^2 term does not change the argmin.
        distances = book.square().sum(-1)[None, :] - 2 * flat @ book.t()
        return distances.argmin(dim=-1).reshape(z.shape[:-1])

    def lookup(self, indices: torch.Tensor) -> torch.Tensor:
        """Codes for indices (*,) long. Returns (*, d)."""
        return self.codebook(indices)
