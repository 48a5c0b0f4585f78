"""IP-LAP's alignment module G_a (Sec. 3.2.1, Eqs. 13-15, Fig. 2 right): reference images warped to the target.

For each reference image I_i^r and its sketch L_i^r, a convolutional encoder maps ``concat(I_i^r, L_i^r)`` to
features at two resolutions, h_i^1 (H/2) and h_i^2 (H/4) (Eq. 13's "visual features in two spatial
resolutions"), and on to a bottleneck (H / 2^num_down). A decoder of SPADE residual blocks, conditioned on the
``2k+1`` target sketches ``L_{t-k:t+k}`` concatenated channel-wise, and PixelShuffle up-sampling predicts per
reference a motion field F_i (2, H, W) and a weight map w_i (1, H, W). The image and both feature maps are
warped with ``grid_sample`` (the field down-sampled to each feature size) and averaged over the references with
the weights (Eqs. 14-15)::

    I^r_bar = sum_i w_i F_i(I_i^r) / sum_i w_i,      h^s_bar = sum_i w_i F_i(h_i^s) / sum_i w_i

Choices where the paper is silent (listed in docs/ip_lap.md):

- The motion field is a *backward* displacement in normalised coordinates ([-1, 1] spans the image, x then y):
  the output pixel p samples the reference at ``p + F_i(p)``. Normalised units need no rescaling when the field
  is resized to a feature map. The flow head is initialised to zero, so training starts from the identity warp.
- Weights are ``sigmoid(logit) + 1e-4``: positive, bounded (no overflow with many references at inference),
  and the sum in Eq. 14's denominator never vanishes. With one reference the weights cancel.
- The references are independent samples of one encoder/decoder: ``N`` is free at inference (3 in training,
  Sec. 4.1; many at inference), the work is one batch of ``b * N``.
- Encoder: a 3x3 stem at full size, then stride-2 :class:`ResBlock2d` (instance norm, no batch statistics to
  differ between N = 3 in training and any N at inference); encoder skips are added to the decoder (U-Net).

Shape legend: b batch, n references, k2 = 2k+1 target sketches, c channels, H/W image size, h/w feature size.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from talkinghead.nn import ConfigMixin, PixelShuffleUpsample, ResBlock2d, SPADEResBlock

__all__ = ["AlignmentModule", "AlignmentOutput", "ReferenceEncoding", "warp", "resize_flow", "weighted_mean"]

#: added to the sigmoid weights so Eq. 14-15's denominator is never zero
WEIGHT_EPS = 1e-4


def warp(x: torch.Tensor, flow: torch.Tensor, padding_mode: str = "border") -> torch.Tensor:
    """Backward warp: ``out(p) = x(p + flow(p))`` by bilinear ``grid_sample``, in float32 (STYLE.md 14).

    Args:
        x: (b, c, h, w) image or features.
        flow: (b, 2, h, w) displacement (x, y) in normalised coordinates (2 = the whole width / height), at the
            size of ``x`` (see :func:`resize_flow`). A zero flow returns ``x``.
        padding_mode: ``border`` (default: samples outside repeat the edge) or ``zeros``.

    Returns:
        (b, c, h, w) in the dtype of ``x``.
    """
    b, _, h, w = x.shape
    if flow.shape[-2:] != (h, w):
        raise ValueError(f"flow of size {tuple(flow.shape[-2:])} does not match the input's {(h, w)}")
    # pixel centres in normalised coordinates (align_corners=False): (2i + 1) / n - 1
    ys = (torch.arange(h, device=x.device, dtype=torch.float32) * 2 + 1) / h - 1
    xs = (torch.arange(w, device=x.device, dtype=torch.float32) * 2 + 1) / w - 1
    identity = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1)  # (h, w, 2), x first
    grid = identity + rearrange(flow.float(), "b two h w -> b h w two")
    out = F.grid_sample(x.float(), grid, mode="bilinear", padding_mode=padding_mode, align_corners=False)
    return out.to(x.dtype)


def resize_flow(flow: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """(b, 2, H, W) normalised flow -> (b, 2, h, w) by area averaging (bilinear when enlarging); normalised
    units need no rescaling (Sec. 3.2.1: "F_i and w_i are downsampled to match the size of h_i^s")."""
    if tuple(flow.shape[-2:]) == tuple(size):
        return flow
    mode = "area" if size[0] <= flow.shape[-2] else "bilinear"
    return F.interpolate(flow.float(), size=size, mode=mode, **({} if mode == "area" else {"align_corners": False}))


def weighted_mean(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Eqs. 14-15: ``sum_i w_i v_i / sum_i w_i`` over references.

    Args:
        values: (b, n, c, h, w) warped images or features.
        weights: (b, n, 1, H, W) positive; area-resized to (h, w) when the sizes differ.

    Returns:
        (b, c, h, w).
    """
    if weights.shape[-2:] != values.shape[-2:]:
        b, n = weights.shape[:2]
        weights = F.interpolate(weights.flatten(0, 1), size=values.shape[-2:], mode="area").unflatten(0, (b, n))
    weights = weights.to(values.dtype)
    return (weights * values).sum(dim=1) / weights.sum(dim=1)


