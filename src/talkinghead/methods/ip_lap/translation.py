"""IP-LAP's translation module G_r (Sec. 3.2.2, Eq. 16, Fig. 2 right): sketches + masked face -> face image.

    I_hat_t = G_r(I_t^m, L_{t-k:t+k}, I^r_bar, h^1_bar, h^2_bar, a_t)                            (Eq. 16)

"I_t^m and L_{t-k:t+k} are concatenated channel-wise and fed into the convolution layers to obtain encoded
features. I^r_bar, h^1_bar, and h^2_bar are fused into the translation module through SPADE layers to modulate
the encoded features followed by AdaIN operation [with the audio feature a_t]. Meanwhile, up-sampling is
implemented through PixelShuffle layers."

Layout (choices where the paper is silent, listed in docs/ip_lap.md): a U-Net. The encoder is a 3x3 stem and
``num_down`` stride-2 :class:`ResBlock2d` (instance norm). The decoder runs from the bottleneck up to full size;
at every size one :class:`SPADEResBlock` whose condition is the aggregated warped image I^r_bar (area-resized)
concatenated with h^1_bar at H/2 and h^2_bar at H/4, then :class:`AdaIN` with a_t, then PixelShuffle x2 and the
encoder feature of the new size added (skip). The masked target's upper half reaches the output through the
skips; the mouth comes from the sketches, the warped references and the audio. Output: a 3x3 conv + sigmoid
over the last features concatenated with I_t^m and I^r_bar, a direct path for colours that the normalisations
in the decoder remove (64 px tiny data, generator alone, 200 Adam steps: lower-half L1 0.033 with the path,
0.041 without; Eq. 18 loss 0.071 vs 0.083).

Shape legend: b batch, k2 = 2k+1 target sketches, c channels, d audio size, H/W image size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.nn import AdaIN, ConfigMixin, PixelShuffleUpsample, ResBlock2d, SPADEResBlock

__all__ = ["TranslationModule"]


class TranslationModule(ConfigMixin, nn.Module):
    """G_r (Eq. 16).

    Args:
        num_sketches: 2k + 1 target sketches (paper: 5).
        base_channels: c, stem width; widths c, 2c, 4c, 8c ... capped at ``max_channels``.
        max_channels: cap of the widths.
        num_down: stride-2 encoder stages (>= 2); the bottleneck is H / 2^num_down.
        feature_channels: (c1, c2), channels of h^1_bar (H/2) and h^2_bar (H/4) from the alignment module.
        audio_dim: d, size of a_t.
        spade_hidden: hidden width of the SPADE layers.
    """

    def __init__(self, num_sketches: int = 5, base_channels: int = 32, max_channels: int = 256, num_down: int = 3,
                 feature_channels: tuple[int, int] = (64, 128), audio_dim: int = 512, spade_hidden: int = 64):
        super().__init__()
        if num_down < 2:
            raise ValueError(f"num_down must be at least 2 (features at H/2 and H/4), got {num_down}")
        widths = [min(base_channels * 2**i, max_channels) for i in range(num_down + 1)]
        c1, c2 = feature_channels
        self.stem = nn.Sequential(nn.Conv2d(3 + 3 * num_sketches, widths[0], 3, padding=1), nn.LeakyReLU(0.2))
        self.down = nn.ModuleList(ResBlock2d(widths[i], widths[i + 1], stride=2, norm="instance")
                                  for i in range(num_down))
        # level j is size H / 2^j; its SPADE condition is I^r_bar (3) + h^1_bar at j = 1, h^2_bar at j = 2
        cond = {1: 3 + c1, 2: 3 + c2}
        levels = list(reversed(range(num_down + 1)))  # bottleneck first, full size last
        self.blocks = nn.ModuleList(SPADEResBlock(widths[j], widths[j], cond.get(j, 3), spade_hidden) for j in levels)
        self.adains = nn.ModuleList(AdaIN(widths[j], audio_dim) for j in levels)
        self.ups = nn.ModuleList(PixelShuffleUpsample(widths[j], widths[j - 1]) for j in levels[:-1])
        self.to_image = nn.Conv2d(widths[0] + 6, 3, 3, padding=1)  # features + I_t^m + I^r_bar

    def forward(self, masked: torch.Tensor, sketches: torch.Tensor, warped: torch.Tensor, features1: torch.Tensor,
                features2: torch.Tensor, audio: torch.Tensor) -> torch.Tensor:
        """Eq. 16.

        Args:
            masked: (b, 3, H, W) I_t^m, the target with its lower half zeroed, RGB in [0, 1].
            sketches: (b, k2, 3, H, W) target sketches L_{t-k:t+k}.
            warped: (b, 3, H, W) I^r_bar.
            features1: (b, c1, H/2, W/2) h^1_bar.
            features2: (b, c2, H/4, W/4) h^2_bar.
            audio: (b, d) a_t.

        Returns:
            (b, 3, H, W) I_hat_t, RGB in [0, 1].
        """
        x = torch.cat([masked, sketches.to(masked.dtype).flatten(1, 2)], dim=1)
        skips = [self.stem(x)]
        for down in self.down:
            skips.append(down(skips[-1]))
        h = skips.pop()
        num_levels = len(self.blocks)
        for i, (block, adain) in enumerate(zip(self.blocks, self.adains, strict=True)):
            level = num_levels - 1 - i  # size H / 2^level
            cond = F.interpolate(warped, size=h.shape[-2:], mode="area") if level else warped
            if level == 1:
                cond = torch.cat([cond, features1.to(cond.dtype)], dim=1)
            elif level == 2:
                cond = torch.cat([cond, features2.to(cond.dtype)], dim=1)
            h = F.leaky_relu(adain(block(h, cond), audio), 0.2)  # SPADE with I^r_bar, h^s_bar, then AdaIN with a_t
            if level:
                h = self.ups[i](h) + skips.pop()  # PixelShuffle x2, U-Net skip
        return torch.sigmoid(self.to_image(torch.cat([h, masked.to(h.dtype), warped.to(h.dtype)], dim=1)))
