"""LPIPS: learned perceptual image patch similarity, with the user's weight files.

Zhang, Isola, Efros, Shechtman & Wang, "The Unreasonable Effectiveness of Deep Features as a Perceptual
Metric", CVPR 2018, Eq. 1: features of five layers of an ImageNet backbone are unit-normalised along
channels, their squared difference is weighted per channel by a learned linear head (1x1 convolution,
"lin" layers of version 0.1), averaged over space and summed over layers. Reported by IP-LAP (Table 1).

Two weight files, both user-supplied (nothing is downloaded):

* the backbone: torchvision's ImageNet AlexNet (``alexnet-owt-7be5be79.pth``) or VGG-16
  (``vgg16-397923af.pth``) state dict, keys ``features.N.weight``/``bias`` (``classifier.*`` is ignored);
  a whole LPIPS state dict with keys ``net.sliceK.N.*`` is accepted too;
* the linear heads: LPIPS v0.1 ``alex.pth`` / ``vgg.pth`` (shipped inside the ``lpips`` PyPI wheel under
  ``lpips/weights/v0.1/``, BSD-2-Clause), keys ``linL.model.1.weight`` of shape (1, C_L, 1, 1).

Both are read with ``torch.load(weights_only=True)`` or safetensors. The SqueezeNet variant is not built.
Shape legend: b batch, c channels, h height, w width.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Literal

import numpy as np
import torch
from torch import nn

from talkinghead.errors import InputError, OptionError
from talkinghead.metrics.frames import per_frame_pairs
from talkinghead.metrics.registry import MetricResult, WeightFile, register_metric
from talkinghead.metrics.weights import assign_state_dict, cached_model, load_state_dict
from talkinghead.nn.taps import tapped_outputs

__all__ = ["AlexNetFeatures", "VGG16Features", "LPIPS", "load_lpips"]

logger = logging.getLogger(__name__)

Backbone = Literal["alex", "vgg"]


class _TappedFeatures(nn.Module):
    """A torchvision ``features`` stack returning the outputs of the layers at ``taps``."""

    taps: tuple[int, ...] = ()
    features: nn.Sequential

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return tapped_outputs(self.features, x, self.taps)


class AlexNetFeatures(_TappedFeatures):
    """torchvision's AlexNet ``features`` (same parameter names); returns the five ReLU outputs LPIPS taps.

    Input (b, 3, h, w) normalised image; outputs with 64, 192, 384, 256, 256 channels.
    """

    taps = (1, 4, 7, 9, 11)
    channels = (64, 192, 384, 256, 256)

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(),
        )


class VGG16Features(_TappedFeatures):
    """torchvision's VGG-16 ``features`` up to relu5_3 (same parameter names); returns relu1_2, relu2_2,
    relu3_3, relu4_3, relu5_3 (64, 128, 256, 512, 512 channels)."""

    taps = (3, 8, 15, 22, 29)
    channels = (64, 128, 256, 512, 512)
    config = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512)

    def __init__(self):
        super().__init__()
        layers: list[nn.Module] = []
        in_ch = 3
        for item in self.config:
            if item == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(in_ch, item, kernel_size=3, padding=1), nn.ReLU()]
                in_ch = item
        self.features = nn.Sequential(*layers)


class LinearHead(nn.Module):
    """LPIPS v0.1 "lin" layer: dropout then a 1x1 convolution to one channel, no bias (keys ``model.1``)."""

    def __init__(self, channels: int):
        super().__init__()
        self.model = nn.Sequential(nn.Dropout(), nn.Conv2d(channels, 1, kernel_size=1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def _unit_normalise(x: torch.Tensor, eps: float = 1e-10) -> torch.Tensor:
    """Normalise (b, c, h, w) features to unit length along channels (LPIPS Eq. 1, the hat on y)."""
    return x / (x.pow(2).sum(dim=1, keepdim=True).sqrt() + eps)


class LPIPS(nn.Module):
    """LPIPS distance (Zhang et al. 2018, Eq. 1), version 0.1.

    Call with ``(pred, target)``: (b, 3, h, w) float in [0, 1], RGB (``target`` may have b = 1); returns
    (b,) distances, 0 for equal images, larger is more different. Runs on the inputs' device.
    """

    # The scaling layer of LPIPS: ImageNet statistics in the [-1, 1] range.
    shift = (-0.030, -0.088, -0.188)
    scale = (0.458, 0.448, 0.450)

    def __init__(self, backbone: Backbone = "alex"):
        super().__init__()
        if backbone not in BACKBONES:
            raise OptionError(f"LPIPS backbone {backbone!r} is not built; choose one of {sorted(BACKBONES)}")
        self.backbone = BACKBONES[backbone]()
        self.lins = nn.ModuleList(LinearHead(c) for c in self.backbone.channels)
        self.register_buffer("shift_", torch.tensor(self.shift).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale_", torch.tensor(self.scale).view(1, 3, 1, 1), persistent=False)
        self.eval()

    def _features(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = (x * 2 - 1 - self.shift_.to(x.dtype)) / self.scale_.to(x.dtype)
        return [_unit_normalise(f) for f in self.backbone(x)]

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target = target.expand_as(pred)
        f_pred = self._features(pred)
        f_target = self._features(target)
        total = 0
        for lin, a, b in zip(self.lins, f_pred, f_target):
            total = total + lin((a - b) ** 2).mean(dim=(2, 3))  # spatial average of the weighted difference
        return total[:, 0]


BACKBONES: dict[str, type[nn.Module]] = {"alex": AlexNetFeatures, "vgg": VGG16Features}


def _backbone_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Accept torchvision keys (``features.N.*``) and whole-LPIPS keys (``net.sliceK.N.*``)."""
    out = {}
    for key, value in state.items():
        key = key.removeprefix("module.")
        match = re.fullmatch(r"net\.slice\d+\.(\d+\.(?:weight|bias))", key)
        if match:
            key = f"features.{match.group(1)}"
        if key.startswith("features."):
            out[key] = value
    return out


