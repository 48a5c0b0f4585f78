"""PixelShuffle up-sampling (Shi et al., CVPR 2016), as used by IP-LAP's alignment and translation modules.

IP-LAP (Sec. 3.2.1, 3.2.2): "PixelShuffle layers [29] are utilized for up-sampling". A convolution makes
``out * r^2`` channels that are rearranged into an ``r`` times larger map. The convolution is initialised with
ICNR (Aitken et al., 2017: every sub-pixel starts with the same kernel), which makes the initial output equal to
nearest-neighbour up-sampling of a convolution and avoids checkerboard artefacts.

Shapes: b batch, c channels, h/w size, r scale.
"""

from __future__ import annotations

import torch
from torch import nn

from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["PixelShuffleUpsample"]


class PixelShuffleUpsample(ConfigMixin, nn.Module):
    """Convolution + PixelShuffle: (b, in, h, w) -> (b, out, r*h, r*w).

    Args:
        in_channels / out_channels: channels before and after.
        scale: r, the up-sampling factor.
        kernel_size: odd kernel size of the convolution.
        use_icnr: initialise with ICNR (all r^2 sub-pixels share one kernel at the start).
    """

    def __init__(self, in_channels: int, out_channels: int, scale: int = 2, kernel_size: int = 3,
                 use_icnr: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels * scale**2, kernel_size, padding=kernel_size // 2)
        self.shuffle = nn.PixelShuffle(scale)
        if use_icnr:
            with torch.no_grad():
                sub = torch.empty(out_channels, in_channels, kernel_size, kernel_size)
                nn.init.kaiming_normal_(sub)
                # PixelShuffle reads channel (c * r^2 + i): repeat each kernel r^2 times consecutively.
                self.conv.weight.copy_(sub.repeat_interleave(scale**2, dim=0))
                nn.init.zeros_(self.conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (b, in, h, w). Returns (b, out, r*h, r*w)."""
        return self.shuffle(self.conv(x))
