"""Multi-head self-attention (Vaswani et al., NeurIPS 2017) over sequences and feature maps.

Used by IP-LAP's transformer (Sec. 3.1.1, Eq. 7: MSA), MergeTalk's motion networks ("MLP, GRU and SAM",
Sec. II-B) and MergeBlock (Sec. II-C, Fig. 3: "a SAM or a convolutional operation" on feature maps), and
VividTalk's transformers (Sec. 3.2). Attention runs through ``F.scaled_dot_product_attention``, which picks
a fused kernel on GPU.

Shapes: b batch, n tokens, d model size, h heads, c channels, H/W feature-map size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["MultiHeadSelfAttention", "SelfAttention2d"]


class MultiHeadSelfAttention(ConfigMixin, nn.Module):
    """Self-attention over tokens: (b, n, d) -> (b, n, d).

    Args:
        dim: d, token size (divisible by ``heads``).
        heads: number of heads.
        dropout: attention dropout in training (draws from torch's global generator, seeded per rank).
    """

    def __init__(self, dim: int, heads: int = 8, dropout: float = 0.0):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by heads {heads}")
        self.heads = heads
        self.dropout = dropout
        self.to_qkv = nn.Linear(dim, 3 * dim)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: (b, n, d); mask: (b, n) bool, True for tokens that may be attended to. Returns (b, n, d)."""
        q, k, v = rearrange(self.to_qkv(x), "b n (three h e) -> three b h n e", three=3, h=self.heads)
        attn_mask = None if mask is None else mask[:, None, None, :].to(torch.bool)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask,
                                             dropout_p=self.dropout if self.training else 0.0)
        return self.to_out(rearrange(out, "b h n e -> b n (h e)"))


class SelfAttention2d(ConfigMixin, nn.Module):
    """Self-attention among the positions of a feature map: (b, c, H, W) -> (b, c, H, W).

    The MergeBlock's SAM (MergeTalk Sec. II-C): every position attends to every other one. No residual and no
    normalisation inside: the caller composes them (MergeBlock: LayerNorm, then SAM, summed by skip connections).

    Args:
        channels: c (divisible by ``heads``).
        heads: number of heads.
    """

    def __init__(self, channels: int, heads: int = 1):
        super().__init__()
        self.attention = MultiHeadSelfAttention(channels, heads)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (b, c, H, W). Returns (b, c, H, W)."""
        h, w = x.shape[-2:]
        tokens = self.attention(rearrange(x, "b c h w -> b (h w) c"))
        return rearrange(tokens, "b (h w) c -> b c h w", h=h, w=w)
