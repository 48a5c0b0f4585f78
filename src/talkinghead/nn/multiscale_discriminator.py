"""Multi-scale discriminator (Wang et al., pix2pixHD, CVPR 2018, Sec. 3.2), as used by IP-LAP and VividTalk.

IP-LAP (Sec. 3.2.3) and VividTalk (Sec. 3.4) take the GAN and feature-matching losses from pix2pixHD, whose
discriminator is several identical PatchGANs applied to the image at 1, 1/2, 1/4 ... of its size (3x3 average
pooling with stride 2 between scales, padding not counted). The coarse scales see global structure, the fine
scale sees texture.

Shapes: b batch, c channels, h/w size; n scales.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.nn.patch_discriminator import PatchDiscriminator
from talkinghead.nn.pretrained import ConfigMixin

__all__ = ["MultiScaleDiscriminator"]


class MultiScaleDiscriminator(ConfigMixin, nn.Module):
    """n PatchGANs over an image pyramid.

    Args:
        in_channels: c.
        num_scales: n (pix2pixHD: 3; IP-LAP at 128 px: 2 is enough).
        base_channels / num_layers / norm: as :class:`PatchDiscriminator`.
    """

    def __init__(self, in_channels: int, num_scales: int = 3, base_channels: int = 64, num_layers: int = 3,
                 norm: Literal["instance", "batch", "none"] = "instance"):
        super().__init__()
        self.discriminators = nn.ModuleList(
            PatchDiscriminator(in_channels, base_channels, num_layers, norm) for _ in range(num_scales)
        )

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        """x: (b, c, h, w). Returns per scale (finest first) the list of activations; each last one is logits."""
        outputs = []
        for i, discriminator in enumerate(self.discriminators):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            outputs.append(discriminator(x))
        return outputs
