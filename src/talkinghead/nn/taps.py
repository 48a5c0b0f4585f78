"""Intermediate activations of a feature stack: what perceptual losses (VGG-19, ``losses.image_features``) and
LPIPS (AlexNet / VGG-16, ``metrics.lpips``) compare."""

from __future__ import annotations

from collections.abc import Container

import torch
from torch import nn

__all__ = ["tapped_outputs"]


def tapped_outputs(layers: nn.Sequential, x: torch.Tensor, taps: Container[int]) -> list[torch.Tensor]:
    """Run ``x`` through ``layers`` and return the outputs of the layers whose index is in ``taps``, in order."""
    outputs = []
    for index, layer in enumerate(layers):
        x = layer(x)
        if index in taps:
            outputs.append(x)
    return outputs
