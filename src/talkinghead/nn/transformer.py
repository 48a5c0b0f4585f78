"""Pre-LN transformer encoder with sinusoidal positions and modality embeddings (IP-LAP Sec. 3.1.1).

IP-LAP's landmark generator adds to each token a learnable modality ("type") vector and, for audio and pose
tokens, the sinusoidal encoding of its frame (Eqs. 4-6)::

    a_t + e_t^pos + e_a^type,   p_t + e_t^pos + e_p^type,   r_i + e_r^type

then runs L pre-LN layers (Eq. 7)::

    z' = MSA(LN(z)) + z,    z = MLP(LN(z')) + z'

A final LayerNorm closes the stack (pre-LN encoders need it). Give ``positions`` below zero to tokens that
carry no position (IP-LAP's reference tokens).

Shapes: b batch, n tokens, d model size, m number of modalities.
"""

from __future__ import annotations

import torch
from torch import nn

from talkinghead.nn.attention import MultiHeadSelfAttention
from talkinghead.nn.positional import SinusoidalPositionalEncoding
from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


class TransformerEncoderLayer(ConfigMixin, nn.Module):
    """One pre-LN layer (IP-LAP Eq. 7): (b, n, d) -> (b, n, d).

    Args:
        dim: d.
        heads: attention heads.
        mlp_ratio: hidden size of the MLP over d.
        dropout: dropout after attention and in the MLP (training only).
    """

    def __init__(self, dim: int, heads: int = 8, mlp_ratio: float = 4.0, dropout: float = 0.0):
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim)
        self.attention = MultiHeadSelfAttention(dim, heads, dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, z: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """z: (b, n, d); mask: (b, n) bool, True for real tokens. Returns (b, n, d)."""
        z = z + self.drop(self.attention(self.norm1(z), mask))  # Eq. 7, first line
        return z + self.drop(self.mlp(self.norm2(z)))  # Eq. 7, second line


class TransformerEncoder(ConfigMixin, nn.Module):
    """Token encoder with modality and sinusoidal position encodings (IP-LAP Eqs. 4-7).

    Args:
        dim: d, token size.
        depth: L, number of layers.
        heads: attention heads.
        mlp_ratio: MLP hidden size over d.
        dropout: dropout (training only).
        num_modalities: m learnable type vectors (0: no modality encoding).
    """

    def __init__(self, dim: int, depth: int, heads: int = 8, mlp_ratio: float = 4.0, dropout: float = 0.0,
                 num_modalities: int = 0):
        super().__init__()
        self.positional = SinusoidalPositionalEncoding(dim)
        self.modality = nn.Embedding(num_modalities, dim) if num_modalities else None
        if self.modality is not None:
            nn.init.normal_(self.modality.weight, std=0.02)
        self.layers = nn.ModuleList(TransformerEncoderLayer(dim, heads, mlp_ratio, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)

    def forward(self, tokens: torch.Tensor, modality: torch.Tensor | None = None,
                positions: torch.Tensor | None = None, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Encode tokens.

        Args:
            tokens: (b, n, d) embeddings (a_t, p_t, r_i).
            modality: (n,) or (b, n) long in [0, m): type of each token (Eqs. 4-6, e^type).
            positions: (n,) or (b, n): frame index of each token, < 0 for none (e^pos).
            mask: (b, n) bool, True for real tokens, False for padding.

        Returns:
            (b, n, d) encoded tokens z^L.
        """
        z = tokens
        if positions is not None:
            z = self.positional(z, positions)
        if modality is not None:
            if self.modality is None:
                raise ValueError("modality ids given to a TransformerEncoder built with num_modalities=0")
            z = z + self.modality(modality.to(z.device)).to(z.dtype)
        for layer in self.layers:
            z = layer(z, mask)
        return self.norm(z)
