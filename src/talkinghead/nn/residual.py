"""Residual blocks in 2D (images) and 1D (sequences) (He et al., CVPR 2016).

Every renderer in the five papers is built from residual blocks: OSM-Net's conditional auto-encoder uses
"five common residual layers" and "three residual blocks with the transpose convolution" (Sec. III-C) and a
1D-convolution encoder with residual links (Sec. III-C); IP-LAP's encoders follow Wav2Lip's residual
convolutions (Sec. 3.1.1); VividTalk's motion VAE and generator are residual networks (Sec. 3.3).

Block: ``act(skip(x) + norm(conv(act(norm(conv(x))))))`` with a 1x1 convolution (and the same stride) on the
skip path when channels or stride change. The 1D and 2D variants differ only in the layers they compose.

Shapes: b batch, c channels, h/w image size, t sequence length.
"""

from __future__ import annotations

import torch
from torch import nn

from talkinghead.nn.normalization import Norm, norm_layer
from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["ResBlock1d", "ResBlock2d", "Norm"]

class _ResBlock(nn.Module):
    dims: int

    def _build(self, in_channels: int, out_channels: int, kernel_size: int, stride: int, norm: Norm) -> None:
        conv = nn.Conv1d if self.dims == 1 else nn.Conv2d
        pad = kernel_size // 2
        use_bias = norm == "none"
        self.conv1 = conv(in_channels, out_channels, kernel_size, stride=stride, padding=pad, bias=use_bias)
        self.norm1 = norm_layer(norm, out_channels, self.dims)
        self.conv2 = conv(out_channels, out_channels, kernel_size, padding=pad, bias=use_bias)
        self.norm2 = norm_layer(norm, out_channels, self.dims)
        self.act = nn.LeakyReLU(0.2)
        self.skip: nn.Module = nn.Identity()
        if in_channels != out_channels or stride != 1:
            self.skip = conv(in_channels, out_channels, 1, stride=stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(self.norm1(self.conv1(x)))
        h = self.norm2(self.conv2(h))
        return self.act(self.skip(x) + h)


class ResBlock2d(ConfigMixin, _ResBlock):
    """2D residual block: (b, in, h, w) -> (b, out, h / stride, w / stride).

    Args:
        in_channels / out_channels: channels before and after (``out_channels=None`` keeps ``in_channels``).
        kernel_size: odd kernel size.
        stride: stride of the first convolution (2 halves the size).
        norm: ``batch``, ``instance`` (affine), ``group`` or ``none``.
    """

    dims = 2

    def __init__(self, in_channels: int, out_channels: int | None = None, kernel_size: int = 3, stride: int = 1,
                 norm: Norm = "batch"):
        super().__init__()
        self._build(in_channels, out_channels or in_channels, kernel_size, stride, norm)


class ResBlock1d(ConfigMixin, _ResBlock):
    """1D residual block over time: (b, in, t) -> (b, out, t / stride). Arguments as :class:`ResBlock2d`."""

    dims = 1

    def __init__(self, in_channels: int, out_channels: int | None = None, kernel_size: int = 3, stride: int = 1,
                 norm: Norm = "batch"):
        super().__init__()
        self._build(in_channels, out_channels or in_channels, kernel_size, stride, norm)