@dataclass
class AlignmentOutput:
    """What G_a gives the translation module and the losses.

    Attributes:
        warped: (b, 3, H, W) I^r_bar, the aggregated warped reference image (Eq. 14), in [0, 1].
        features1: (b, c1, H/2, W/2) h^1_bar (Eq. 15, s = 1).
        features2: (b, c2, H/4, W/4) h^2_bar (Eq. 15, s = 2).
        flows: (b, n, 2, H, W) F_i, backward displacements in normalised coordinates (see :func:`warp`).
        weights: (b, n, 1, H, W) w_i, positive.
    """

    warped: torch.Tensor
    features1: torch.Tensor
    features2: torch.Tensor
    flows: torch.Tensor
    weights: torch.Tensor


@dataclass
class ReferenceEncoding:
    """The encoder half of G_a for one set of references, which does not depend on the target frame: computed
    once (:meth:`AlignmentModule.encode_references`) and reused for every frame of a video.

    Rows are references: ``n`` for one frame's references, ``b * n`` (frame-major) for a batch.

    Attributes:
        images: (rows, 3, H, W) the reference images I_i^r.
        encoded: the encoder outputs of ``concat(I_i^r, L_i^r)``: (rows, c, H, W), then (rows, c1, H/2, W/2) =
            h^1, (rows, c2, H/4, W/4) = h^2, ... down to the bottleneck.
    """

    images: torch.Tensor
    encoded: list[torch.Tensor]

    def expand(self, b: int) -> ReferenceEncoding:
        """The same references for a batch of ``b`` frames: rows ``b * n`` (frame-major)."""
        rep = lambda t: t.repeat(b, *([1] * (t.dim() - 1)))  # noqa: E731
        return ReferenceEncoding(rep(self.images), [rep(t) for t in self.encoded])


