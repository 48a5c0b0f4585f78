"""Wav2Lip-style mel-spectrogram encoder (Prajwal et al., ACM MM 2020), as used by IP-LAP and MergeTalk.

IP-LAP (Sec. 3.1.1, Eq. 1): "We extract the audio embedding a_t from the audio Mel-spectrograms with an encoder
module E_a similar to [26] (Wav2Lip)"; each frame's input is a 16 x 80 mel window (16 kHz audio, window 800,
hop 200: Sec. 4.1). MergeTalk (Sec. II-B) uses Wav2Lip's audio features too. Wav2Lip's encoder is a stack of
conv + BatchNorm + ReLU blocks, most with an identity residual, striding the (80 mel x 16 time) map down to 1 x 1:

    80x16 -(3,1)-> 27x16 -3-> 9x6 -(3,2)-> 3x3 -k3 p0-> 1x1 -1x1 conv-> out_dim

Inputs of another size are reduced to 1 x 1 by a final average pool. ``base_channels`` scales every width
(Wav2Lip: 32, i.e. 32-64-128-256-512) so tiny configurations train in seconds.

Shapes: b batch, f mel bins (80), t mel frames per video frame (16), d output size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["MelEncoder"]


class _ConvBN(nn.Module):
    """Wav2Lip's ``Conv2d``: conv + BatchNorm + ReLU, plus the input when ``residual`` (shapes must match)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride, padding: int, residual: bool = False):
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding), nn.BatchNorm2d(cout))
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return F.relu(out + x if self.residual else out)


class MelEncoder(ConfigMixin, nn.Module):
    """Mel window -> audio embedding: (b, 1, f, t) or (b, f, t) -> (b, d).

    Args:
        out_dim: d (IP-LAP: 512).
        base_channels: width of the first stage (Wav2Lip: 32); later stages use 2x, 4x, 8x, 16x.
    """

    def __init__(self, out_dim: int = 512, base_channels: int = 32):
        super().__init__()
        c = base_channels
        self.blocks = nn.Sequential(
            _ConvBN(1, c, 3, 1, 1),
            _ConvBN(c, c, 3, 1, 1, residual=True),
            _ConvBN(c, c, 3, 1, 1, residual=True),
            _ConvBN(c, 2 * c, 3, (3, 1), 1),
            _ConvBN(2 * c, 2 * c, 3, 1, 1, residual=True),
            _ConvBN(2 * c, 2 * c, 3, 1, 1, residual=True),
            _ConvBN(2 * c, 4 * c, 3, 3, 1),
            _ConvBN(4 * c, 4 * c, 3, 1, 1, residual=True),
            _ConvBN(4 * c, 4 * c, 3, 1, 1, residual=True),
            _ConvBN(4 * c, 8 * c, 3, (3, 2), 1),
            _ConvBN(8 * c, 8 * c, 3, 1, 1, residual=True),
            _ConvBN(8 * c, 16 * c, 3, 1, 0),
            _ConvBN(16 * c, out_dim, 1, 1, 0),
        )

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel: (b, 1, f, t) or (b, f, t) log-mel (Wav2Lip: f=80 bins, t=16 frames). Returns (b, d)."""
        if mel.ndim == 3:
            mel = mel[:, None]
        features = self.blocks(mel)
        return features.mean(dim=(-2, -1))  # 1x1 already for 80x16 input; a pool for other sizes
