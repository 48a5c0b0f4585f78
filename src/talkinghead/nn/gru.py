"""GRU sequence encoder (Cho et al., 2014; Chung et al., 2014), as used by MergeTalk.

MergeTalk (Sec. II-B, Fig. 2): the expression and pose networks are "an encoder consisting of MLP, GRU and
SAM"; the GRU "controls the flow of information through two gating units (update gate and reset gate) to
capture temporal correlations". This block is the MLP + GRU part: a per-frame MLP, a (possibly bidirectional)
GRU, and a linear read-out. Pass ``state`` to continue a sequence chunk by chunk (streaming).

Shapes: b batch, t frames, i input size, o output size, l layers, k = 2 if bidirectional else 1, h hidden.
"""

from __future__ import annotations

import torch
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["GRUEncoder"]


class GRUEncoder(ConfigMixin, nn.Module):
    """Per-frame MLP, GRU over time, linear read-out: (b, t, i) -> (b, t, o).

    Args:
        in_dim: i, per-frame input size (e.g. audio features).
        hidden_dim: h, GRU state size (and MLP width).
        out_dim: o, output size per frame.
        num_layers: l, stacked GRU layers.
        bidirectional: run a second GRU backwards in time (offline use only; not streamable).
        dropout: dropout between GRU layers (training only).
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, num_layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.LeakyReLU(0.2), nn.Linear(hidden_dim, hidden_dim))
        self.gru = nn.GRU(hidden_dim, hidden_dim, num_layers=num_layers, batch_first=True,
                          bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.out = nn.Linear(hidden_dim * (2 if bidirectional else 1), out_dim)

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (b, t, i); state: (l * k, b, h) or None (zeros). Returns (y (b, t, o), state (l * k, b, h))."""
        hidden, state = self.gru(self.mlp(x), state)
        return self.out(hidden), state