class AlignmentModule(ConfigMixin, nn.Module):
    """G_a (Eq. 13): per reference a motion field and a weight; warps and aggregates (Eqs. 14-15).

    Args:
        num_sketches: 2k + 1 target sketches (k = 2 in the paper: 5).
        base_channels: c, stem width; the encoder widths are c, 2c (h^1), 4c (h^2), then 8c, capped at
            ``max_channels``.
        max_channels: cap of the widths.
        num_down: stride-2 encoder stages (>= 2, so h^1 and h^2 exist); the bottleneck is H / 2^num_down.
        spade_hidden: hidden width of the SPADE layers (Park et al. use 128).
    """

    def __init__(self, num_sketches: int = 5, base_channels: int = 32, max_channels: int = 256, num_down: int = 3,
                 spade_hidden: int = 64):
        super().__init__()
        if num_down < 2:
            raise ValueError(f"num_down must be at least 2 (features at H/2 and H/4), got {num_down}")
        widths = [min(base_channels * 2**i, max_channels) for i in range(num_down + 1)]
        self.widths = widths
        cond = 3 * num_sketches
        self.stem = nn.Sequential(nn.Conv2d(6, widths[0], 3, padding=1), nn.LeakyReLU(0.2))
        self.down = nn.ModuleList(ResBlock2d(widths[i], widths[i + 1], stride=2, norm="instance")
                                  for i in range(num_down))
        # decoder: at each size from the bottleneck up, a SPADE block conditioned on the target sketches, then
        # PixelShuffle x2; the encoder feature of the size reached is added (U-Net skip)
        self.blocks = nn.ModuleList(SPADEResBlock(widths[i + 1], widths[i + 1], cond, spade_hidden)
                                    for i in reversed(range(num_down)))
        self.ups = nn.ModuleList(PixelShuffleUpsample(widths[i + 1], widths[i]) for i in reversed(range(num_down)))
        self.head = nn.Sequential(nn.Conv2d(widths[0], widths[0], 3, padding=1), nn.LeakyReLU(0.2))
        self.to_flow = nn.Conv2d(widths[0], 2, 3, padding=1)
        self.to_weight = nn.Conv2d(widths[0], 1, 3, padding=1)
        nn.init.zeros_(self.to_flow.weight)  # identity warp at the start
        nn.init.zeros_(self.to_flow.bias)

    @property
    def feature_channels(self) -> tuple[int, int]:
        """(c1, c2): channels of h^1 (H/2) and h^2 (H/4)."""
        return self.widths[1], self.widths[2]

    def encode_references(self, ref_images: torch.Tensor, ref_sketches: torch.Tensor) -> ReferenceEncoding:
        """The encoder half of Eq. 13 for references ``(b, n, 3, H, W)`` images and sketches (rows ``b * n``)."""
        x = torch.cat([ref_images, ref_sketches.to(ref_images.dtype)], dim=2).flatten(0, 1)  # (b n, 6, H, W)
        encoded = [self.stem(x)]  # sizes H, H/2 (h^1), H/4 (h^2), ...
        for down in self.down:
            encoded.append(down(encoded[-1]))
        return ReferenceEncoding(x[:, :3], encoded)

    def forward(self, sketches: torch.Tensor, ref_images: torch.Tensor | None = None,
                ref_sketches: torch.Tensor | None = None, references: ReferenceEncoding | None = None,
                ) -> AlignmentOutput:
        """Eqs. 13-15.

        Args:
            sketches: (b, k2, 3, H, W) target sketches L_{t-k:t+k} in [0, 1].
            ref_images: (b, n, 3, H, W) reference images I_i^r, RGB in [0, 1].
            ref_sketches: (b, n, 3, H, W) their sketches L_i^r.
            references: instead of ``ref_images`` and ``ref_sketches``: their encoding, rows ``b * n``
                (:meth:`encode_references`, or :meth:`ReferenceEncoding.expand` of one frame's encoding; the
                result is the same as passing the references).

        Returns:
            :class:`AlignmentOutput`; H and W must be divisible by 2^num_down.
        """
        b = sketches.shape[0]
        if references is None:
            if ref_images is None or ref_sketches is None:
                raise ValueError("give ref_images and ref_sketches, or their encoding")
            references = self.encode_references(ref_images, ref_sketches)
        if references.images.shape[0] % b:
            raise ValueError(f"{references.images.shape[0]} encoded references do not split over {b} frames")
        n = references.images.shape[0] // b
        x_images, encoded = references.images, references.encoded
        cond = sketches.to(x_images.dtype).flatten(1, 2)  # (b, 3 k2, H, W), shared by the n references

        skips = list(encoded[:-1])
        h = encoded[-1]
        for block, up in zip(self.blocks, self.ups, strict=True):
            # Eq. 13: SPADE on L_{t-k:t+k}, resized per sample, then repeated: row b*n + i is reference i of b
            level_cond = F.interpolate(cond, size=h.shape[-2:], mode="area").repeat_interleave(n, dim=0)
            h = up(block(h, level_cond))
            h = h + skips.pop()
        h = self.head(h)
        flows = self.to_flow(h)  # (b n, 2, H, W)
        weights = torch.sigmoid(self.to_weight(h).float()) + WEIGHT_EPS  # (b n, 1, H, W) positive

        # Eqs. 14-15: warp the image and h^1, h^2 (encoder outputs at H/2 and H/4) and average with the weights
        feats1, feats2 = encoded[1], encoded[2]
        warped = warp(x_images, flows)
        warped1 = warp(feats1, resize_flow(flows, feats1.shape[-2:]))
        warped2 = warp(feats2, resize_flow(flows, feats2.shape[-2:]))
        w = weights.unflatten(0, (b, n))  # (b, n, 1, H, W)
        return AlignmentOutput(
            warped=weighted_mean(warped.unflatten(0, (b, n)), w),
            features1=weighted_mean(warped1.unflatten(0, (b, n)), w),
            features2=weighted_mean(warped2.unflatten(0, (b, n)), w),
            flows=flows.unflatten(0, (b, n)),
            weights=w.to(x_images.dtype),
        )
