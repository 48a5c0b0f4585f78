"""Feature extractors for the perceptual and style losses: VGG-19 from a user's file, or a weight-free pyramid.

IP-LAP (Eqs. 17-19), OSM-Net (Eqs. 13-14), VividTalk (Sec. 3.4) and ControlTalk (Eq. 4) compare activations
phi_i of an ImageNet-trained VGG-19. No weights are downloaded here (DESIGN.md): :class:`VGG19Features` loads
a torchvision-format state dict (``features.<i>.weight`` / ``.bias`` keys, as saved from
``torchvision.models.vgg19(weights=...).state_dict()``) from a file the user points to, either
``.safetensors`` or a ``torch.save`` file read with ``torch.load(weights_only=True)`` (no arbitrary
unpickling). Without such a file, :class:`PyramidFeatures` stands in.

:class:`PyramidFeatures` is NOT VGG and has no learned weights: at each of n scales it returns the Laplacian-
pyramid band (the detail lost by halving the image) and horizontal / vertical Sobel gradients of that scale.
L1 between these features penalises errors in edges and fine detail at several scales, which is the part of a
perceptual loss that sharpens reconstructions; it knows nothing of semantics (eyes, teeth) the way VGG does.

Shapes: b batch, 3 RGB channels in [0, 1], h/w size; feature i is (b, c_i, h_i, w_i).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import safetensors.torch
import torch
import torch.nn.functional as F
from torch import nn

from talkinghead.errors import ModelMissingError, OptionError
from talkinghead.nn.taps import tapped_outputs

__all__ = ["VGG19Features", "PyramidFeatures", "image_features", "VGG19_LAYERS", "VGG19_LAYER_WEIGHTS"]

logger = logging.getLogger(__name__)

#: torchvision ``vgg19().features`` layout: channels of each conv, "M" for max-pool.
_VGG19_CONFIG = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512]
#: ReLU outputs used by pix2pixHD's VGG loss (and IP-LAP / OSM-Net): name -> index in ``features``.
VGG19_LAYERS = {"relu1_1": 1, "relu2_1": 6, "relu3_1": 11, "relu4_1": 20, "relu5_1": 29}
#: pix2pixHD's weights for those layers (deeper layers count more).
VGG19_LAYER_WEIGHTS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def _vgg19_trunk(last_index: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    channels = 3
    for item in _VGG19_CONFIG:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU(inplace=False)]
            channels = item
        if len(layers) > last_index:
            break
    return nn.Sequential(*layers[: last_index + 1])


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise ModelMissingError(f"VGG-19 weight file {str(path)!r} does not exist; check --vgg19-weights")
    try:
        if path.suffix == ".safetensors":
            state = safetensors.torch.load_file(str(path), device="cpu")
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)  # never arbitrary unpickling
    except Exception as err:  # noqa: BLE001 - any failure to read the user's file is the same user error
        raise ModelMissingError(
            f"cannot read VGG-19 weights from {str(path)!r} ({type(err).__name__}); give a torchvision-format "
            "state dict saved with torch.save(model.state_dict()) or as .safetensors"
        ) from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise OptionError(f"{str(path)!r} is not a state dict of tensors; save vgg19().state_dict()")
    return state


class VGG19Features(nn.Module):
    """Frozen VGG-19 activations phi_i (ImageNet-normalised input), from a user-supplied weight file.

    Args:
        weights: path of a torchvision-format VGG-19 state dict (``.pth`` / ``.pt`` / ``.safetensors``).
        layers: names of the ReLU outputs to return, in order (keys of :data:`VGG19_LAYERS`).
    """

    def __init__(self, weights: str | os.PathLike, layers: tuple[str, ...] = tuple(VGG19_LAYERS)):
        super().__init__()
        unknown = [name for name in layers if name not in VGG19_LAYERS]
        if unknown:
            raise OptionError(f"unknown VGG-19 layers {unknown}; choose from {list(VGG19_LAYERS)}")
        self.indices = [VGG19_LAYERS[name] for name in layers]
        self.features = _vgg19_trunk(max(self.indices))
        state = _read_state_dict(Path(weights))
        prefix = "features." if any(k.startswith("features.") for k in state) else ""
        wanted = {k: state.get(prefix + k) for k in self.features.state_dict()}
        missing = [k for k, v in wanted.items() if v is None]
        if missing:
            raise OptionError(f"{str(weights)!r} lacks VGG-19 tensors {missing[:3]}; is it a torchvision VGG-19?")
        try:
            self.features.load_state_dict(wanted)
        except RuntimeError as err:
            raise OptionError(f"{str(weights)!r} does not hold VGG-19 weights: {str(err)[:200]}") from None
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> VGG19Features:
        return super().train(False)  # a fixed feature extractor: always in eval mode

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        """image: (b, 3, h, w) RGB in [0, 1]. Returns the activations of the chosen layers."""
        x = (image - self.mean.to(image.dtype)) / self.std.to(image.dtype)
        return tapped_outputs(self.features, x, self.indices)


_SOBEL = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8.0


class PyramidFeatures(nn.Module):
    """Weight-free stand-in for VGG (not VGG): per scale, Laplacian band + Sobel x / y gradients.

    Args:
        num_scales: n; scale s has size (h / 2^s, w / 2^s). Images smaller than 2^n stop early.
    """

    def __init__(self, num_scales: int = 4):
        super().__init__()
        self.num_scales = num_scales
        self.register_buffer("kernels", torch.stack([_SOBEL, _SOBEL.t()])[:, None], persistent=False)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        """image: (b, c, h, w). Returns n tensors (b, 3c, h_s, w_s): [band, d/dx, d/dy] per channel."""
        b, c = image.shape[:2]
        kernels = self.kernels.to(image.dtype)
        outputs = []
        current = image
        for scale in range(self.num_scales):
            if min(current.shape[-2:]) < 2 or scale == self.num_scales - 1:
                band = current  # the coarsest level keeps its low frequencies
            else:
                coarse = F.avg_pool2d(current, 2, ceil_mode=True)
                band = current - F.interpolate(coarse, size=current.shape[-2:], mode="bilinear", align_corners=False)
            padded = F.pad(current.reshape(b * c, 1, *current.shape[-2:]), (1, 1, 1, 1), mode="replicate")
            gradients = F.conv2d(padded, kernels).reshape(b, 2 * c, *current.shape[-2:])
            outputs.append(torch.cat([band, gradients], dim=1))
            if min(current.shape[-2:]) < 2:
                break
            current = F.avg_pool2d(current, 2, ceil_mode=True)
        return outputs


def image_features(vgg19_weights: str | os.PathLike | None = None, num_scales: int = 4) -> nn.Module:
    """VGG-19 features when ``vgg19_weights`` names a file, else :class:`PyramidFeatures` (logged once)."""
    if vgg19_weights:
        return VGG19Features(vgg19_weights)
    logger.info("no VGG-19 weight file given: perceptual and style losses use the weight-free pyramid features")
    return PyramidFeatures(num_scales)
