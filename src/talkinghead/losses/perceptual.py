"""Perceptual loss: L1 between image features, VGG-19 when the user gives weights, else a documented fallback.

IP-LAP Eqs. 17-18 (L_w, L_r), OSM-Net Eq. 13 (L_per), VividTalk Sec. 3.4 (L_perc)::

    L = sum_i lambda_i || phi_i(x) - phi_i(y) ||_1

ControlTalk (Eq. 4) averages the same over the image and its 2x down-sampled copy: ``num_scales=2``, and
masks the mouth out (``mask``).

Without a VGG-19 file, :func:`perceptual_loss` builds this loss on :class:`PyramidFeatures` (Laplacian bands
and Sobel gradients at 4 scales, see ``image_features.py``) plus ``ssim_weight * (1 - SSIM)`` averaged over
the same scales. That fallback is NOT a VGG perceptual loss: it rewards matching edges, detail and local
structure, not semantic features, and its magnitude differs from VGG's, so loss weights tuned for VGG
(IP-LAP's lambda_r = 4) are only a starting point.

Shapes: b batch, 3 RGB channels in [0, 1], h/w size; masks (b, 1, h, w).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.losses.image_features import VGG19_LAYER_WEIGHTS, PyramidFeatures, VGG19Features
from talkinghead.losses.ssim import ssim

__all__ = ["PerceptualLoss", "perceptual_loss"]


class PerceptualLoss(nn.Module):
    """Weighted L1 between the features of two images, at one or more image scales.

    Args:
        features: a module mapping (b, 3, h, w) to a list of feature maps (:class:`VGG19Features`,
            :class:`PyramidFeatures`, or a method's own).
        layer_weights: lambda_i per feature map (default 1 each).
        num_scales: average over the image and its 2x, 4x ... down-sampled copies (ControlTalk Eq. 4: 2).
        ssim_weight: add ``ssim_weight * (1 - SSIM)`` per scale (used by the fallback).
    """

    def __init__(self, features: nn.Module, layer_weights: Sequence[float] | None = None, num_scales: int = 1,
                 ssim_weight: float = 0.0):
        super().__init__()
        self.features = features
        self.layer_weights = None if layer_weights is None else tuple(float(w) for w in layer_weights)
        self.num_scales = num_scales
        self.ssim_weight = ssim_weight

    def compare(self, features_x: Sequence[torch.Tensor], features_y: Sequence[torch.Tensor],
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """The loss from precomputed feature lists (to share one feature pass with the style loss)."""
        weights = self.layer_weights or (1.0,) * len(features_x)
        total = 0.0
        for weight, fx, fy in zip(weights, features_x, features_y, strict=True):
            diff = (fx.float() - fy.detach().float()).abs()
            if mask is None:
                total = total + weight * diff.mean()
            else:
                m = F.interpolate(mask.float(), size=diff.shape[-2:], mode="area").expand_as(diff)
                total = total + weight * (diff * m).sum() / m.sum().clamp(min=1.0)
        return total

    def forward(self, prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """prediction / target: (b, 3, h, w) RGB in [0, 1]; mask: (b, 1, h, w), 1 where compared. Scalar."""
        total = 0.0
        for scale in range(self.num_scales):
            if scale:
                prediction = F.avg_pool2d(prediction, 2)
                target = F.avg_pool2d(target, 2)
                mask = None if mask is None else F.avg_pool2d(mask.float(), 2)
            total = total + self.compare(self.features(prediction), self.features(target), mask)
            if self.ssim_weight:
                masked_pred = prediction if mask is None else prediction * mask + target * (1 - mask)
                total = total + self.ssim_weight * (1 - ssim(masked_pred, target))
        return total / self.num_scales


def perceptual_loss(vgg19_weights: str | os.PathLike | None = None, num_scales: int = 1,
                    fallback_ssim_weight: float = 1.0) -> PerceptualLoss:
    """The papers' VGG-19 perceptual loss if ``vgg19_weights`` names a file; else the documented fallback.

    With weights: relu1_1 ... relu5_1 with pix2pixHD's weights 1/32 ... 1. Without: :class:`PyramidFeatures`
    (4 scales, weight 1 each) + ``fallback_ssim_weight * (1 - SSIM)``; see the module docstring.
    """
    if vgg19_weights:
        return PerceptualLoss(VGG19Features(vgg19_weights), VGG19_LAYER_WEIGHTS, num_scales=num_scales)
    return PerceptualLoss(PyramidFeatures(4), num_scales=num_scales, ssim_weight=fallback_ssim_weight)
