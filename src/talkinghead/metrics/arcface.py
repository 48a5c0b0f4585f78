"""ArcFace identity embeddings for CSIM, from the user's ONNX or torch weight file, and face alignment.

Deng, Guo, Xue & Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face Recognition", CVPR 2019.
Faces are aligned to the 112x112 five-point template of insightface (similarity transform, least squares,
Umeyama 1991) and embedded to 512-d; identity similarity is the cosine of two embeddings.

Weight files (user-supplied, never downloaded):

* ``.onnx``: an insightface recognition model (e.g. ``w600k_r50.onnx`` from the ``buffalo_l`` pack; input
  (b, 3, 112, 112) RGB, (x - 127.5) / 127.5), run with onnxruntime when it is installed
  (``pip install onnxruntime``); otherwise :class:`DependencyMissingError`.
* ``.pth`` / ``.pt`` / ``.safetensors``: an insightface ``arcface_torch`` IResNet state dict (``backbone.pth``,
  any depth: the blocks per stage are read from the keys), loaded into :class:`IResNet` below with
  ``torch.load(weights_only=True)``; same input convention.

Shape legend: b batch.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from talkinghead.errors import DependencyMissingError, InputError, ModelMissingError
from talkinghead.metrics.frames import as_frames
from talkinghead.metrics.weights import assign_state_dict, load_state_dict

__all__ = ["IResNet", "ARCFACE_TEMPLATE", "ARCFACE_SIZE", "align_face", "load_arcface", "similarity_transform"]

ARCFACE_SIZE = 112
#: insightface's five-point template for 112x112 crops, image coordinates (x, y): the eye on the image's
#: left, the other eye, nose tip, mouth corner on the image's left, the other mouth corner.
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]]
)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping ``src`` onto ``dst``.

    Umeyama, "Least-squares estimation of transformation parameters between two point patterns", IEEE PAMI
    13(4), 1991. Args: (k, 2) point sets. Returns the (2, 3) affine matrix.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sigma, vt = np.linalg.svd(cov)
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1
    rotation = u @ np.diag(sign) @ vt
    var_s = (s**2).sum() / len(src)
    scale = (sigma * sign).sum() / var_s
    matrix = np.zeros((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = mu_d - scale * rotation @ mu_s
    return matrix


def align_face(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Warp a face to the 112x112 ArcFace crop.

    Args:
        image: (h, w, 3) uint8 RGB.
        points: (5, 2) float pixel coordinates in :data:`ARCFACE_TEMPLATE`'s order (eye centres, nose tip,
            mouth corners, image-left first).

    Returns:
        (112, 112, 3) uint8 RGB.
    """
    import cv2

    points = np.asarray(points, dtype=np.float64)
    if points.shape != (5, 2):
        raise InputError(f"ArcFace alignment needs (5, 2) points, got {points.shape}")
    matrix = similarity_transform(points, ARCFACE_TEMPLATE)
    return cv2.warpAffine(image, matrix, (ARCFACE_SIZE, ARCFACE_SIZE), flags=cv2.INTER_LINEAR, borderValue=0)


class IBasicBlock(nn.Module):
    """insightface's improved residual block: BN, conv3x3, BN, PReLU, conv3x3 (stride), BN, + shortcut."""

    def __init__(self, in_ch: int, out_ch: int, stride: int):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_ch, eps=1e-5)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch, eps=1e-5)
        self.prelu = nn.PReLU(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_ch, eps=1e-5)
        self.downsample = None
        if stride != 1 or in_ch != out_ch:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), nn.BatchNorm2d(out_ch, eps=1e-5)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return out + (x if self.downsample is None else self.downsample(x))


class IResNet(nn.Module):
    """insightface ``arcface_torch`` IResNet (module names match its state dicts).

    Args:
        layers: blocks per stage, e.g. (3, 4, 14, 3) for iresnet50, (3, 13, 30, 3) for iresnet100.
        embedding_dim: size of the output embedding (512).

    Call with (b, 3, 112, 112) float RGB scaled as (x - 127.5) / 127.5; returns (b, embedding_dim).
    """

    def __init__(self, layers: tuple[int, int, int, int] = (3, 4, 14, 3), embedding_dim: int = 512):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, eps=1e-5)
        self.prelu = nn.PReLU(64)
        stages = []
        in_ch = 64
        for out_ch, blocks in zip((64, 128, 256, 512), layers):
            stage = [IBasicBlock(in_ch, out_ch, stride=2)] + [IBasicBlock(out_ch, out_ch, 1) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*stage))
            in_ch = out_ch
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.bn2 = nn.BatchNorm2d(512, eps=1e-5)
        self.fc = nn.Linear(512 * 7 * 7, embedding_dim)
        self.features = nn.BatchNorm1d(embedding_dim, eps=1e-5)
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.features(self.fc(self.bn2(x).flatten(1)))


def _iresnet_from_state(state: dict[str, torch.Tensor]) -> IResNet:
    """Build the IResNet whose depth and embedding size match the state dict's keys."""
    layers = []
    for stage in range(1, 5):
        indices = {int(m.group(1)) for k in state if (m := re.match(rf"layer{stage}\.(\d+)\.", k))}
        if not indices:
            raise InputError(f"ArcFace torch weights: no `layer{stage}.*` keys; expected an arcface_torch IResNet")
        layers.append(max(indices) + 1)
    if "fc.weight" not in state:
        raise InputError("ArcFace torch weights: no `fc.weight`; expected an arcface_torch IResNet")
    model = IResNet(tuple(layers), embedding_dim=state["fc.weight"].shape[0])
    return assign_state_dict(model, state, what="ArcFace IResNet weights")


def _to_input(faces: np.ndarray) -> np.ndarray:
    """(b, 112, 112, 3) uint8 RGB -> (b, 3, 112, 112) float32 in [-1, 1]."""
    faces = as_frames(faces, name="faces")
    if faces.shape[1:3] != (ARCFACE_SIZE, ARCFACE_SIZE):
        raise InputError(f"ArcFace needs 112x112 aligned faces, got {faces.shape[2]}x{faces.shape[1]}")
    return ((faces.astype(np.float32) - 127.5) / 127.5).transpose(0, 3, 1, 2)


def load_arcface(path: str | os.PathLike, *, device: torch.device | str = "cpu") -> Callable[[np.ndarray], np.ndarray]:
    """An embedder ``faces (b, 112, 112, 3) uint8 RGB -> (b, d) float32`` from the user's file (module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise ModelMissingError(f"ArcFace weights: file {path} does not exist; give the path of your copy")
    if path.suffix == ".onnx":
        try:
            import onnxruntime
        except ImportError:
            raise DependencyMissingError(
                "ArcFace .onnx weights need onnxruntime: `pip install onnxruntime` (or give a torch IResNet state dict)"
            ) from None
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        input_name = session.get_inputs()[0].name

        def embed_onnx(faces: np.ndarray) -> np.ndarray:
            return np.asarray(session.run(None, {input_name: _to_input(faces)})[0], dtype=np.float32)

        return embed_onnx
    model = _iresnet_from_state(load_state_dict(path, what="ArcFace IResNet weights")).to(device).requires_grad_(False)

    def embed_torch(faces: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(_to_input(faces)).to(device)).float().cpu().numpy()

    return embed_torch
