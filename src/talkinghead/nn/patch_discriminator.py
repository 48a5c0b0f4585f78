"""PatchGAN discriminator (Isola et al., pix2pix, CVPR 2017), as used by MergeTalk and IP-LAP.

MergeTalk (Sec. II-C, Eq. 3): "the discriminator from PatchGAN [20] to obtain the adversarial loss L_patch";
IP-LAP (Sec. 3.2.3, Eq. 20): "patch GAN loss L_g and feature matching loss L_f from pix2pixHD". The network
classifies overlapping patches: stride-2 convolutions with LeakyReLU, one stride-1 convolution, then a 1-channel
map of logits. It returns every intermediate activation as well, for the feature-matching loss.

``spatial_dims=1`` builds the same network over time with 1D convolutions, for sequences such as MergeTalk's
64-frame head-pose windows (Sec. II-B: "multilayer 1D convolution with Batch Normalization").

Shapes: b batch, c input channels, h/w image size (t sequence length for 1D), h'/w' patch grid.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from talkinghead.nn.normalization import norm_layer
from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["PatchDiscriminator"]


class PatchDiscriminator(ConfigMixin, nn.Module):
    """Patch classifier returning all activations; the last one is the (b, 1, h', w') logit map.

    Args:
        in_channels: c (e.g. 3 for an image, 3 + condition channels for a conditional D).
        base_channels: channels of the first layer, doubled per layer up to 8x.
        num_layers: stride-2 layers (3 gives pix2pix's 70x70 receptive field).
        norm: ``instance`` (pix2pixHD), ``batch`` (pix2pix) or ``none``.
        spatial_dims: 2 for images, 1 for sequences (b, c, t).
    """

    def __init__(self, in_channels: int, base_channels: int = 64, num_layers: int = 3,
                 norm: Literal["instance", "batch", "none"] = "instance", spatial_dims: Literal[1, 2] = 2):
        super().__init__()
        conv = nn.Conv1d if spatial_dims == 1 else nn.Conv2d
        act = nn.LeakyReLU(0.2)
        layers = [nn.Sequential(conv(in_channels, base_channels, 4, 2, 1), act)]
        channels = base_channels
        for n in range(1, num_layers + 1):
            stride = 2 if n < num_layers else 1
            out = base_channels * min(2**n, 8)
            layers.append(nn.Sequential(conv(channels, out, 4, stride, 1), norm_layer(norm, out, spatial_dims, affine=False), act))
            channels = out
        layers.append(conv(channels, 1, 4, 1, 1))
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """x: (b, c, h, w) or (b, c, t). Returns the activation of every layer; the last is the logit map."""
        features = []
        for layer in self.layers:
            x = layer(x)
            features.append(x)
        return features