def _heads_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``linL.model.1.weight`` (or ``.model.0.`` from a head saved without dropout) -> ``L.model.1.weight``."""
    out = {}
    for key, value in state.items():
        match = re.fullmatch(r"(?:module\.)?lin(\d+)\.model\.[01]\.weight", key)
        if match:
            out[f"{match.group(1)}.model.1.weight"] = value
    return out


def load_lpips(
    heads: str | os.PathLike, backbone_weights: str | os.PathLike, *, backbone: Backbone = "alex"
) -> LPIPS:
    """Build LPIPS and load the user's files (module docstring); in eval mode, on CPU, float32.

    Missing files raise :class:`ModelMissingError`; files of the wrong architecture :class:`InputError`.
    """
    model = LPIPS(backbone)
    what = f"LPIPS {backbone} backbone"
    state = _backbone_state(load_state_dict(backbone_weights, what=what))
    if not state:
        raise InputError(f"{what}: {backbone_weights} has no `features.*` keys; expected torchvision's state dict")
    assign_state_dict(model.backbone, state, what=what)
    what = f"LPIPS {backbone} linear heads"
    heads_state = _heads_state(load_state_dict(heads, what=what))
    if not heads_state:
        raise InputError(f"{what}: {heads} has no `linL.model.1.weight` keys; expected LPIPS v0.1 {backbone}.pth")
    assign_state_dict(model.lins, heads_state, what=what)
    if any((lin.model[1].weight < 0).any() for lin in model.lins):
        logger.warning("LPIPS heads from %s have negative weights; v0.1 heads are non-negative", heads)
    return model.eval()


def _lpips_metric(pred, ref, heads, backbone_weights, backbone: Backbone, device) -> MetricResult:
    model = cached_model(load_lpips, heads, backbone_weights, backbone=backbone).to(device)
    values = per_frame_pairs(model, pred, ref, batch_size=8, device=device)
    name = "lpips" if backbone == "alex" else f"lpips_{backbone}"
    return MetricResult({name: float(values.mean())}, per_frame={name: values})


_LPIPS_DEFINITION = """LPIPS v0.1 distance between each generated frame and its ground-truth frame (RGB
scaled to [-1, 1], {net} backbone, unit-normalised features of five layers, squared differences weighted by
the learned linear heads, averaged over space, summed over layers); averaged over frames."""
_LPIPS_REFERENCE = (
    "Zhang, Isola, Efros, Shechtman & Wang, The Unreasonable Effectiveness of Deep Features as a Perceptual "
    "Metric, CVPR 2018."
)


def _weights(prefix: str, net: str, torchvision_file: str) -> tuple[WeightFile, WeightFile]:
    return (
        WeightFile(f"{prefix}_heads", f"LPIPS v0.1 linear heads `{net}.pth` (the `lpips` wheel has them)"),
        WeightFile(f"{prefix}_backbone", f"torchvision ImageNet {net} state dict `{torchvision_file}`"),
    )


@register_metric(
    "lpips",
    kind="frame_pair",
    inputs=("pred", "ref"),
    higher_is_better=False,
    definition=_LPIPS_DEFINITION.format(net="AlexNet"),
    reference=_LPIPS_REFERENCE,
    papers=("ip_lap",),
    weights=_weights("lpips", "alex", "alexnet-owt-7be5be79.pth"),
)
def lpips_metric(*, pred: np.ndarray, ref: np.ndarray, lpips_heads, lpips_backbone, device="cpu") -> MetricResult:
    return _lpips_metric(pred, ref, lpips_heads, lpips_backbone, "alex", device)


@register_metric(
    "lpips_vgg",
    kind="frame_pair",
    inputs=("pred", "ref"),
    higher_is_better=False,
    definition=_LPIPS_DEFINITION.format(net="VGG-16"),
    reference=_LPIPS_REFERENCE,
    weights=_weights("lpips_vgg", "vgg", "vgg16-397923af.pth"),
)
def lpips_vgg_metric(
    *, pred: np.ndarray, ref: np.ndarray, lpips_vgg_heads, lpips_vgg_backbone, device="cpu"
) -> MetricResult:
    return _lpips_metric(pred, ref, lpips_vgg_heads, lpips_vgg_backbone, "vgg", device)
