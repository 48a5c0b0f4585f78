"""SyncNet, the audio-visual sync network behind LSE-C / LSE-D, loading the user's weight file.

Chung & Zisserman, "Out of time: automated lip sync in the wild", ACCV Workshops 2016. The architecture is
the released evaluation model (``syncnet_python``, ``SyncNetModel.S``, weight file ``syncnet_v2.model``)
that Wav2Lip's LSE-C / LSE-D scripts (Prajwal et al., ACM MM 2020) run; module names match it, so its
state dict loads as is. This is the MFCC variant, not Wav2Lip's mel-spectrogram expert discriminator:

* video stream: 5 consecutive face crops, (b, 3, 5, 224, 224), BGR, float pixel values 0-255 (the
  reference feeds OpenCV frames unnormalised); 3-D convolutions down to a 512-d vector, then 2 FC layers.
* audio stream: 13 MFCCs x 20 steps (0.2 s at 100 Hz, see :mod:`~talkinghead.metrics.syncnet_mfcc`),
  (b, 1, 13, 20); 2-D convolutions down to 512-d, then 2 FC layers.
* both embed to 1024-d; in sync, the two embeddings of a 0.2 s window are close in Euclidean distance.

Weight file: a plain state dict with keys ``netcnnaud.*``, ``netfcaud.*``, ``netcnnlip.*``, ``netfclip.*``
(``syncnet_v2.model`` from syncnet_python, MIT license, read with ``torch.load(weights_only=True)``) or the
same as ``.safetensors``. Shape legend: b batch.
"""

from __future__ import annotations

import os

import torch
from torch import nn

from talkinghead.metrics.weights import assign_state_dict, load_state_dict

__all__ = ["SyncNet", "load_syncnet", "SYNC_FRAMES", "SYNC_CROP", "SYNC_MFCC_STEPS"]

SYNC_FRAMES = 5  # video frames per window (0.2 s at 25 fps)
SYNC_CROP = 224  # face crop side in pixels
SYNC_MFCC_STEPS = 20  # MFCC steps per window (0.2 s at 100 Hz)


def _conv_bn_relu(conv: nn.Module, channels: int, norm: type[nn.Module]) -> list[nn.Module]:
    return [conv, norm(channels), nn.ReLU()]


class SyncNet(nn.Module):
    """syncnet_python's ``S`` network (module docstring), randomly initialised until weights are loaded.

    ``forward_audio``: (b, 1, 13, 20) MFCC windows -> (b, 1024). ``forward_video``: (b, 3, 5, 224, 224)
    BGR 0-255 -> (b, 1024). Runs on the inputs' device; set up in eval mode.
    """

    def __init__(self, embedding_dim: int = 1024):
        super().__init__()
        bn2, bn3 = nn.BatchNorm2d, nn.BatchNorm3d
        # Sequential indices reproduce the reference's (its no-op MaxPool2d(1, 1) included) for its keys.
        self.netcnnaud = nn.Sequential(
            *_conv_bn_relu(nn.Conv2d(1, 64, kernel_size=3, padding=1), 64, bn2),
            nn.MaxPool2d(kernel_size=1, stride=1),
            *_conv_bn_relu(nn.Conv2d(64, 192, kernel_size=3, padding=1), 192, bn2),
            nn.MaxPool2d(kernel_size=3, stride=(1, 2)),
            *_conv_bn_relu(nn.Conv2d(192, 384, kernel_size=3, padding=1), 384, bn2),
            *_conv_bn_relu(nn.Conv2d(384, 256, kernel_size=3, padding=1), 256, bn2),
            *_conv_bn_relu(nn.Conv2d(256, 256, kernel_size=3, padding=1), 256, bn2),
            nn.MaxPool2d(kernel_size=3, stride=2),
            *_conv_bn_relu(nn.Conv2d(256, 512, kernel_size=(5, 4)), 512, bn2),
        )
        self.netfcaud = nn.Sequential(
            nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, embedding_dim)
        )
        self.netcnnlip = nn.Sequential(
            *_conv_bn_relu(nn.Conv3d(3, 96, kernel_size=(5, 7, 7), stride=(1, 2, 2)), 96, bn3),
            nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2)),
            *_conv_bn_relu(nn.Conv3d(96, 256, kernel_size=(1, 5, 5), stride=(1, 2, 2), padding=(0, 1, 1)), 256, bn3),
            nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
            *_conv_bn_relu(nn.Conv3d(256, 256, kernel_size=(1, 3, 3), padding=(0, 1, 1)), 256, bn3),
            *_conv_bn_relu(nn.Conv3d(256, 256, kernel_size=(1, 3, 3), padding=(0, 1, 1)), 256, bn3),
            *_conv_bn_relu(nn.Conv3d(256, 256, kernel_size=(1, 3, 3), padding=(0, 1, 1)), 256, bn3),
            nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2)),
            *_conv_bn_relu(nn.Conv3d(256, 512, kernel_size=(1, 6, 6)), 512, bn3),
        )
        self.netfclip = nn.Sequential(
            nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, embedding_dim)
        )
        self.eval()

    def forward_audio(self, mfcc: torch.Tensor) -> torch.Tensor:
        return self.netfcaud(self.netcnnaud(mfcc).flatten(1))

    def forward_video(self, frames: torch.Tensor) -> torch.Tensor:
        return self.netfclip(self.netcnnlip(frames).flatten(1))


def load_syncnet(path: str | os.PathLike) -> SyncNet:
    """Build :class:`SyncNet` and load the user's weight file (module docstring); eval mode, CPU."""
    model = SyncNet()
    state = load_state_dict(path, what="SyncNet weights")
    assign_state_dict(model, state, what="SyncNet weights", strip_prefixes=("module.", "__S__."))
    return model.eval().requires_grad_(False)
